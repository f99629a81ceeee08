import { sql } from 'kysely';
import type { Db } from '../../src/db/open.ts';
import { addDays } from '../../src/domain/business-days.ts';

/**
 * The ledger behind `npm run bench:pages`: `postings` postings (half as many deposit entries of two
 * postings each: the bank's cash account −amount, a customer account +amount), written set-based
 * (`INSERT … SELECT … generate_series`) in batches, so that the checks of the ledger (the
 * per-statement balance trigger of migration 0010 and the deferred per-entry one of migration
 * 0005) run as they would for the service, one batch's worth at each commit.
 *
 * Most entries go to filler accounts of a contract of their own; every `stride`-th goes to one of
 * the benched accounts in turn, so that each of those gets about `benchedEntriesEach` over the year
 * — about 80 in the statement page's default 30 days, a full page of 50 and part of a second.
 * Value dates run from a year ago to today in the order of the ids, so each account's
 * `balance_after_yen` follows from the one before in id order, as the ledger makes them, and the
 * balances of the accounts agree with their last posting (`npm run ledger -- verify` checks both).
 */
export interface PagesLedgerShape {
  postings: number;
  /** Open accounts of the benched contracts, each linked to its master: the statement page's accounts. */
  benchedContracts: { contractId: string; masterRef: number }[];
  /** The last value date (Tokyo), normally today. */
  today: string;
}

export interface PagesLedger {
  /** The statement page's account of each benched contract. */
  accountOf: Map<string, number>;
  postings: number;
  entries: number;
  fillerAccounts: number;
  seconds: number;
}

/** Deposits per benched account over the year: about 80 fall in the last 30 days. */
const benchedEntriesEach = 1_000;
const fillerAccountCount = 1_000;

/** The smallest ledger in which every benched account still gets its year of deposits (a development size). */
export function pagesLedgerPostingsMin(benchedAccounts: number): number {
  return 2 * benchedAccounts * benchedEntriesEach;
}
/** Entries per transaction: big enough that a batch is mostly insert work, small enough to keep the deferred trigger queue modest. */
const entriesPerBatch = 250_000;
const ledgerDays = 365;
const fillerContractId = '99999999999';

export async function fillPagesLedger(db: Db, shape: PagesLedgerShape): Promise<PagesLedger> {
  const started = performance.now();
  const now = new Date();
  const entries = Math.floor(shape.postings / 2);
  const accountOf = await openBenchedAccounts(db, shape.benchedContracts, now);
  const benched = [...accountOf.values()];
  const filler = await openFillerAccounts(db, now);
  const ledgerIdsOf = async (accountIds: number[]) =>
    (await db.selectFrom('ledger_account').select('id').where('account_id', 'in', accountIds).orderBy('id').execute()).map((row) => row.id);
  const benchedLedger = await ledgerIdsOf(benched);
  const fillerLedger = await ledgerIdsOf(filler);
  const cash = (await db.selectFrom('ledger_account').select('id').where('code', '=', 'cash').executeTakeFirstOrThrow()).id;
  const stride = Math.max(1, Math.floor(entries / (benched.length * benchedEntriesEach)));
  const firstDate = addDays(shape.today, -(ledgerDays - 1));

  // Ids are given explicitly (entry n, postings 2n and 2n+1 after what exists), so a posting knows its
  // entry without a round trip; the identity sequences are moved past them at the end.
  const bases = (
    await sql<{ entry: string; posting: string }>`
      SELECT (SELECT coalesce(max(id), 0) FROM journal_entry) AS entry, (SELECT coalesce(max(id), 0) FROM posting) AS posting`.execute(db)
  ).rows[0]!;
  const entryBase = BigInt(bases.entry);
  const postingBase = BigInt(bases.posting);

  for (let from = 0; from < entries; from += entriesPerBatch) {
    const to = Math.min(entries, from + entriesPerBatch) - 1;
    await db.transaction().execute(async (tx) => {
      await sql`
        INSERT INTO journal_entry (id, kind, description, value_date, posted_at) OVERRIDING SYSTEM VALUE
        SELECT ${entryBase} + n, 'deposit', 'ﾆﾕｳｷﾝ', d, d + time '09:00'
        FROM generate_series(${from}::bigint, ${to}::bigint) AS n,
          LATERAL (SELECT ${firstDate}::date + (n * ${ledgerDays} / ${entries})::int AS d) AS day
        ORDER BY n`.execute(tx);
      // Amounts vary (1,000 to 9,900 yen) so a wrong running balance shows; a balance after is the
      // account's balance before the batch plus its amounts so far in id order.
      await sql`
        INSERT INTO posting (id, entry_id, ledger_account_id, amount_yen, balance_after_yen) OVERRIDING SYSTEM VALUE
        SELECT line.id, line.entry_id, line.account, line.amount,
          ledger_account.balance_yen + sum(line.amount) OVER (PARTITION BY line.account ORDER BY line.id)
        FROM (
          SELECT ${postingBase} + 2 * n + side + 1 AS id, ${entryBase} + n AS entry_id,
            CASE WHEN side = 0 THEN ${cash}::int
                 WHEN n % ${stride} = 0 THEN (${benchedLedger}::int[])[1 + (n / ${stride}) % ${benchedLedger.length}]
                 ELSE (${fillerLedger}::int[])[1 + n % ${fillerLedger.length}] END AS account,
            (CASE WHEN side = 0 THEN -1 ELSE 1 END) * (1000 + (n % 90) * 100) AS amount
          FROM generate_series(${from}::bigint, ${to}::bigint) AS n, (VALUES (0), (1)) AS sides (side)
        ) AS line
        JOIN ledger_account ON ledger_account.id = line.account
        ORDER BY line.id`.execute(tx);
      await sql`
        UPDATE ledger_account SET balance_yen = balance_yen + batch.total
        FROM (SELECT ledger_account_id, sum(amount_yen) AS total FROM posting
              WHERE id BETWEEN ${postingBase} + 2 * ${from} + 1 AND ${postingBase} + 2 * ${to} + 2 GROUP BY ledger_account_id) AS batch
        WHERE ledger_account.id = batch.ledger_account_id`.execute(tx);
    });
  }
  await sql`SELECT setval(pg_get_serial_sequence('journal_entry', 'id'), (SELECT max(id) FROM journal_entry)),
                   setval(pg_get_serial_sequence('posting', 'id'), (SELECT max(id) FROM posting))`.execute(db);
  // Fresh statistics, as autovacuum would have them on a ledger this size: the planner needs them.
  await sql`ANALYZE journal_entry, posting, ledger_account, account`.execute(db);
  return { accountOf, postings: entries * 2, entries, fillerAccounts: filler.length, seconds: (performance.now() - started) / 1000 };
}

/** One ordinary account per benched contract, linked to its master (the master may use every account anyway, R1.4). */
async function openBenchedAccounts(db: Db, contracts: PagesLedgerShape['benchedContracts'], now: Date): Promise<Map<string, number>> {
  await db.insertInto('own_branch').values({ code: '001', name: '本店', name_kana: 'ﾎﾝﾃﾝ' }).onConflict((oc) => oc.column('code').doNothing()).execute();
  const accountOf = new Map<string, number>();
  for (const [i, contract] of contracts.entries()) {
    const account = await db
      .insertInto('account')
      .values({ contract_id: contract.contractId, branch_code: '001', account_type: 'ordinary', account_number: `1${String(i).padStart(6, '0')}`, holder_kana: 'ﾍﾞﾝﾁ(ｶ', opened_at: now })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db.insertInto('user_account').values({ user_ref: contract.masterRef, account_id: account.id }).execute();
    accountOf.set(contract.contractId, account.id);
  }
  return accountOf;
}

/** The accounts most postings go to: a contract of their own that no benched person can see. */
async function openFillerAccounts(db: Db, now: Date): Promise<number[]> {
  await db.insertInto('contract').values({ id: fillerContractId, company_name: 'ﾌｲﾗｰ', lock_mode: 'unlinked', created_at: now }).execute();
  const rows = await sql<{ id: number }>`
    INSERT INTO account (contract_id, branch_code, account_type, account_number, holder_kana, opened_at)
    SELECT ${fillerContractId}, '001', 'ordinary', '9' || lpad(n::text, 6, '0'), 'ﾌｲﾗｰ', ${now}
    FROM generate_series(1, ${fillerAccountCount}) AS n
    RETURNING id`.execute(db);
  return rows.rows.map((row) => row.id);
}
