import pg from 'pg';
import { hashSecret } from '../../src/auth/password-hash.ts';
import { isValidContractId } from '../../src/domain/contract-id.ts';

/**
 * Grows a migrated database to a given number of contracts, people and postings with set-based
 * SQL (`INSERT … SELECT … FROM generate_series`), so that a million people and ten million
 * postings take minutes. What it makes is what the service's own use cases would leave behind,
 * minus the audit trail and the mail of their making:
 *
 * - contracts with valid IDs (11 digits, the last a Luhn check digit: R1.1, decision 0003);
 * - their people, the first of each contract its master (one argon2id hash, computed once, for all
 *   their passwords), each with the inquiry permission, a grid card and both of the contract's
 *   accounts. The cards are sealed once for another serial, so they cannot be opened: generated
 *   people never log on; the ones a benchmark measures are made through the use cases instead;
 * - two accounts per contract, each with its ledger account (made by the database's own trigger,
 *   migration 0005);
 * - deposits: journal entries of two postings (cash → a customer's account, round robin over the
 *   generated accounts), dated over the year before today, with `balance_after_yen` and the
 *   ledger accounts' balances carried forward.
 *
 * The database's guards stay on (migration 0005 and 0010: every batch of postings is checked to
 * balance at the end of its statement, every entry to have postings at commit; foreign keys and
 * the append-only triggers as always): a batch the guards refuse stops the growth. Batches keep
 * each transaction's deferred checks and sort bounded. `checkGeneratedLedger` then compares each
 * account's balance with its last posting's balance after, set-based.
 */
export interface ScaleSize {
  contracts: number;
  users: number;
  postings: number;
}

/** The generated contracts' IDs are `2` followed by nine digits of their number and the check digit. */
const generatedIdBody = 2_000_000_000;
/** Account numbers 0000001–8999999 are the generated ones; a benchmark's own accounts use 9xxxxxx. */
export const generatedAccountNumberMax = 8_999_999;
const accountsPerContract = 2;
/** Postings per batch: each batch is one transaction, its guards checked at its end. */
const postingsPerBatch = Number(process.env.BENCH_SCALE_BATCH_POSTINGS ?? 1_000_000);
const generatedPassword = 'Scale2026pass';
/** Where generated rows are told apart from everything else in the database. */
const generatedCompany = 'スケール商事';

/** How the growth tells its progress: each step's time and rows, and notes on how it works. */
export interface Report {
  step(name: string, seconds: number, rows: number): void;
  note(line: string): void;
}

export interface ScaleCounts extends ScaleSize {
  /** Accounts of generated contracts, each with its ledger account. */
  accounts: number;
}

/** Counts of the whole database: what the benchmark reports as its size. */
export async function countScale(client: pg.Client): Promise<ScaleCounts> {
  const row = (
    await client.query(`SELECT (SELECT count(*) FROM contract)::int AS contracts, (SELECT count(*) FROM users)::int AS users,
      (SELECT count(*) FROM posting)::int AS postings, (SELECT count(*) FROM account)::int AS accounts`)
  ).rows[0];
  return row as ScaleCounts;
}

/**
 * Adds generated contracts, people and postings until the database holds `target` of each (counts
 * of whole tables, so what a benchmark made through the use cases counts too). `sealedCard` is
 * a grid card's sealed digits to reuse. Reports each step's time.
 */
export async function growTo(client: pg.Client, target: ScaleSize, sealedCard: string, report: Report): Promise<void> {
  const start = await countScale(client);
  const step = async (name: string, run: () => Promise<number>) => {
    const began = performance.now();
    const rows = await run();
    report.step(name, (performance.now() - began) / 1000, rows);
  };
  const generatedBefore = Number((await client.query(`SELECT count(*) FROM contract WHERE company_name LIKE '${generatedCompany}%'`)).rows[0].count);
  const newContracts = Math.max(0, target.contracts - start.contracts);
  const firstNew = generatedBefore + 1;
  const lastNew = generatedBefore + newContracts;
  if (lastNew >= 1_000_000_000 || lastNew * accountsPerContract > generatedAccountNumberMax) throw new Error(`too many contracts to generate: ${lastNew}`);

  await step('contracts', async () => {
    const result = await client.query(
      `INSERT INTO contract (id, company_name, created_at)
       SELECT body || luhn.digit, '${generatedCompany}' || n, now() - interval '2 years'
       FROM generate_series($1::int, $2::int) n
       CROSS JOIN LATERAL (SELECT ($3::bigint + n)::text AS body) b
       CROSS JOIN LATERAL (${luhnCheckDigitSql('body')}) luhn`,
      [firstNew, lastNew, generatedIdBody],
    );
    return result.rowCount ?? 0;
  });

  const newUsers = Math.max(0, target.users - start.users);
  if (newContracts === 0 && newUsers > 0) throw new Error('people are generated into new contracts only: grow the contracts too');
  const usersBefore = Number((await client.query('SELECT coalesce(max(id), 0) AS m FROM users')).rows[0].m);
  await step('people (one password hash for all)', async () => {
    const hash = await hashSecret(generatedPassword);
    // Person k goes to new contract k mod n: the first round are the masters, then u1, u2, …
    const result = await client.query(
      `INSERT INTO users (contract_id, user_id, display_name, role, email, login_password_hash, login_password_changed_at,
                          confirmation_password_hash, confirmation_password_changed_at, email_confirmed_at, created_at)
       SELECT c.id, CASE WHEN k < $2 THEN 'master' ELSE 'u' || (k / $2) END, 'スケール ' || k,
              CASE WHEN k < $2 THEN 'master' ELSE 'user' END, 'p' || k || '.' || c.id || '@scale.example',
              $3, now() - interval '1 year', $3, now() - interval '1 year', now() - interval '1 year', now() - interval '2 years'
       FROM generate_series(0, $1::int - 1) k
       JOIN contract c ON c.company_name = '${generatedCompany}' || ($4::int + k % $2)`,
      [newUsers, newContracts, hash, firstNew],
    );
    return result.rowCount ?? 0;
  });

  await step('accounts (and their ledger accounts, by trigger)', async () => {
    const result = await client.query(
      `INSERT INTO account (contract_id, branch_code, account_type, account_number, holder_kana, opened_at)
       SELECT c.id, '00' || (a + 1), 'ordinary', lpad((n * $3 + a - $3 + 1)::text, 7, '0'), 'ｽｹｰﾙｼﾖｳｼﾞ', now() - interval '2 years'
       FROM generate_series($1::int, $2::int) n CROSS JOIN generate_series(0, $3 - 1) a
       JOIN contract c ON c.company_name = '${generatedCompany}' || n`,
      [firstNew, lastNew, accountsPerContract],
    );
    return result.rowCount ?? 0;
  });

  await step('people × accounts, permissions, grid cards', async () => {
    const newPeople = `SELECT u.id, u.contract_id FROM users u WHERE u.id > $1`;
    let rows = 0;
    rows += (await client.query(`INSERT INTO user_account (user_ref, account_id) SELECT p.id, a.id FROM (${newPeople}) p JOIN account a ON a.contract_id = p.contract_id`, [usersBefore])).rowCount ?? 0;
    rows += (await client.query(`INSERT INTO user_permission (user_ref, business) SELECT p.id, 'inquiry' FROM (${newPeople}) p`, [usersBefore])).rowCount ?? 0;
    rows += (
      await client.query(
        `INSERT INTO grid_card (user_ref, serial, digits_sealed, issued_at, expires_at)
         SELECT p.id, 'S' || lpad(p.id::text, 11, '0'), $2, now() - interval '1 year', now() + interval '2 years' FROM (${newPeople}) p`,
        [usersBefore, sealedCard],
      )
    ).rowCount ?? 0;
    return rows;
  });

  await growPostings(client, target.postings - start.postings, step, report.note);
  // As a database in service looks after autovacuum has passed: visibility map set, statistics
  // current, and no vacuum of the fresh rows left to run (and cost CPU) while a benchmark measures.
  await step('VACUUM ANALYZE', async () => {
    await client.query('VACUUM ANALYZE');
    return 0;
  });
  // The rows just loaded are gigabytes of dirty pages the server and the kernel are still writing
  // out: a commit measured now waits for its WAL flush behind that write-back (the large size's
  // commits took 0.35 ms longer each, with the kernel's flusher busy). A checkpoint writes them out
  // and syncs them first, as time would have in a database in service.
  await step('CHECKPOINT', async () => {
    await client.query('CHECKPOINT');
    return 0;
  });
}

/** Deposits of two postings each until `count` more postings exist, in batches of one transaction each. */
async function growPostings(client: pg.Client, count: number, step: (name: string, run: () => Promise<number>) => Promise<void>, note: (line: string) => void): Promise<void> {
  const entries = Math.floor(count / 2);
  if (entries <= 0) return;
  const cash = Number((await client.query(`SELECT id FROM ledger_account WHERE code = 'cash'`)).rows[0].id);
  // The generated accounts in a fixed order, so entry i goes to account i mod n.
  await client.query('DROP TABLE IF EXISTS pg_temp.scale_ledger_account');
  await client.query(
    `CREATE TEMP TABLE scale_ledger_account AS
     SELECT (row_number() OVER (ORDER BY la.id) - 1)::int AS k, la.id AS ledger_account_id
     FROM ledger_account la JOIN account a ON a.id = la.account_id JOIN contract c ON c.id = a.contract_id
     WHERE c.company_name LIKE '${generatedCompany}%'`,
  );
  await client.query('ALTER TABLE scale_ledger_account ADD PRIMARY KEY (k)');
  const accounts = Number((await client.query('SELECT count(*) FROM scale_ledger_account')).rows[0].count);
  if (accounts === 0) throw new Error('no generated accounts to post to');
  const entriesPerBatch = Math.max(1, Math.floor(postingsPerBatch / 2));
  // A superuser may switch the per-row guards off for the batch and check the whole batch at once instead.
  const checkedInBatch = process.env.BENCH_SCALE_ROW_GUARDS !== 'on' && (await client.query('SELECT rolsuper FROM pg_roles WHERE rolname = current_user')).rows[0].rolsuper === true;
  note(`the database's guards on postings: ${checkedInBatch ? 'the same checks set-based at the end of each batch (session_replication_role = replica)' : 'per row and statement, as the service runs'}`);
  const days = 365;
  for (let done = 0; done < entries; done += entriesPerBatch) {
    const batch = Math.min(entriesPerBatch, entries - done);
    await step(`postings ${(2 * (done + batch)).toLocaleString('en')} of ${(2 * entries).toLocaleString('en')}`, async () => {
      await client.query('BEGIN');
      try {
        if (checkedInBatch) await client.query('SET LOCAL session_replication_role = replica');
        const { entryBase, postingBase } = (
          await client.query(`SELECT (SELECT coalesce(max(id), 0) FROM journal_entry)::bigint AS "entryBase", (SELECT coalesce(max(id), 0) FROM posting)::bigint AS "postingBase"`)
        ).rows[0];
        // Entry j of the batch (1…batch) is this run's entry done + j: its account, amount and day.
        const numbered = (accountsParam: string) => `SELECT j, $1::bigint + j AS entry_id, (($1::bigint + j) % ${accountsParam})::int AS k,
                          1000 + (($1::bigint + j) * 7919) % 99000 AS amount FROM generate_series(1, $2::int) j`;
        await client.query(
          `INSERT INTO journal_entry (id, kind, description, value_date, posted_at) OVERRIDING SYSTEM VALUE
           SELECT entry_id, 'deposit', 'ﾌﾘｺﾐ ｽｹｰﾙ' || (entry_id % 1000), d.day, d.day + time '10:00'
           FROM (${numbered('$4::int')}) e
           CROSS JOIN LATERAL (SELECT (current_date - $5::int + (($3::bigint + j - 1) * $5::int / $6::bigint)::int) AS day) d`,
          [entryBase, batch, done, accounts, days, entries],
        );
        // Customer posting 2j−1, cash posting 2j; each balance after is the account's balance
        // before the batch plus its postings so far, in posting order.
        await client.query(
          `INSERT INTO posting (id, entry_id, ledger_account_id, amount_yen, balance_after_yen, value_date) OVERRIDING SYSTEM VALUE
           SELECT p.id, p.entry_id, p.ledger_account_id, p.amount,
                  la.balance_yen + sum(p.amount) OVER (PARTITION BY p.ledger_account_id ORDER BY p.id), je.value_date
           FROM (
             SELECT $5::bigint + 2 * j - 1 AS id, entry_id, s.ledger_account_id, amount FROM (${numbered('$3::int')}) e JOIN scale_ledger_account s USING (k)
             UNION ALL
             SELECT $5::bigint + 2 * j, entry_id, $4::int, -amount FROM (${numbered('$3::int')}) e
           ) p JOIN ledger_account la ON la.id = p.ledger_account_id JOIN journal_entry je ON je.id = p.entry_id`,
          [entryBase, batch, accounts, cash, postingBase],
        );
        await client.query(
          `UPDATE ledger_account la SET balance_yen = la.balance_yen + moved.yen
           FROM (SELECT ledger_account_id, sum(amount_yen) AS yen FROM posting WHERE id > $1 GROUP BY ledger_account_id) moved
           WHERE la.id = moved.ledger_account_id`,
          [postingBase],
        );
        if (checkedInBatch) await checkBatch(client, entryBase, postingBase);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      }
      return 2 * batch;
    });
  }
  // The identities continue after the rows given their ids here.
  await client.query(`SELECT setval(pg_get_serial_sequence('journal_entry', 'id'), (SELECT max(id) FROM journal_entry))`);
  await client.query(`SELECT setval(pg_get_serial_sequence('posting', 'id'), (SELECT max(id) FROM posting))`);
}

/**
 * The guards of migrations 0005, 0010 and 0016 (a posting carries its entry's value date) and the
 * posting's foreign keys, over one batch at once:
 * the database runs them per row or per statement, which for ten million postings costs more than
 * writing them (decision 0028). Refuses the batch, before its commit, when any would have refused a row.
 */
async function checkBatch(client: pg.Client, entryBase: bigint, postingBase: bigint): Promise<void> {
  const found = (
    await client.query(
      `SELECT
         (SELECT count(*) FROM (SELECT e.id FROM journal_entry e LEFT JOIN posting p ON p.entry_id = e.id WHERE e.id > $1
                                GROUP BY e.id HAVING count(p.id) < 2 OR coalesce(sum(p.amount_yen), 0) <> 0) unbalanced)::int AS unbalanced,
         (SELECT count(*) FROM posting p LEFT JOIN journal_entry e ON e.id = p.entry_id LEFT JOIN ledger_account la ON la.id = p.ledger_account_id
          WHERE p.id > $2 AND (e.id IS NULL OR la.id IS NULL OR p.amount_yen = 0 OR p.value_date IS DISTINCT FROM e.value_date))::int AS dangling,
         (SELECT count(*) FROM ledger_account WHERE kind = 'customer' AND balance_yen < 0)::int AS overdrawn`,
      [entryBase, postingBase],
    )
  ).rows[0];
  if (found.unbalanced + found.dangling + found.overdrawn > 0) {
    throw new Error(`generated batch refused: ${found.unbalanced} unbalanced entries, ${found.dangling} postings without entry or account, with no amount or another value date than their entry's, ${found.overdrawn} overdrawn accounts`);
  }
}

/**
 * R1.1 in SQL: the Luhn check digit of a 10-digit body, as `luhnCheckDigit` (src/domain/
 * contract-id.ts) computes it — every second digit from the right of the body doubled.
 * `checkGeneratedContractIds` proves the two agree on what was generated.
 */
function luhnCheckDigitSql(body: string): string {
  return `SELECT ((10 - sum(CASE WHEN i % 2 = 0 THEN (CASE WHEN d * 2 > 9 THEN d * 2 - 9 ELSE d * 2 END) ELSE d END) % 10) % 10)::text AS digit
          FROM generate_series(0, 9) i CROSS JOIN LATERAL (SELECT substr(${body}, 10 - i, 1)::int AS d) x`;
}

/** Every generated contract ID passes the service's own check (at the small size: it reads them all). */
export async function checkGeneratedContractIds(client: pg.Client): Promise<string[]> {
  const rows = await client.query(`SELECT id FROM contract WHERE company_name LIKE '${generatedCompany}%'`);
  return rows.rows.map((r) => String(r.id)).filter((id) => !isValidContractId(id));
}

/**
 * Each ledger account's balance is the balance after of its last posting (the full chain of
 * balances is `verifyLedger`'s to check, which reads every posting); returns the accounts that differ.
 */
export async function checkGeneratedLedger(client: pg.Client): Promise<number[]> {
  const rows = await client.query(
    `SELECT la.id FROM ledger_account la
     CROSS JOIN LATERAL (SELECT balance_after_yen FROM posting WHERE ledger_account_id = la.id ORDER BY id DESC LIMIT 1) last
     WHERE la.balance_yen <> last.balance_after_yen`,
  );
  return rows.rows.map((r) => Number(r.id));
}
