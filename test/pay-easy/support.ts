import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import type { Deps } from '../../src/deps.ts';
import type { BillerKind } from '../../src/db/schema-pay-easy.ts';
import { addDays, tokyoDate } from '../../src/domain/business-days.ts';
import { Client, errorCode } from '../helpers/client.ts';
import { lastOneTimePassword, logon, otpAddressOf, registerOtpAddress, type TestPerson } from '../helpers/people.ts';
import { outboxTo, type TestApp } from '../helpers/http-app.ts';
import { addUserWith } from '../users/helpers.ts';
import { hiddenValue, moneyContract, type MoneyContract } from '../transfers/pages/support.ts';

/**
 * The Pay-easy tests (R8.3): a contract whose master has logged on through the pages with an OTP
 * address and a funded account (1,000,000 yen), and bills in the built-in collector's registry,
 * each test with its own (numbers from a counter, so tests of one file never share a bill).
 */
export { hiddenValue, moneyContract, type MoneyContract };

export const billers: Record<BillerKind, { number: string; name: string }> = {
  national: { number: '00200', name: '国庫金（テスト税務署）' },
  local: { number: '81301', name: 'テスト市' },
  private: { number: '58101', name: 'テスト電力株式会社' },
};

export interface TestBill {
  kind: BillerKind;
  billerNumber: string;
  number: string;
  confirmationNumber: string;
  paymentClass: string;
  feeName: string;
  amountYen: bigint;
  dueDate: string;
}

let billCounter = 0;

/** A bill of a biller of the given kind in the collector's registry, unpaid and due in ten days unless told otherwise. */
export async function addBill(
  deps: Deps,
  kind: BillerKind,
  options: { amountYen?: bigint; dueInDays?: number; paid?: boolean; feeName?: string } = {},
): Promise<TestBill> {
  const biller = billers[kind];
  await deps.db.insertInto('pay_easy_biller').values({ biller_number: biller.number, name: biller.name, kind }).onConflict((oc) => oc.column('biller_number').doNothing()).execute();
  billCounter++;
  const bill: TestBill = {
    kind,
    billerNumber: biller.number,
    number: kind === 'private' ? String(700_000_000_000 + billCounter) : String(9_000_000_000_000_000n + BigInt(billCounter)),
    confirmationNumber: String(100_000 + billCounter),
    paymentClass: kind === 'private' ? '' : '201',
    feeName: options.feeName ?? (kind === 'private' ? '電気料金（2026年3月分）' : '法人住民税（第4期）'),
    amountYen: options.amountYen ?? 12_345n,
    dueDate: addDays(tokyoDate(deps.clock.now()), options.dueInDays ?? 10),
  };
  await deps.db
    .insertInto('pay_easy_bill')
    .values({
      biller_number: bill.billerNumber,
      number: bill.number,
      confirmation_number: bill.confirmationNumber,
      payment_class: bill.paymentClass,
      fee_name: bill.feeName,
      amount_yen: bill.amountYen,
      due_date: bill.dueDate,
      paid_at: options.paid ? deps.clock.now() : null,
      paid_receipt_number: options.paid ? 'ELSEWHERE' : null,
    })
    .execute();
  return bill;
}

/** The bill form's fields for a bill, paid from an account. */
export function billFields(bill: TestBill, fromAccountId: number, overrides: Record<string, string> = {}): Record<string, string> {
  return {
    billerNumber: bill.billerNumber,
    number: bill.number,
    confirmationNumber: bill.confirmationNumber,
    ...(bill.kind === 'private' ? {} : { paymentClass: bill.paymentClass }),
    fromAccountId: String(fromAccountId),
    ...overrides,
  };
}

/** The sealed draft the bill form leads to, from its redirect. */
export function draftOf(response: LightMyRequestResponse): string {
  assert.equal(response.statusCode, 303, `the bill is accepted (${errorCode(response.body) ?? response.statusCode})`);
  const match = /^\/pay-easy\/confirm\?draft=([A-Za-z0-9._-]+)$/.exec(String(response.headers.location));
  assert.ok(match, `redirected to the confirmation page: ${response.headers.location}`);
  return match[1]!;
}

/** Through the biller and bill forms to the confirmation page: its draft and the key it was rendered with. */
export async function toConfirmation(client: Client, bill: TestBill, fromAccountId: number): Promise<{ draft: string; key: string; page: string }> {
  await client.get('/pay-easy');
  const biller = await client.post('/pay-easy', { billerNumber: bill.billerNumber });
  assert.equal(biller.headers.location, `/pay-easy/bill?billerNumber=${bill.billerNumber}`, errorCode(biller.body));
  await client.get(String(biller.headers.location));
  const draft = draftOf(await client.post('/pay-easy/bill', billFields(bill, fromAccountId)));
  const page = await client.get(`/pay-easy/confirm?draft=${draft}`);
  assert.equal(page.statusCode, 200, errorCode(page.body));
  return { draft, key: hiddenValue(page.body, 'idempotencyKey', '/pay-easy/confirm'), page: page.body };
}

/** R5.2: the code of the payment, sent by the page's button and read from the person's OTP mailbox. */
export async function paymentCode(deps: Deps, client: Client, person: TestPerson, draft: string, key: string): Promise<string> {
  const sent = await client.post('/pay-easy/confirm/otp', { draft, idempotencyKey: key });
  assert.equal(sent.statusCode, 303, `the one-time password is sent (${errorCode(sent.body) ?? sent.statusCode})`);
  await client.get(String(sent.headers.location).replace(/#.*$/, ''));
  return lastOneTimePassword(deps, otpAddressOf(person));
}

/** The payment id a confirmation led to. */
export function paidId(response: LightMyRequestResponse): bigint {
  assert.equal(response.statusCode, 303, `paid (${errorCode(response.body) ?? response.statusCode})`);
  const match = /^\/pay-easy\/payments\/(\d+)\?done=paid$/.exec(String(response.headers.location));
  assert.ok(match, `led to the receipt: ${response.headers.location}`);
  return BigInt(match[1]!);
}

/** Through every page to a payment made; returns its id. */
export async function payThroughPages(deps: Deps, client: Client, person: TestPerson, bill: TestBill, fromAccountId: number): Promise<bigint> {
  const { draft, key } = await toConfirmation(client, bill, fromAccountId);
  const otp = await paymentCode(deps, client, person, draft, key);
  return paidId(await client.post('/pay-easy/confirm', { draft, idempotencyKey: key, confirmationPassword: person.confirmationPassword, otp }));
}

/** A person of the contract holding tax and fee payments with the limits given and the account, logged on with an OTP address. */
export async function payer(t: TestApp, contract: MoneyContract, limits: { perTransactionLimitYen: bigint; dailyLimitYen: bigint }): Promise<{ person: TestPerson; client: Client; ref: number }> {
  const person = await addUserWith(t.deps, contract.master.contractId, [{ business: 'tax_payment', ...limits }], [contract.from.id]);
  const client = new Client(t.app);
  assert.equal((await logon(client, person)).headers.location, '/status');
  // R5.1: whoever may pay taxes and fees registers an OTP address first.
  await registerOtpAddress(client, t.deps, person, '/otp-address');
  return { person, client, ref: person.ref };
}

/**
 * What a refused payment must leave as it was: payments, the registry's bills, daily usage, ledger
 * entries and balances, and the receipts in the outbox.
 */
export async function paymentState(deps: Deps): Promise<unknown> {
  const db = deps.db;
  const text = (rows: Record<string, unknown>[]) =>
    rows.map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === 'bigint' ? v.toString() : v instanceof Date ? v.toISOString() : v])));
  return {
    payments: text(await db.selectFrom('payment').select(['id', 'amount_yen', 'entry_id']).orderBy('id').execute()),
    bills: text(await db.selectFrom('pay_easy_bill').select(['id', 'paid_at', 'amount_yen']).orderBy('id').execute()),
    usage: text(await db.selectFrom('daily_usage').selectAll().orderBy('user_ref').orderBy('business').orderBy('usage_date').execute()),
    entries: text(await db.selectFrom('journal_entry').select(['id', 'kind']).orderBy('id').execute()),
    balances: text(await db.selectFrom('ledger_account').select(['id', 'balance_yen']).orderBy('id').execute()),
    receipts: (await db.selectFrom('outbox').select('id').where('subject', 'like', '【領収証書に代わるもの】%').execute()).length,
  };
}

/** The receipts emailed to an address. */
export function receiptsTo(deps: Deps, recipient: string) {
  return outboxTo(deps, recipient, 'payEasy.receiptMail.subject');
}
