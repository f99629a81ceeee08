import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { inTransaction } from '../../src/db/transaction.ts';
import { DatabaseUsedInsideTransactionError } from '../../src/db/transaction-guard.ts';

/**
 * The one way the embedded database differs for the service's code is its single session: a use of
 * the database from inside a transaction waits for ever there. The guard makes that an error on
 * both databases, so the HTTP tests that run on PostgreSQL alone still find it (docs/decisions/0014).
 */
let database: TestDatabase;
before(async () => {
  database = await createTestDatabase();
  await sql`CREATE TABLE guard_probe (n int)`.execute(database.db);
});
after(() => database.drop());

const probes = async () => (await sql<{ n: number }>`SELECT n FROM guard_probe ORDER BY n`.execute(database.db)).rows.map((r) => r.n);

test('using the database instead of the transaction inside it fails at once, and the transaction rolls back', async () => {
  await assert.rejects(
    inTransaction(database.db, async (tx) => {
      await sql`INSERT INTO guard_probe VALUES (1)`.execute(tx);
      await sql`INSERT INTO guard_probe VALUES (2)`.execute(database.db);
    }),
    DatabaseUsedInsideTransactionError,
  );
  assert.deepEqual(await probes(), []);
});

test('a transaction with its isolation level set is guarded too', async () => {
  await assert.rejects(
    database.db
      .transaction()
      .setIsolationLevel('repeatable read')
      .execute(() => sql`SELECT 1`.execute(database.db)),
    DatabaseUsedInsideTransactionError,
  );
});

test('the transaction itself, work after it, and work it left running once it ended all use the database', async () => {
  let leftRunning: Promise<unknown> | undefined;
  await inTransaction(database.db, async (tx) => {
    await sql`INSERT INTO guard_probe VALUES (3)`.execute(tx);
    leftRunning = new Promise((resolve) => setTimeout(resolve, 0)).then(() => probes());
  });
  // It may read before or after the commit; what matters is that it is not refused.
  assert.ok(Array.isArray(await leftRunning));
  await sql`INSERT INTO guard_probe VALUES (4)`.execute(database.db);
  assert.deepEqual(await probes(), [3, 4]);
});

test('transactions side by side are each guarded on their own, not by the other', async () => {
  await Promise.all([1, 2, 3].map((n) => inTransaction(database.db, (tx) => sql`INSERT INTO guard_probe VALUES (${10 + n})`.execute(tx))));
  assert.deepEqual((await probes()).filter((n) => n > 10), [11, 12, 13]);
});
