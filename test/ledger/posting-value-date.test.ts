import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { addAccount, addContract, deposit } from './fixtures.ts';

/**
 * R8.1, migration 0016: the statement finds a period's lines by the value date each posting
 * carries. That date is its entry's, copied by the database, so the statement can never list a
 * line under a day its entry does not have.
 */
let database: TestDatabase;
before(async () => {
  database = await createTestDatabase();
});
after(() => database.drop());

test('a posting carries its entry\'s value date, whatever the writer gives', async () => {
  const { db } = database;
  const contract = await addContract(db);
  const account = await addAccount(db, contract.contractId);
  await deposit(db, account.ledgerAccountId, 5_000n);
  const posted = await sql<{ posting: string; entry: string }>`
    SELECT posting.value_date::text AS posting, journal_entry.value_date::text AS entry
    FROM posting JOIN journal_entry ON journal_entry.id = posting.entry_id
    WHERE posting.ledger_account_id = ${account.ledgerAccountId}`.execute(db);
  assert.deepEqual(posted.rows, [{ posting: '2026-01-05', entry: '2026-01-05' }]);

  // A writer that names another date is overruled by the entry's.
  const written = await db.transaction().execute(async (tx) => {
    const entry = await sql<{ id: bigint }>`
      INSERT INTO journal_entry (kind, description, value_date, posted_at) VALUES ('deposit', 'ﾃｽﾄ', '2026-02-01', now()) RETURNING id`.execute(tx);
    const cash = await sql<{ id: number }>`SELECT id FROM ledger_account WHERE code = 'cash'`.execute(tx);
    const id = entry.rows[0]!.id;
    return sql<{ value_date: string }>`
      INSERT INTO posting (entry_id, ledger_account_id, amount_yen, balance_after_yen, value_date)
      VALUES (${id}, ${cash.rows[0]!.id}, -100, 0, '1999-01-01'), (${id}, ${account.ledgerAccountId}, 100, 5100, '1999-01-01')
      RETURNING value_date::text AS value_date`.execute(tx);
  });
  assert.deepEqual(written.rows.map((row) => row.value_date), ['2026-02-01', '2026-02-01']);
});
