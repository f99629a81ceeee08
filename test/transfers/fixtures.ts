import { randomBytes } from 'node:crypto';
import type { Deps } from '../../src/deps.ts';
import type { Db } from '../../src/db/open.ts';
import type { AccountType, ApprovalMode } from '../../src/db/schema.ts';
import { depositPostings } from '../../src/domain/ledger.ts';
import { recordAudit } from '../../src/audit/audit-trail.ts';
import { bankLedgerAccountId, customerLedgerAccountId, postJournalEntry } from '../../src/modules/ledger/post.ts';
import {
  approveTransfer,
  createTransfer,
  getTransfer,
  finalises,
  sendNewTransferCode,
  sendTransfer,
  sendTransferCode,
  type Actor,
  type Destination,
  type StepResult,
  type TransferInput,
} from '../../src/modules/transfers/service.ts';
import { AppError, isAppError } from '../../src/errors.ts';
import { lastOneTimePassword } from '../helpers/people.ts';
import { prepareTransfer } from '../../src/modules/transfers/prepare.ts';

/**
 * The transfers tests write the contract, its people and accounts as the administration use cases
 * would leave them (the service under test reads them afresh), and fund accounts through the ledger
 * from the bank's cash account.
 */
/** A step that needs no code: nothing is sent. */
class NoCodeNeeded extends AppError {
  constructor() {
    super('NOT_FOUND');
  }
}

let counter = 0;
function next(): number {
  counter++;
  return counter * 1000 + (process.pid % 1000);
}

export const ownBranchCode = '001';
export const otherOwnBranchCode = '002';

export interface Steps {
  register?: boolean;
  approve?: boolean;
  send?: boolean;
  perTransactionLimitYen?: bigint | null;
  dailyLimitYen?: bigint | null;
}

export interface TestContract {
  contractId: string;
  master: Actor;
}

/** The bank's own branches 001 (本店営業部) and 002 (駅前支店), once per database. */
export async function addOwnBranches(db: Db): Promise<void> {
  await db
    .insertInto('own_branch')
    .values([
      { code: ownBranchCode, name: '本店営業部', name_kana: 'ﾎﾝﾃﾝ' },
      { code: otherOwnBranchCode, name: '駅前支店', name_kana: 'ｴｷﾏｴ' },
    ])
    .onConflict((oc) => oc.column('code').doNothing())
    .execute();
}

/** A contract with its master (every step, the contract's limits) and the bank's branches 001 and 002. */
export async function addContract(deps: Deps, approvalMode: ApprovalMode = 'none'): Promise<TestContract> {
  const n = next();
  const contractId = String(30_000_000_000 + n).slice(-11);
  const now = deps.clock.now();
  await addOwnBranches(deps.db);
  await deps.db.insertInto('contract').values({ id: contractId, company_name: `振込商事${n}`, lock_mode: 'unlinked', created_at: now, approval_mode: approvalMode }).execute();
  // Onboarding records the contract's first audit event, which makes its chain head: the lock order
  // of a transfer (audit head, then ledger accounts) relies on it being there.
  await recordAudit(deps.db, { at: now, contractId, userRef: null, actor: 'operator:test', action: 'contract.onboard', outcome: 'success' });
  const master = await addPerson(deps, contractId, { register: true, approve: true, send: true, perTransactionLimitYen: 10_000_000n, dailyLimitYen: 50_000_000n }, [], 'master');
  return { contractId, master };
}

let personCounter = 0;

/** A person of the contract with the fund-transfer steps and limits given, and the accounts they may use. */
export async function addPerson(deps: Deps, contractId: string, steps: Steps, accountIds: number[] = [], role: 'master' | 'user' = 'user'): Promise<Actor> {
  personCounter++;
  const userId = `${role === 'master' ? 'm' : 'u'}${personCounter}`;
  const user = await deps.db
    .insertInto('users')
    .values({
      contract_id: contractId,
      user_id: userId,
      display_name: `利用者 ${userId}`,
      role,
      email: `${userId}.${contractId}@customer.example`,
      // R5.1: a person who may finalise transfers has a confirmed OTP address (modules/otp-address).
      ...(steps.send ? { otp_email: `${userId}.otp.${contractId}@customer.example`, otp_email_confirmed_at: deps.clock.now() } : {}),
      created_at: deps.clock.now(),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  if (steps.register || steps.approve || steps.send) {
    await deps.db
      .insertInto('user_permission')
      .values({
        user_ref: user.id,
        business: 'transfer',
        can_register: steps.register ?? false,
        can_approve: steps.approve ?? false,
        can_send: steps.send ?? false,
        per_transaction_limit_yen: steps.perTransactionLimitYen === undefined ? 1_000_000n : steps.perTransactionLimitYen,
        daily_limit_yen: steps.dailyLimitYen === undefined ? 5_000_000n : steps.dailyLimitYen,
      })
      .execute();
  }
  if (accountIds.length > 0) await deps.db.insertInto('user_account').values(accountIds.map((account_id) => ({ user_ref: user.id, account_id }))).execute();
  const contract = await deps.db.selectFrom('contract').selectAll().where('id', '=', contractId).executeTakeFirstOrThrow();
  return { user, contract, ip: '192.0.2.10', userAgent: 'test' };
}

export interface TestAccount {
  id: number;
  ledgerAccountId: number;
  branchCode: string;
  accountType: AccountType;
  accountNumber: string;
}

let accountCounter = 0;

/** An account of the contract at this bank (its ledger account comes with it, migration 0005). */
export async function addAccount(deps: Deps, contractId: string, options: { branchCode?: string; fundYen?: bigint } = {}): Promise<TestAccount> {
  accountCounter++;
  const accountNumber = String(3_000_000 + accountCounter);
  const branchCode = options.branchCode ?? ownBranchCode;
  const row = await deps.db
    .insertInto('account')
    .values({ contract_id: contractId, branch_code: branchCode, account_type: 'ordinary', account_number: accountNumber, holder_kana: `ｶ)ﾌﾘｺﾐ${accountCounter}`, opened_at: deps.clock.now() })
    .returning('id')
    .executeTakeFirstOrThrow();
  const account = { id: row.id, ledgerAccountId: await customerLedgerAccountId(deps.db, row.id), branchCode, accountType: 'ordinary' as const, accountNumber };
  if (options.fundYen) await fund(deps.db, account.ledgerAccountId, options.fundYen);
  return account;
}

/** Money into an account from the bank's cash account, as a deposit at the counter. */
export async function fund(db: Db, ledgerAccountId: number, amountYen: bigint): Promise<void> {
  await db.transaction().execute(async (tx) => {
    const cash = await bankLedgerAccountId(tx, 'cash');
    await postJournalEntry(tx, {
      kind: 'deposit',
      description: 'ｹﾞﾝｷﾝ ﾆﾕｳｷﾝ',
      valueDate: '2026-03-31',
      postedAt: new Date('2026-03-31T00:00:00Z'),
      postings: depositPostings({ cashLedgerAccountId: cash, customerLedgerAccountId: ledgerAccountId, amountYen }),
    });
  });
}

export async function balanceOf(db: Db, accountId: number): Promise<bigint> {
  const row = await db.selectFrom('ledger_account').select('balance_yen').where('account_id', '=', accountId).executeTakeFirstOrThrow();
  return row.balance_yen;
}

/** A fresh idempotency key, as a form page would carry one. */
export function newKey(): string {
  return randomBytes(18).toString('base64url');
}

/** An ad hoc destination: an account at this bank. */
export function toAccount(account: TestAccount, nameInput = 'ﾃｽﾄ ﾀﾛｳ'): Destination {
  return { adHoc: { bankCode: '0999', branchCode: account.branchCode, accountType: account.accountType, accountNumber: account.accountNumber, nameInput } };
}

/** An ad hoc destination at another bank (みずほ銀行 東京営業部). */
export function toOtherBank(nameInput = 'ﾔﾏﾀﾞ ﾊﾅｺ'): Destination {
  return { adHoc: { bankCode: '0001', branchCode: '001', accountType: 'ordinary', accountNumber: '1234567', nameInput } };
}

/** Today in the tests' fake clock (2026-04-01 09:00 in Tokyo, a Wednesday). */
export const today = '2026-04-01';


/** One code at a time per person: a code is sent and read from the outbox before the next is sent. */
const codeQueues = new Map<number, Promise<unknown>>();
function oneAtATime<T>(actor: Actor, work: () => Promise<T>): Promise<T> {
  const previous = codeQueues.get(actor.user.id) ?? Promise.resolve();
  const run = previous.then(work, work);
  codeQueues.set(actor.user.id, run.catch(() => undefined));
  return run;
}

/** The last code each person was sent for each operation: a request submitted again carries the same code. */
const lastCodes = new Map<string, string>();

/**
 * The code a person would type: sent for the step by the service and read from their mail, or the
 * one they already have for it (a new one is refused during the cool-down); undefined when the step
 * needs none or cannot be taken.
 */
async function codeFor(deps: Deps, actor: Actor, operation: string, send: () => Promise<unknown>): Promise<string | undefined> {
  const cacheKey = `${actor.user.id}:${operation}`;
  return oneAtATime(actor, async () => {
    try {
      await send();
    } catch (error) {
      if (isAppError(error) && error.code === 'EMAIL_OTP_COOLDOWN') return lastCodes.get(cacheKey);
      if (isAppError(error)) return undefined; // the step itself will say why
      throw error;
    }
    const code = await lastOneTimePassword(deps, actor.user.otp_email!);
    lastCodes.set(cacheKey, code);
    return code;
  });
}

/**
 * The transfers use cases as a person takes them through the pages: a step that finalises the
 * transfer (R5.2) first has its one-time password emailed and entered with it.
 */
export async function createAs(deps: Deps, actor: Actor, input: TransferInput): Promise<StepResult> {
  const code = await codeFor(deps, actor, `new:${input.idempotencyKey}`, async () => {
    // The checks of the write (daily limit, balance) are left to it, as a retry after them would.
    const { quote } = await prepareTransfer(deps, deps.db, actor, input);
    if (!quote.sendsNow) throw new NoCodeNeeded();
    await sendNewTransferCode(deps, actor, input.idempotencyKey, quote);
  });
  // R8.6: the use-case tests make like transfers on purpose; the duplicate check has tests of its own, which pass `separatePayment: false`.
  return createTransfer(deps, actor, { separatePayment: true, ...input }, code);
}

export async function approveAs(deps: Deps, actor: Actor, transferId: bigint, idempotencyKey: string): Promise<StepResult> {
  const code = await codeFor(deps, actor, `transfer:${transferId}`, async () => {
    const detail = await getTransfer(deps, actor, transferId);
    if (!finalises(detail, 'approve')) throw new NoCodeNeeded();
    await sendTransferCode(deps, actor, detail);
  });
  return approveTransfer(deps, actor, transferId, idempotencyKey, code);
}

export async function sendAs(deps: Deps, actor: Actor, transferId: bigint, idempotencyKey: string): Promise<StepResult> {
  const code = await codeFor(deps, actor, `transfer:${transferId}`, async () => {
    const detail = await getTransfer(deps, actor, transferId);
    if (!finalises(detail, 'send')) throw new NoCodeNeeded();
    await sendTransferCode(deps, actor, detail);
  });
  return sendTransfer(deps, actor, transferId, idempotencyKey, code);
}
