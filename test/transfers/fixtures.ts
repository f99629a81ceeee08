import { randomBytes } from 'node:crypto';
import type { Deps } from '../../src/deps.ts';
import type { Db } from '../../src/db/open.ts';
import type { AccountType, ApprovalMode } from '../../src/db/schema.ts';
import { depositPostings } from '../../src/domain/ledger.ts';
import { recordAudit } from '../../src/audit/audit-trail.ts';
import { bankLedgerAccountId, customerLedgerAccountId, postJournalEntry } from '../../src/modules/ledger/post.ts';
import type { Actor, Destination } from '../../src/modules/transfers/service.ts';

/**
 * The transfers tests write the contract, its people and accounts as the administration use cases
 * would leave them (the service under test reads them afresh), and fund accounts through the ledger
 * from the bank's cash account.
 */
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

/** A contract with its master (every step, the contract's limits) and the bank's branches 001 and 002. */
export async function addContract(deps: Deps, approvalMode: ApprovalMode = 'none'): Promise<TestContract> {
  const n = next();
  const contractId = String(30_000_000_000 + n).slice(-11);
  const now = deps.clock.now();
  await deps.db
    .insertInto('own_branch')
    .values([
      { code: ownBranchCode, name: '本店営業部', name_kana: 'ﾎﾝﾃﾝ' },
      { code: otherOwnBranchCode, name: '駅前支店', name_kana: 'ｴｷﾏｴ' },
    ])
    .onConflict((oc) => oc.column('code').doNothing())
    .execute();
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
