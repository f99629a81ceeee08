import type { Executor } from '../../db/transaction.ts';
import type { AccountType } from '../../db/schema.ts';
import type { DateText } from '../../db/schema-transfers.ts';
import type { JournalEntryKind } from '../../db/schema-ledger.ts';

/**
 * The inquiry's reads (R8.1). Every query takes the contract ID and the account IDs the person may
 * use: an account of another contract, a closed one or one not linked to the person cannot be read
 * through here.
 */
export interface AccountBalance {
  id: number;
  branchCode: string;
  /** The bank's own name of the branch, when the bank has registered it. */
  branchName: string | null;
  accountType: AccountType;
  accountNumber: string;
  holderKana: string;
  ledgerAccountId: number;
  balanceYen: bigint;
}

/** What an account's line with its balance shows: the account, its branch's name and its ledger balance. */
export const accountBalanceColumns = [
  'account.id',
  'account.branch_code',
  'own_branch.name as branch_name',
  'account.account_type',
  'account.account_number',
  'account.holder_kana',
  'ledger_account.id as ledger_account_id',
  'ledger_account.balance_yen',
] as const;

export async function accountBalances(executor: Executor, contractId: string, accountIds: readonly number[]): Promise<AccountBalance[]> {
  if (accountIds.length === 0) return [];
  const rows = await executor
    .selectFrom('account')
    // Every account has its ledger account (migration 0005), made with the account.
    .innerJoin('ledger_account', 'ledger_account.account_id', 'account.id')
    .leftJoin('own_branch', 'own_branch.code', 'account.branch_code')
    .select(accountBalanceColumns)
    .where('account.contract_id', '=', contractId)
    .where('account.closed_at', 'is', null)
    .where('account.id', 'in', accountIds)
    // The order the users pages list them in (users/repository.ts: contractAccounts).
    .orderBy('account.branch_code')
    .orderBy('account.account_number')
    .orderBy('account.account_type')
    .execute();
  return rows.map((row) => ({
    id: row.id,
    branchCode: row.branch_code,
    branchName: row.branch_name,
    accountType: row.account_type,
    accountNumber: row.account_number,
    holderKana: row.holder_kana,
    ledgerAccountId: row.ledger_account_id,
    balanceYen: row.balance_yen,
  }));
}

export interface StatementLine {
  postingId: bigint;
  valueDate: DateText;
  kind: JournalEntryKind;
  /** The transfer a line belongs to (its amount, its fee, their reversal), so a line reconciles with it; null for others. */
  transferId: bigint | null;
  description: string;
  /** + a deposit [お預入れ], − a withdrawal [お引出し]. */
  amountYen: bigint;
  balanceAfterYen: bigint;
}

export interface StatementSlice {
  offset: number;
  limit: number;
}

/**
 * An account's postings in a period: one range of the index on (account, value date, id) of
 * migration 0016, whose value date each posting carries from its entry — not the account's whole
 * history joined to its entries.
 */
function postingsOf(executor: Executor, ledgerAccountId: number, from: DateText, to: DateText) {
  return executor
    .selectFrom('posting')
    .where('posting.ledger_account_id', '=', ledgerAccountId)
    .where('posting.value_date', '>=', from)
    .where('posting.value_date', '<=', to);
}

function linesOf(executor: Executor, ledgerAccountId: number, from: DateText, to: DateText) {
  return postingsOf(executor, ledgerAccountId, from, to).innerJoin('journal_entry', 'journal_entry.id', 'posting.entry_id');
}

async function countStatementLines(executor: Executor, ledgerAccountId: number, from: DateText, to: DateText): Promise<number> {
  const row = await postingsOf(executor, ledgerAccountId, from, to)
    .select((eb) => eb.fn.countAll<string | number | bigint>().as('lines'))
    .executeTakeFirstOrThrow();
  return Number(row.lines);
}

function selectedLines(executor: Executor, ledgerAccountId: number, from: DateText, to: DateText, slice: StatementSlice) {
  return linesOf(executor, ledgerAccountId, from, to)
    .select([
      'posting.id',
      'posting.value_date',
      'journal_entry.kind',
      'journal_entry.transfer_id',
      // The account's own 摘要 where the entry has one per account (the payee sees the sender).
      (eb) => eb.fn.coalesce('posting.description', 'journal_entry.description').as('description'),
      'posting.amount_yen',
      'posting.balance_after_yen',
    ])
    .orderBy('posting.id')
    .offset(slice.offset)
    .limit(slice.limit);
}

type LineRow = Awaited<ReturnType<ReturnType<typeof selectedLines>['execute']>>[number];

function lineOf(row: LineRow): StatementLine {
  return {
    postingId: row.id,
    valueDate: row.value_date,
    kind: row.kind,
    transferId: row.transfer_id,
    description: row.description,
    amountYen: row.amount_yen,
    balanceAfterYen: row.balance_after_yen,
  };
}

/**
 * The postings of one account in a period, in the order the ledger made them: the order in which
 * each balance after [残高] follows from the one before, as a passbook prints them (oldest first,
 * newest last).
 */
export async function statementLines(executor: Executor, ledgerAccountId: number, from: DateText, to: DateText, slice: StatementSlice): Promise<StatementLine[]> {
  return (await selectedLines(executor, ledgerAccountId, from, to, slice).execute()).map(lineOf);
}

/**
 * A slice of the statement with the number of lines in the whole period, counted in the same
 * statement from the postings' index alone: a page costs one round trip, not two. A slice past the
 * last line returns no row to carry the count, so the count is then read alone.
 */
export async function statementSliceAndTotal(
  executor: Executor,
  ledgerAccountId: number,
  from: DateText,
  to: DateText,
  slice: StatementSlice,
): Promise<{ lines: StatementLine[]; total: number }> {
  const rows = await selectedLines(executor, ledgerAccountId, from, to, slice)
    .select(postingsOf(executor, ledgerAccountId, from, to).select((eb) => eb.fn.countAll<string | number | bigint>().as('lines')).as('lines_in_period'))
    .execute();
  const total = rows.length > 0 ? Number(rows[0]!.lines_in_period) : await countStatementLines(executor, ledgerAccountId, from, to);
  return { lines: rows.map(lineOf), total };
}
