import assert from 'node:assert/strict';
import { sql, type RawBuilder } from 'kysely';
import type { Executor, Tx } from '../../db/transaction.ts';
import type { BankLedgerAccountCode, JournalEntryKind } from '../../db/schema-ledger.ts';
import type { DateText } from '../../db/schema-transfers.ts';
import { assertBalanced, netMoves, type PostingLine } from '../../domain/ledger.ts';

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
 * (house rules 2 and 8), in one statement whatever the number of postings (decision 0031):
 *
 * - `locked`: the entry's ledger accounts are locked in id order (`SELECT … ORDER BY id FOR
 *   UPDATE`), so two entries that share accounts wait for each other instead of deadlocking. A row
 *   another transaction moved is locked and returned as that one committed it, not as this
 *   statement's snapshot saw it, so the balances read are the ones the entry moves;
 * - `short_of_funds`: the customer's accounts the entry would take below zero (house rules 2 and 5).
 *   If there is one, nothing is written — no balance, entry, posting or `alongside` write — and
 *   InsufficientFundsError names the first in id order, so the caller may go on in its transaction
 *   (e.g. to mark a transfer failed);
 * - otherwise each balance moves and the entry and its postings are inserted, each posting with
 *   the balance just after it, from the locked balance: postings on one account apply in their
 *   order.
 *
 * The UPDATE sets each balance to the locked one plus the move, and names its rows by id only. It
 * scans the table as the statement's snapshot saw it, before `locked` waited for another posting to
 * commit: a condition on the row's balance would be judged on that older version, and a row that
 * passes it only as the other posting left it would be skipped without a word; a new balance
 * computed from that version (`la.balance_yen + delta`) would be checked against the table's CHECK
 * before PostgreSQL finds the newer version and computes again, and refused. Both happened on
 * PostgreSQL (test/ledger/posting-race.test.ts) and are why this was two statements (decision
 * 0011). Computed from `locked`, the balance is the same on either version. The gate is
 * `short_of_funds`, judged on the locked rows; a customer's balance below zero is refused again by
 * the table's CHECK. The database checks again at commit that the entry's postings sum to zero
 * (migration 0005).
 */
export interface PostOptions {
  /**
   * A write of the caller's change made in the same statement, as a data-modifying CTE that
   * returns rows; their number is returned as `alongsideRows` (a new transfer's daily usage
   * reservation, decision 0031: the day's usage row is then locked from the posting on, not from
   * the transfer's insert). It is given the condition that the entry is posted (the funds suffice),
   * and must write nothing when it is false. Its locks come after the ledger accounts': the
   * condition is evaluated, and the accounts locked, before it writes.
   */
  alongside?: (posted: RawBuilder<boolean>) => RawBuilder<unknown>;
}

export async function postJournalEntry(tx: Tx, entry: JournalEntryInput, options: PostOptions = {}): Promise<{ entryId: bigint; alongsideRows: number }> {
  assertBalanced(entry.postings);
  assert.equal(entry.kind === 'reversal', entry.reversesEntryId !== undefined, 'a reversal, and only a reversal, names the entry it reverses');
  const netYen = netMoves(entry.postings);
  const nets = [...netYen].map(([id, yen]) => sql`(${id}::int, ${yen}::int8)`);
  const lines = entry.postings.map((p, index) => sql`(${index}::int, ${p.ledgerAccountId}::int, ${p.amountYen}::int8, ${p.description ?? null}::text)`);
  // Every write below runs only when the funds suffice: a one-time condition of its statement,
  // evaluated before it writes, so it also takes the ledger accounts' locks first.
  const posts = sql<boolean>`NOT EXISTS (SELECT 1 FROM short_of_funds)`;
  const alongside = options.alongside?.(posts);
  const result = await sql<{ locked: bigint | number; short_of_funds: number | null; entry_id: bigint | null; posted: bigint | number; moved: bigint | number; alongside_rows: bigint | number }>`
    WITH net (id, delta_yen) AS (VALUES ${sql.join(nets)}),
    locked AS MATERIALIZED (
      SELECT id, kind, balance_yen FROM ledger_account WHERE id IN (${sql.join([...netYen.keys()])}) ORDER BY id FOR NO KEY UPDATE
    ),
    short_of_funds AS MATERIALIZED (
      SELECT locked.id FROM locked JOIN net USING (id) WHERE locked.kind = 'customer' AND locked.balance_yen + net.delta_yen < 0
    ),
    moved AS (
      UPDATE ledger_account la SET balance_yen = locked.balance_yen + net.delta_yen
      FROM locked JOIN net USING (id)
      WHERE la.id = locked.id AND ${posts}
      RETURNING la.id
    ),
    entry AS (
      INSERT INTO journal_entry (kind, transfer_id, reverses_entry_id, bulk_file_id, description, value_date, posted_at)
      SELECT ${entry.kind}, ${entry.transferId ?? null}::int8, ${entry.reversesEntryId ?? null}::int8, ${entry.bulkFileId ?? null}::int8, ${entry.description},
             ${entry.valueDate}::date, ${entry.postedAt}::timestamptz
      WHERE ${posts}
      RETURNING id
    ),
    posted AS (
      INSERT INTO posting (entry_id, ledger_account_id, amount_yen, balance_after_yen, description)
      SELECT entry.id, line.ledger_account_id, line.amount_yen,
             (locked.balance_yen + sum(line.amount_yen) OVER (PARTITION BY line.ledger_account_id ORDER BY line.ord))::int8, line.description
      FROM entry, (VALUES ${sql.join(lines)}) AS line (ord, ledger_account_id, amount_yen, description)
      JOIN locked ON locked.id = line.ledger_account_id
      ORDER BY line.ord
      RETURNING 1
    )${alongside === undefined ? sql`` : sql`,
    alongside AS (${alongside})`}
    SELECT (SELECT count(*) FROM locked) AS locked, (SELECT min(id) FROM short_of_funds) AS short_of_funds,
      (SELECT id FROM entry) AS entry_id, (SELECT count(*) FROM posted) AS posted, (SELECT count(*) FROM moved) AS moved,
      ${alongside === undefined ? sql`0` : sql`(SELECT count(*) FROM alongside)`} AS alongside_rows`.execute(tx);
  const row = result.rows[0]!;
  assert.equal(Number(row.locked), netYen.size, 'every ledger account of the entry exists');
  if (row.short_of_funds !== null) {
    assert.ok(row.entry_id === null && Number(row.moved) === 0 && Number(row.alongside_rows) === 0, 'a refused entry writes nothing');
    throw new InsufficientFundsError(row.short_of_funds);
  }
  // The rows were locked and checked: a balance not moved is a broken invariant, rolled back.
  assert.ok(Number(row.moved) === netYen.size && Number(row.posted) === entry.postings.length, 'every balance moved and every posting written');
  return { entryId: BigInt(row.entry_id!), alongsideRows: Number(row.alongside_rows) };
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
