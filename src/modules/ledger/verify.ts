import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../../db/open.ts';
import type { Tx } from '../../db/transaction.ts';

/**
 * `npm run ledger -- verify` (R8.6): reconciles the ledger from its postings, which are immutable,
 * against the balances the service keeps, and the ledger against the transfers. All in one
 * read-only snapshot, so entries posted meanwhile (on PostgreSQL the service keeps running) are
 * either wholly seen or not at all.
 */
export interface LedgerFigures {
  ledgerAccounts: number;
  entries: number;
  postings: number;
  transfersCompleted: number;
  transfersFailed: number;
  customerBalancesYen: bigint;
  clearingBalanceYen: bigint;
  feeIncomeBalanceYen: bigint;
  cashBalanceYen: bigint;
  /** Every ledger account's balance added up: zero in a double-entry ledger. */
  totalYen: bigint;
}

export interface LedgerVerification {
  ok: boolean;
  problems: string[];
  figures: LedgerFigures;
}

/** Each check lists at most this many findings, then says how many more there are. */
export const problemsPerCheckMax = 20;

interface Check {
  /** What a row found means, as a line of the report. */
  describe: (row: Record<string, unknown>) => string;
  query: RawBuilder<Record<string, unknown>>;
}

const checks: Check[] = [
  {
    describe: (r) => `journal entry ${r.id}: ${r.lines} posting(s) summing to ${r.total} yen (must be two or more summing to zero)`,
    query: sql`SELECT e.id, count(p.id) AS lines, coalesce(sum(p.amount_yen), 0) AS total
      FROM journal_entry e LEFT JOIN posting p ON p.entry_id = e.id
      GROUP BY e.id HAVING count(p.id) < 2 OR coalesce(sum(p.amount_yen), 0) <> 0 ORDER BY e.id`,
  },
  {
    describe: (r) => `ledger account ${r.id} (${r.kind}): balance ${r.balance} yen, but its postings sum to ${r.posted} yen`,
    query: sql`SELECT la.id, la.kind, la.balance_yen AS balance, coalesce(sum(p.amount_yen), 0) AS posted
      FROM ledger_account la LEFT JOIN posting p ON p.ledger_account_id = la.id
      GROUP BY la.id HAVING la.balance_yen <> coalesce(sum(p.amount_yen), 0) ORDER BY la.id`,
  },
  {
    describe: (r) => `posting ${r.id} (ledger account ${r.account}): balance after ${r.recorded} yen recorded, ${r.running} yen by the postings before it`,
    query: sql`SELECT id, account, recorded, running FROM (
        SELECT id, ledger_account_id AS account, balance_after_yen AS recorded,
               sum(amount_yen) OVER (PARTITION BY ledger_account_id ORDER BY id) AS running
        FROM posting) chained
      WHERE recorded <> running ORDER BY id`,
  },
  {
    describe: (r) => `ledger account ${r.id}: a customer's balance below zero (${r.balance} yen)`,
    query: sql`SELECT id, balance_yen AS balance FROM ledger_account WHERE kind = 'customer' AND balance_yen < 0 ORDER BY id`,
  },
  {
    describe: (r) => `the balances of all ledger accounts sum to ${r.total} yen, not zero`,
    query: sql`SELECT total FROM (SELECT coalesce(sum(balance_yen), 0) AS total FROM ledger_account) t WHERE total <> 0`,
  },
  {
    describe: (r) => `account ${r.id} has no ledger account`,
    query: sql`SELECT a.id FROM account a LEFT JOIN ledger_account la ON la.account_id = a.id WHERE la.id IS NULL ORDER BY a.id`,
  },
  {
    describe: (r) => `transfer ${r.id} (${r.status}): ${r.posted} transfer entr(ies) and ${r.reversed} reversal(s) — ${expectation(String(r.status))}`,
    query: sql`SELECT t.id, t.status, count(e.id) FILTER (WHERE e.kind = 'transfer') AS posted, count(e.id) FILTER (WHERE e.kind = 'reversal') AS reversed
      FROM transfer t LEFT JOIN journal_entry e ON e.transfer_id = t.id
      GROUP BY t.id, t.status
      HAVING NOT CASE t.status
        WHEN 'completed' THEN count(e.id) FILTER (WHERE e.kind = 'transfer') = 1 AND count(e.id) FILTER (WHERE e.kind <> 'transfer') = 0
        WHEN 'failed' THEN (count(e.id) FILTER (WHERE e.kind = 'transfer'), count(e.id) FILTER (WHERE e.kind = 'reversal'), count(e.id)) IN ((0, 0, 0), (1, 1, 2))
        ELSE count(e.id) = 0 END
      ORDER BY t.id`,
  },
  {
    describe: (r) => `journal entry ${r.id} (${r.kind}): ${r.why}`,
    // A transfer entry names its transfer; a reversal names what its original names (a transfer's
    // or none, for a deposit corrected); no other entry names a transfer; a reversal is never reversed.
    query: sql`SELECT e.id, e.kind, CASE
        WHEN e.kind = 'transfer' AND e.transfer_id IS NULL THEN 'names no transfer'
        WHEN e.kind NOT IN ('transfer', 'reversal') AND e.transfer_id IS NOT NULL THEN 'names transfer ' || e.transfer_id
        WHEN o.kind = 'reversal' THEN 'reverses entry ' || o.id || ', itself a reversal'
        ELSE 'names transfer ' || coalesce(e.transfer_id::text, 'none') || ' but reverses entry ' || o.id || ' of transfer ' || coalesce(o.transfer_id::text, 'none') END AS why
      FROM journal_entry e LEFT JOIN journal_entry o ON o.id = e.reverses_entry_id
      WHERE (e.kind = 'transfer' AND e.transfer_id IS NULL)
         OR (e.kind NOT IN ('transfer', 'reversal') AND e.transfer_id IS NOT NULL)
         OR (e.kind = 'reversal' AND (o.kind = 'reversal' OR o.transfer_id IS DISTINCT FROM e.transfer_id))
      ORDER BY e.id`,
  },
  {
    describe: (r) => `reversal entry ${r.id} does not undo entry ${r.original} exactly (ledger account ${r.account} is off by ${r.off_yen} yen)`,
    query: sql`SELECT r.id, r.reverses_entry_id AS original, diff.account, diff.yen AS off_yen
      FROM journal_entry r
      CROSS JOIN LATERAL (
        SELECT ledger_account_id AS account, sum(amount_yen) AS yen FROM posting
        WHERE entry_id IN (r.id, r.reverses_entry_id) GROUP BY ledger_account_id HAVING sum(amount_yen) <> 0
      ) diff
      WHERE r.kind = 'reversal'
      ORDER BY r.id, diff.account`,
  },
  {
    describe: (r) =>
      `transfer ${r.transfer} posted as entry ${r.id} does not move its amount and fee (paying account ${r.paid} yen for ${r.expected}, fee income ${r.fee} yen for ${r.fee_expected})`,
    query: sql`SELECT e.id, t.id AS transfer,
             coalesce(sum(p.amount_yen) FILTER (WHERE p.ledger_account_id = src.id AND p.amount_yen < 0), 0) AS paid, -(t.amount_yen + t.fee_yen) AS expected,
             coalesce(sum(p.amount_yen) FILTER (WHERE la.kind = 'fee_income'), 0) AS fee, t.fee_yen AS fee_expected
      FROM journal_entry e
      JOIN transfer t ON t.id = e.transfer_id
      JOIN ledger_account src ON src.account_id = t.from_account_id
      JOIN posting p ON p.entry_id = e.id
      JOIN ledger_account la ON la.id = p.ledger_account_id
      WHERE e.kind = 'transfer'
      GROUP BY e.id, t.id, t.amount_yen, t.fee_yen
      HAVING coalesce(sum(p.amount_yen) FILTER (WHERE p.ledger_account_id = src.id AND p.amount_yen < 0), 0) <> -(t.amount_yen + t.fee_yen)
          OR coalesce(sum(p.amount_yen) FILTER (WHERE la.kind = 'fee_income'), 0) <> t.fee_yen
      ORDER BY e.id`,
  },
  // R8.3: a payment's entry takes exactly its amount from the account it was paid from, and every
  // payment entry belongs to one payment.
  {
    describe: (r) => `payment ${r.payment ?? '(none)'} posted as entry ${r.id} takes ${r.paid} yen from its paying account for ${r.expected}`,
    query: sql`SELECT e.id, pm.id AS payment, coalesce(sum(p.amount_yen) FILTER (WHERE p.ledger_account_id = src.id), 0) AS paid, -pm.amount_yen AS expected
      FROM journal_entry e
      LEFT JOIN payment pm ON pm.entry_id = e.id
      LEFT JOIN ledger_account src ON src.account_id = pm.from_account_id
      JOIN posting p ON p.entry_id = e.id
      WHERE e.kind = 'payment'
      GROUP BY e.id, pm.id, pm.amount_yen
      HAVING pm.id IS NULL OR coalesce(sum(p.amount_yen) FILTER (WHERE p.ledger_account_id = src.id), 0) <> -pm.amount_yen
      ORDER BY e.id`,
  },
  // R8.4: a bulk file is posted once when it has gone out (posted, completed) and never otherwise; its
  // entry moves the total and the fees out of its paying account; each returned record has one return
  // entry and every return entry one returned record.
  {
    describe: (r) => `bulk file ${r.id} (${r.status}): ${r.posted} bulk entr(ies), ${r.returns} return entr(ies) for ${r.returned} returned record(s)`,
    query: sql`SELECT f.id, f.status,
             (SELECT count(*) FROM journal_entry e WHERE e.bulk_file_id = f.id AND e.kind = 'bulk') AS posted,
             (SELECT count(*) FROM journal_entry e WHERE e.bulk_file_id = f.id AND e.kind = 'bulk_return') AS returns,
             (SELECT count(*) FROM bulk_record r WHERE r.file_id = f.id AND r.status = 'returned' AND r.return_entry_id IS NOT NULL) AS returned
      FROM bulk_file f
      WHERE (SELECT count(*) FROM journal_entry e WHERE e.bulk_file_id = f.id AND e.kind = 'bulk') <> CASE WHEN f.status IN ('posted', 'completed') THEN 1 ELSE 0 END
         OR (SELECT count(*) FROM journal_entry e WHERE e.bulk_file_id = f.id AND e.kind = 'bulk_return')
            <> (SELECT count(*) FROM bulk_record r WHERE r.file_id = f.id AND r.status = 'returned' AND r.return_entry_id IS NOT NULL)
      ORDER BY f.id`,
  },
  {
    describe: (r) => `bulk file ${r.file} posted as entry ${r.id} takes ${r.paid} yen from its paying account, not its total and fees (${r.expected} yen)`,
    query: sql`SELECT e.id, f.id AS file, coalesce(sum(p.amount_yen) FILTER (WHERE p.ledger_account_id = src.id), 0) AS paid, -(f.total_yen + f.fee_yen) AS expected
      FROM journal_entry e
      JOIN bulk_file f ON f.id = e.bulk_file_id
      JOIN ledger_account src ON src.account_id = f.from_account_id
      JOIN posting p ON p.entry_id = e.id
      WHERE e.kind = 'bulk'
      GROUP BY e.id, f.id, f.total_yen, f.fee_yen
      HAVING coalesce(sum(p.amount_yen) FILTER (WHERE p.ledger_account_id = src.id), 0) <> -(f.total_yen + f.fee_yen)
      ORDER BY e.id`,
  },
];

function expectation(status: string): string {
  if (status === 'completed') return 'a completed transfer is posted once and never reversed';
  if (status === 'failed') return 'a failed transfer is either never posted or posted once and reversed once';
  return 'a transfer that has not run is not posted';
}

export async function verifyLedger(db: Db): Promise<LedgerVerification> {
  return db.transaction().setIsolationLevel('repeatable read').setAccessMode('read only').execute(verifyInSnapshot);
}

async function verifyInSnapshot(tx: Tx): Promise<LedgerVerification> {
  const problems: string[] = [];
  for (const check of checks) {
    const limited = sql<Record<string, unknown>>`SELECT * FROM (${check.query}) found LIMIT ${problemsPerCheckMax + 1}`;
    const rows = (await limited.execute(tx)).rows;
    for (const row of rows.slice(0, problemsPerCheckMax)) problems.push(check.describe(row));
    if (rows.length > problemsPerCheckMax) {
      const { count } = (await sql<{ count: bigint }>`SELECT count(*) AS count FROM (${check.query}) found`.execute(tx)).rows[0]!;
      problems.push(`… and ${BigInt(count) - BigInt(problemsPerCheckMax)} more like the one above`);
    }
  }
  return { ok: problems.length === 0, problems, figures: await figuresOf(tx) };
}

async function figuresOf(tx: Tx): Promise<LedgerFigures> {
  const row = (
    await sql<Record<string, bigint | number>>`
      SELECT
        (SELECT count(*) FROM ledger_account) AS ledger_accounts,
        (SELECT count(*) FROM journal_entry) AS entries,
        (SELECT count(*) FROM posting) AS postings,
        (SELECT count(*) FROM transfer WHERE status = 'completed') AS completed,
        (SELECT count(*) FROM transfer WHERE status = 'failed') AS failed,
        (SELECT coalesce(sum(balance_yen), 0) FROM ledger_account WHERE kind = 'customer') AS customers,
        (SELECT coalesce(sum(balance_yen), 0) FROM ledger_account WHERE kind = 'clearing') AS clearing,
        (SELECT coalesce(sum(balance_yen), 0) FROM ledger_account WHERE kind = 'fee_income') AS fee_income,
        (SELECT coalesce(sum(balance_yen), 0) FROM ledger_account WHERE kind = 'cash') AS cash,
        (SELECT coalesce(sum(balance_yen), 0) FROM ledger_account) AS total`.execute(tx)
  ).rows[0]!;
  // count(*) is int8 and sum(int8) numeric: both arrive as text or bigint depending on the driver.
  const yen = (value: unknown) => BigInt(String(value));
  return {
    ledgerAccounts: Number(row.ledger_accounts),
    entries: Number(row.entries),
    postings: Number(row.postings),
    transfersCompleted: Number(row.completed),
    transfersFailed: Number(row.failed),
    customerBalancesYen: yen(row.customers),
    clearingBalanceYen: yen(row.clearing),
    feeIncomeBalanceYen: yen(row.fee_income),
    cashBalanceYen: yen(row.cash),
    totalYen: yen(row.total),
  };
}
