import assert from 'node:assert/strict';
import { sql, type RawBuilder } from 'kysely';
import type { Executor, Tx } from '../../db/transaction.ts';
import type { BankLedgerAccountCode, JournalEntryKind, LedgerAccountKind } from '../../db/schema-ledger.ts';
import type { DateText } from '../../db/schema-transfers.ts';
import { applyPostings, assertBalanced, type PostingLine } from '../../domain/ledger.ts';

export interface JournalEntryInput {
  kind: JournalEntryKind;
  transferId?: bigint;
  /** The entry a reversal undoes (kind 'reversal' only; an entry is reversed at most once). */
  reversesEntryId?: bigint;
  /** The bulk file of a 'bulk' or 'bulk_return' entry (R8.4). */
  bulkFileId?: bigint;
  /** The statement's 摘要, half-width kana. */
  description: string;
  valueDate: DateText;
  postedAt: Date;
  postings: PostingLine[];
}

/** A customer's account would go below zero: nothing of the entry was written. */
export class InsufficientFundsError extends Error {
  readonly ledgerAccountId: number;
  constructor(ledgerAccountId: number) {
    super(`ledger account ${ledgerAccountId} has insufficient funds`);
    this.name = 'InsufficientFundsError';
    this.ledgerAccountId = ledgerAccountId;
  }
}

/**
 * Writes one journal entry and moves the balances of its accounts, in the caller's transaction
 * (house rules 2 and 8), in two statements whatever the number of postings:
 *
 * 1. the entry's ledger accounts are locked in id order (`SELECT … ORDER BY id FOR UPDATE`), so
 *    two entries that share accounts wait for each other instead of deadlocking, and their balances
 *    are read as they stand. If a customer's account would go below zero, InsufficientFundsError
 *    is thrown with nothing written, so the caller may go on in its transaction (e.g. to mark a
 *    transfer failed);
 * 2. one statement moves each balance, still conditional on a customer balance staying at or above
 *    zero (house rule 5), and inserts the entry and its postings, each posting with the balance just
 *    after it. The rows are ours since step 1, so the balances are the ones read there; this second
 *    statement's own snapshot, taken after the locks, sees them as they are.
 *
 * The database checks again at commit that the entry's postings sum to zero (migration 0005).
 *
 * Step 1 is skipped when the caller passes the entry's accounts as it locked them in this
 * transaction, in the same order, with balances not moved since (the claim of a transfer does,
 * ./claim.ts): the entry is then one statement.
 */
export interface PostOptions {
  locked?: LockedLedgerAccounts;
  /**
   * A write of the caller's change made in the statement of step 2, as a data-modifying CTE that
   * returns rows; their number is returned as `alongsideRows` (a new transfer's daily usage
   * reservation, decision 0031: the day's usage row is then locked from the posting on, not from
   * the transfer's insert).
   */
  alongside?: RawBuilder<unknown>;
}

export async function postJournalEntry(tx: Tx, entry: JournalEntryInput, options: PostOptions = {}): Promise<{ entryId: bigint; alongsideRows: number }> {
  assertBalanced(entry.postings);
  assert.equal(entry.kind === 'reversal', entry.reversesEntryId !== undefined, 'a reversal, and only a reversal, names the entry it reverses');
  const ids = [...new Set(entry.postings.map((p) => p.ledgerAccountId))].sort((a, b) => a - b);
  const given = options.locked;
  const locked = given !== undefined && ids.every((id) => given.has(id)) ? given : await lockLedgerAccounts(tx, ids);
  const before = new Map(ids.map((id) => [id, locked.get(id)!.balanceYen]));
  const { netYen, balanceAfterYen } = applyPostings(before, entry.postings);
  for (const id of ids) {
    if (locked.get(id)!.kind === 'customer' && before.get(id)! + netYen.get(id)! < 0n) throw new InsufficientFundsError(id);
  }

  const nets = [...netYen].map(([id, yen]) => sql`(${id}::int, ${yen}::int8)`);
  const lines = entry.postings.map(
    (p, index) => sql`(${index}::int, ${p.ledgerAccountId}::int, ${p.amountYen}::int8, ${balanceAfterYen[index]!}::int8, ${p.description ?? null}::text)`,
  );
  const result = await sql<{ entry_id: bigint; posted: bigint | number; moved: bigint | number; alongside_rows: bigint | number }>`
    WITH moved AS (
      UPDATE ledger_account la SET balance_yen = la.balance_yen + net.delta_yen
      FROM (VALUES ${sql.join(nets)}) AS net (id, delta_yen)
      WHERE la.id = net.id AND (la.kind <> 'customer' OR la.balance_yen + net.delta_yen >= 0)
      RETURNING la.id
    ),
    entry AS (
      INSERT INTO journal_entry (kind, transfer_id, reverses_entry_id, bulk_file_id, description, value_date, posted_at)
      VALUES (${entry.kind}, ${entry.transferId ?? null}::int8, ${entry.reversesEntryId ?? null}::int8, ${entry.bulkFileId ?? null}::int8, ${entry.description},
              ${entry.valueDate}::date, ${entry.postedAt}::timestamptz)
      RETURNING id
    ),
    posted AS (
      INSERT INTO posting (entry_id, ledger_account_id, amount_yen, balance_after_yen, description)
      SELECT entry.id, line.ledger_account_id, line.amount_yen, line.balance_after_yen, line.description
      FROM entry, (VALUES ${sql.join(lines)}) AS line (ord, ledger_account_id, amount_yen, balance_after_yen, description)
      ORDER BY line.ord
      RETURNING 1
    )${options.alongside === undefined ? sql`` : sql`,
    alongside AS (${options.alongside})`}
    SELECT (SELECT id FROM entry) AS entry_id, (SELECT count(*) FROM posted) AS posted, (SELECT count(*) FROM moved) AS moved,
      ${options.alongside === undefined ? sql`0` : sql`(SELECT count(*) FROM alongside)`} AS alongside_rows`.execute(tx);
  const row = result.rows[0]!;
  // The rows were locked and checked: a balance not moved is a broken invariant, rolled back.
  assert.ok(Number(row.moved) === ids.length && Number(row.posted) === entry.postings.length, 'every balance moved and every posting written');
  return { entryId: BigInt(row.entry_id), alongsideRows: Number(row.alongside_rows) };
}

/** Ledger accounts locked by this transaction, with their kind and their balance as it read them. */
export type LockedLedgerAccounts = ReadonlyMap<number, { kind: LedgerAccountKind; balanceYen: bigint }>;

/** Step 1 of postJournalEntry: the accounts locked in id order, read as they stand. */
async function lockLedgerAccounts(tx: Tx, ids: readonly number[]): Promise<LockedLedgerAccounts> {
  const { rows } = await sql<{ id: number; kind: LedgerAccountKind; balance_yen: bigint }>`
    SELECT id, kind, balance_yen FROM ledger_account WHERE id IN (${sql.join(ids)}) ORDER BY id FOR UPDATE`.execute(tx);
  assert.equal(rows.length, ids.length, 'every ledger account of the entry exists');
  return new Map(rows.map((row) => [row.id, { kind: row.kind, balanceYen: BigInt(row.balance_yen) }]));
}

/** The ledger account of a customer's account (every account has one, migration 0005). */
export async function customerLedgerAccountId(executor: Executor, accountId: number): Promise<number> {
  const row = await executor.selectFrom('ledger_account').select('id').where('account_id', '=', accountId).executeTakeFirst();
  assert.ok(row, `account ${accountId} has a ledger account`);
  return row.id;
}

/**
 * One of the bank's own ledger accounts: interbank clearing, fee income, or cash. For clearing and
 * fee income, which are split into rows (./bank-accounts.ts), this is their first row.
 */
export async function bankLedgerAccountId(executor: Executor, code: BankLedgerAccountCode): Promise<number> {
  const row = await executor.selectFrom('ledger_account').select('id').where('code', '=', code).executeTakeFirst();
  assert.ok(row, `the bank's ledger account ${code} exists`);
  return row.id;
}
