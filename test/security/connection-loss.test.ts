import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { sql } from 'kysely';
import { openDatabase } from '../../src/db/open.ts';
import { contractIdFrom } from '../../src/domain/contract-id.ts';
import { createTestDatabase, needsPostgres, onPostgres, type TestDatabase } from '../helpers/database.ts';
import { testKeyringSpec } from '../helpers/deps.ts';
import { errorCode } from '../helpers/client.ts';
import { dropWhenClosed } from './attack-helpers.ts';
import { HttpsClient } from '../helpers/https-client.ts';
import { startServiceProcess, type ServiceProcess } from '../helpers/service-process.ts';

/**
 * PostgreSQL ends idle connections on a restart, a failover, `idle_session_timeout` or an
 * administrator's `pg_terminate_backend`. Anyone able to cause one of these must not be able to
 * take the portal down with it: the service drops the dead connection and carries on.
 */
const applicationName = 'ib-connection-loss-test';

let database: TestDatabase | undefined;
let service: ServiceProcess | undefined;
const client = new HttpsClient();

before(async () => {
  if (!onPostgres) return;
  database = await createTestDatabase();
  const url = new URL(database.url!);
  url.searchParams.set('application_name', applicationName); // so that only the service's connections are ended below
  service = await startServiceProcess({
    DATABASE_URL: url.toString(),
    ENCRYPTION_KEYS: testKeyringSpec,
    SEED_DEMO: 'false',
    LOG_LEVEL: 'warn',
    LOGON_RATE_PER_MINUTE: '1000',
  });
});

after(async () => {
  client.close();
  await service?.stop();
  await dropWhenClosed(database);
});

async function unknownLogon(base: string): Promise<{ status: number; code: string | undefined }> {
  await client.get(base, '/logon');
  const answer = await client.post(base, '/logon', { contractId: contractIdFrom('1234567890'), userId: 'nobody', password: 'Nothing2026x' });
  return { status: answer.status, code: errorCode(answer.body) };
}

test('a service process survives PostgreSQL ending its idle connections', { skip: needsPostgres }, async () => {
  const { base } = service!;
  // A logon attempt reads and writes the database, so the pool holds idle connections afterwards.
  const first = await unknownLogon(base);
  assert.equal(first.code, 'AUTH_LOGON_FAILED');

  const admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
  await admin.connect();
  try {
    const ended = await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [applicationName]);
    assert.ok((ended.rowCount ?? 0) >= 1, 'the service had idle connections to end');
  } finally {
    await admin.end();
  }

  for (let i = 0; i < 3; i++) {
    let answer;
    try {
      answer = await unknownLogon(base);
    } catch (error) {
      assert.fail(`the service is gone after its idle connections were ended (${String(error)}):\n${service!.output()}`);
    }
    assert.equal(answer.code, 'AUTH_LOGON_FAILED');
  }
});

test('a statement handed a pooled connection the server has just ended runs on a new one, alone or opening a transaction', { skip: needsPostgres }, async () => {
  // The race of the test above, made certain: the statement is sent right after the server ended
  // the pool's idle connections, before the pool can have heard of it.
  const name = 'ib-connection-loss-inprocess';
  const url = new URL(database!.url!);
  url.searchParams.set('application_name', name);
  const db = await openDatabase({ databaseUrl: url.toString(), poolSize: 2 });
  const admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
  await admin.connect();
  try {
    for (let round = 0; round < 10; round++) {
      await Promise.all([sql`SELECT 1`.execute(db), sql`SELECT 2`.execute(db)]); // two idle connections
      const ended = await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [name]);
      assert.ok((ended.rowCount ?? 0) >= 1);
      const alone = await sql<{ n: number }>`SELECT ${round}::int AS n`.execute(db);
      assert.equal(alone.rows[0]!.n, round);
      await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [name]);
      const inTransaction = await db.transaction().execute((tx) => sql<{ n: number }>`SELECT ${round + 1}::int AS n`.execute(tx));
      assert.equal(inTransaction.rows[0]!.n, round + 1);
    }
  } finally {
    await admin.end();
    await db.destroy();
  }
});
