import type { Db } from '../../src/db/open.ts';
import type { Executor, Tx } from '../../src/db/transaction.ts';
import type { ResultEmailTo } from '../../src/db/schema.ts';
import type { Transfer, TransferStatus } from '../../src/db/schema-transfers.ts';
import { bankLedgerAccountId, customerLedgerAccountId, postJournalEntry } from '../../src/modules/ledger/post.ts';
import { depositPostings } from '../../src/domain/ledger.ts';

/**
 * Ledger tests write the rows they need directly (a contract, its people, accounts, scheduled
 * transfers), as the other areas' use cases would leave them: the ledger is what is under test.
 */
let counter = 0;
function next(): number {
  counter++;
  return counter * 1000 + (process.pid % 1000);
}

export interface LedgerContract {
  contractId: string;
  masterRef: number;
  masterEmail: string;
  /** A person who makes transfers (not the master). */
  operatorRef: number;
  operatorEmail: string;
  /** A second person, who sends what the operator made. */
  senderRef: number;
  senderEmail: string;
}

export async function addContract(db: Db, options: { resultEmailTo?: ResultEmailTo } = {}): Promise<LedgerContract> {
  const n = next();
  const contractId = String(10_000_000_000 + n).slice(-11);
  const now = new Date('2026-01-05T00:00:00Z');
  await db
    .insertInto('contract')
    .values({ id: contractId, company_name: `元帳商事${n}`, lock_mode: 'unlinked', created_at: now, ...(options.resultEmailTo ? { result_email_to: options.resultEmailTo } : {}) })
    .execute();
  const person = async (userId: string, role: 'master' | 'user') => {
    const email = `${userId}@ledger.example`;
    const row = await db
      .insertInto('users')
      .values({ contract_id: contractId, user_id: userId, display_name: `利用者 ${userId}`, role, email, created_at: now })
      .returning('id')
      .executeTakeFirstOrThrow();
    return { ref: row.id, email };
  };
  const master = await person(`m${n}`, 'master');
  const operator = await person(`o${n}`, 'user');
  const sender = await person(`s${n}`, 'user');
  return {
    contractId,
    masterRef: master.ref,
    masterEmail: master.email,
    operatorRef: operator.ref,
    operatorEmail: operator.email,
    senderRef: sender.ref,
    senderEmail: sender.email,
  };
}

let accountCounter = 0;

export interface LedgerTestAccount {
  accountId: number;
  ledgerAccountId: number;
  branchCode: string;
  accountType: 'ordinary' | 'current';
  accountNumber: string;
  holderKana: string;
}

export async function addAccount(db: Db, contractId: string, options: { branchCode?: string } = {}): Promise<LedgerTestAccount> {
  accountCounter++;
  const accountNumber = String(2_000_000 + (process.pid % 1000) * 5000 + accountCounter).padStart(7, '0').slice(-7);
  const branchCode = options.branchCode ?? '001';
  const holderKana = `ｶ)ﾓﾄﾁﾖｳ${accountCounter}`;
  const row = await db
    .insertInto('account')
    .values({ contract_id: contractId, branch_code: branchCode, account_type: 'ordinary', account_number: accountNumber, holder_kana: holderKana, opened_at: new Date('2026-01-05T00:00:00Z') })
    .returning('id')
    .executeTakeFirstOrThrow();
  return {
    accountId: row.id,
    ledgerAccountId: await customerLedgerAccountId(db, row.id),
    branchCode,
    accountType: 'ordinary',
    accountNumber,
    holderKana,
  };
}

/** Money into an account from the bank's cash account, as a deposit at the counter. */
export async function deposit(db: Db | Tx, ledgerAccountId: number, amountYen: bigint, at = new Date('2026-01-05T00:00:00Z')): Promise<bigint> {
  const work = async (tx: Tx) => {
    const cash = await bankLedgerAccountId(tx, 'cash');
    const { entryId } = await postJournalEntry(tx, {
      kind: 'deposit',
      description: 'ｹﾞﾝｷﾝ ﾆﾕｳｷﾝ',
      valueDate: '2026-01-05',
      postedAt: at,
      postings: depositPostings({ cashLedgerAccountId: cash, customerLedgerAccountId: ledgerAccountId, amountYen }),
    });
    return entryId;
  };
  return db.isTransaction ? work(db as Tx) : (db as Db).transaction().execute(work);
}

export async function balanceOf(db: Db, ledgerAccountId: number): Promise<bigint> {
  const row = await db.selectFrom('ledger_account').select('balance_yen').where('id', '=', ledgerAccountId).executeTakeFirstOrThrow();
  return row.balance_yen;
}

/** A bank account's balance over all its rows (clearing and fee income are split, ./bank-accounts.ts). */
export async function bankBalanceOf(db: Db, kind: 'clearing' | 'fee_income' | 'cash'): Promise<bigint> {
  const row = await db.selectFrom('ledger_account').select((eb) => eb.fn.sum<string>('balance_yen').as('total')).where('kind', '=', kind).executeTakeFirstOrThrow();
  return BigInt(row.total ?? 0);
}

let keyCounter = 0;

export interface TransferRowInput {
  contract: LedgerContract;
  from: LedgerTestAccount;
  to: { bankCode: string; branchCode: string; accountType?: 'ordinary' | 'current' | 'savings'; accountNumber: string; nameKana?: string };
  amountYen: bigint;
  feeYen?: bigint;
  executionDate: string;
  status?: TransferStatus;
  createdBy?: number;
  sentBy?: number | null;
  payeeId?: number | null;
}

/** A transfer row as the transfer service leaves it once it is due to run (status 'scheduled'). */
export async function insertTransfer(db: Executor, input: TransferRowInput): Promise<Transfer> {
  keyCounter++;
  const now = new Date('2026-01-05T00:00:00Z');
  return db
    .insertInto('transfer')
    .values({
      contract_id: input.contract.contractId,
      created_by: input.createdBy ?? input.contract.operatorRef,
      idempotency_key: `ledger-test-${process.pid}-${keyCounter}`.padEnd(16, '0'),
      request_hash: 'test',
      from_account_id: input.from.accountId,
      payee_id: input.payeeId ?? null,
      to_bank_code: input.to.bankCode,
      to_branch_code: input.to.branchCode,
      to_account_type: input.to.accountType ?? 'ordinary',
      to_account_number: input.to.accountNumber,
      to_name_kana: input.to.nameKana ?? 'ﾔﾏﾀﾞ ﾀﾛｳ',
      amount_yen: input.amountYen,
      fee_yen: input.feeYen ?? 0n,
      execution_date: input.executionDate,
      status: input.status ?? 'scheduled',
      approvals_required: 0,
      sent_by: input.sentBy === undefined ? null : input.sentBy,
      sent_at: input.sentBy ? now : null,
      created_at: now,
      updated_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}
