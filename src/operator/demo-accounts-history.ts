import { createHash } from 'node:crypto';
import { addDays, isBankBusinessDay } from '../domain/business-days.ts';

/**
 * The demo contract's past (R8.1: something to inquire into): about three months of a small
 * company's banking on its three accounts, ending today. Pure and deterministic: the same contract
 * ID and day always give the same history (a generator seeded from the contract ID, not
 * Math.random), so a demo can be described and a test can check it.
 */
export const demoHistoryDays = 92;

/** The demo's accounts, by the part each plays. */
export type DemoAccountKey = 'operating' | 'current' | 'branch';

export type DemoMovement =
  | { kind: 'deposit'; account: DemoAccountKey; amountYen: bigint; description: string }
  | { kind: 'withdrawal'; account: DemoAccountKey; amountYen: bigint; description: string; toFeeIncome?: boolean }
  /**
   * A transfer between the company's own accounts [振替] made at the counter, not through the
   * service: there is no transfer record, so the ledger has it as a withdrawal from the paying
   * account (an entry of kind 'transfer' names its transfer, see modules/ledger/verify.ts).
   */
  | { kind: 'own_transfer'; from: DemoAccountKey; to: DemoAccountKey; amountYen: bigint; description: string; fromDescription: string; toDescription: string };

export interface DemoEvent {
  valueDate: string;
  movement: DemoMovement;
}

/** mulberry32: a small, well-mixed 32-bit generator; ample for demo amounts. */
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function seedOf(contractId: string): number {
  return createHash('sha256').update(`demo-history:${contractId}`).digest().readUInt32BE(0);
}

/** A yen amount between two bounds, in steps (invoices with tax come in hundreds). */
function amount(next: () => number, minYen: number, maxYen: number, stepYen: number): bigint {
  const steps = Math.floor((maxYen - minYen) / stepYen);
  return BigInt(minYen + Math.floor(next() * (steps + 1)) * stepYen);
}

function onOrAfterBusinessDay(date: string): string {
  let day = date;
  while (!isBankBusinessDay(day)) day = addDays(day, 1);
  return day;
}

/** Salaries are paid on the business day before a holiday, as Japanese companies do. */
function onOrBeforeBusinessDay(date: string): string {
  let day = date;
  while (!isBankBusinessDay(day)) day = addDays(day, -1);
  return day;
}

const customers = ['ﾌﾘｺﾐ ｶ)ﾔﾏﾀﾞｼﾖｳｼﾞ', 'ﾌﾘｺﾐ ﾕ)ｻｸﾗｺｳｷﾞﾖｳ', 'ﾌﾘｺﾐ ｶ)ﾐﾄﾞﾘﾌﾞﾂｻﾝ', 'ﾌﾘｺﾐ ｶ)ｱｵｿﾞﾗｼｽﾃﾑ', 'ﾌﾘｺﾐ ｽｽﾞｷ ｲﾁﾛｳ'];

/** One month's fixed movements: day of the month, how the day moves off a holiday, and the movement. */
function monthly(next: () => number): { day: number; earlier?: boolean; movement: DemoMovement }[] {
  return [
    { day: 5, movement: { kind: 'withdrawal', account: 'operating', amountYen: amount(next, 12_000, 24_000, 10), description: 'ｺｳﾌﾘ ﾃﾞﾝﾜﾘﾖｳｷﾝ' } },
    { day: 10, movement: { kind: 'withdrawal', account: 'operating', amountYen: amount(next, 150_000, 260_000, 100), description: 'ｾﾞｲｷﾝ ｹﾞﾝｾﾝｼﾖﾄｸｾﾞｲ' } },
    // The regular monthly income of the branch account: a large client's fixed fee.
    { day: 15, movement: { kind: 'deposit', account: 'branch', amountYen: 880_000n, description: 'ﾌﾘｺﾐ ｶ)ﾐﾅﾄｼﾖｳｶｲ' } },
    { day: 18, movement: { kind: 'withdrawal', account: 'branch', amountYen: amount(next, 28_000, 64_000, 1), description: 'ｺｳﾌﾘ ﾃﾞﾝｷﾘﾖｳｷﾝ' } },
    {
      day: 20,
      movement: { kind: 'own_transfer', from: 'operating', to: 'current', amountYen: 1_500_000n, description: 'ﾌﾘｶｴ', fromDescription: 'ﾌﾘｶｴ ﾄｳｻﾞﾍ', toDescription: 'ﾌﾘｶｴ ﾌﾂｳﾖﾘ' },
    },
    { day: 25, earlier: true, movement: { kind: 'withdrawal', account: 'operating', amountYen: amount(next, 2_400_000, 2_800_000, 1), description: 'ｷﾕｳﾖ ｿｳﾌﾘ' } },
    { day: 25, earlier: true, movement: { kind: 'withdrawal', account: 'operating', amountYen: 1_980n, description: 'ﾌﾘｺﾐﾃｽｳﾘﾖｳ', toFeeIncome: true } },
    { day: 27, movement: { kind: 'withdrawal', account: 'current', amountYen: 450_000n, description: 'ﾔﾁﾝ ｴｷﾏｴﾋﾞﾙ' } },
    { day: 27, movement: { kind: 'withdrawal', account: 'branch', amountYen: 55_000n, description: 'ｺｳﾌﾘ ﾘ-ｽﾘﾖｳ' } },
    { day: 28, earlier: true, movement: { kind: 'withdrawal', account: 'current', amountYen: amount(next, 300_000, 900_000, 1_000), description: 'ﾃｶﾞﾀ ｼﾊﾗｲ' } },
    { day: 28, earlier: true, movement: { kind: 'withdrawal', account: 'operating', amountYen: amount(next, 380_000, 420_000, 1), description: 'ｼﾔｶｲﾎｹﾝﾘﾖｳ' } },
  ];
}

/**
 * The history from `demoHistoryDays` before today up to today: opening cash deposits on the first
 * business day, the monthly movements, and on business days now and then a customer's payment, a
 * cheque or petty cash, up to a payment on the last business day. Events come in the order they are
 * to be posted.
 */
export function demoHistory(contractId: string, today: string): DemoEvent[] {
  const next = generator(seedOf(contractId));
  const start = onOrAfterBusinessDay(addDays(today, -demoHistoryDays));
  const events: (DemoEvent & { order: number })[] = [];
  let order = 0;
  const add = (valueDate: string, movement: DemoMovement) => {
    if (valueDate >= start && valueDate <= today) events.push({ valueDate, movement, order: order++ });
  };
  add(start, { kind: 'deposit', account: 'operating', amountYen: 6_000_000n, description: 'ｹﾞﾝｷﾝ' });
  add(start, { kind: 'deposit', account: 'current', amountYen: 1_200_000n, description: 'ｹﾞﾝｷﾝ' });
  add(start, { kind: 'deposit', account: 'branch', amountYen: 500_000n, description: 'ｹﾞﾝｷﾝ' });

  for (let month = start.slice(0, 7) + '-01'; month <= today; month = addDays(month, 32).slice(0, 7) + '-01') {
    for (const item of monthly(next)) {
      const day = `${month.slice(0, 8)}${String(item.day).padStart(2, '0')}`;
      add(item.earlier ? onOrBeforeBusinessDay(day) : onOrAfterBusinessDay(day), item.movement);
    }
  }
  for (let day = addDays(start, 1); day <= today; day = addDays(day, 1)) {
    if (!isBankBusinessDay(day)) continue;
    if (next() < 0.35) {
      const payer = customers[Math.floor(next() * customers.length)]!;
      add(day, { kind: 'deposit', account: 'operating', amountYen: amount(next, 55_000, 1_650_000, 110), description: payer });
    }
    if (next() < 0.12) add(day, { kind: 'withdrawal', account: 'current', amountYen: amount(next, 20_000, 250_000, 1_000), description: `ｺｷﾞﾃ ${1_000 + Math.floor(next() * 9_000)}` });
    if (next() < 0.08) add(day, { kind: 'withdrawal', account: 'branch', amountYen: amount(next, 10_000, 50_000, 10_000), description: 'ｹﾞﾝｷﾝ ｼﾊﾗｲ' });
  }
  // The history ends today (or on the last business day before it) with a customer's payment.
  const payer = customers[Math.floor(next() * customers.length)]!;
  add(onOrBeforeBusinessDay(today), { kind: 'deposit', account: 'operating', amountYen: amount(next, 55_000, 1_650_000, 110), description: payer });
  return events
    .sort((a, b) => (a.valueDate < b.valueDate ? -1 : a.valueDate > b.valueDate ? 1 : a.order - b.order))
    .map(({ valueDate, movement }) => ({ valueDate, movement }));
}
