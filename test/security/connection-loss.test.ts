import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { sql } from 'kysely';
import { openDatabase, type Db } from '../../src/db/open.ts';
import { isDatabaseUnavailable } from '../../src/db/connection-errors.ts';
import { databaseRetryAfterSeconds } from '../../src/errors.ts';
import { buildApp } from '../../src/app.ts';
import { contractIdFrom } from '../../src/domain/contract-id.ts';
import { createTestDatabase, needsPostgres, onPostgres, type TestDatabase } from '../helpers/database.ts';
import { testDeps } from '../helpers/deps.ts';
import { errorCode } from '../helpers/client.ts';
import { assertNoStackTrace } from '../helpers/http-app.ts';
import { dropWhenClosed } from './attack-helpers.ts';
import { HttpsClient } from '../helpers/https-client.ts';
import type { ServiceProcess } from '../helpers/service-process.ts';
import { refusingDatabase } from '../reliability/unreachable-database.ts';
import { recoveryWaitMs, runDatabaseRestart, startServiceBehindProxy, type ServiceBehindProxy } from '../reliability/database-restart.ts';

/**
 * PostgreSQL ends connections on a restart, a failover, `idle_session_timeout` or an
 * administrator's `pg_terminate_backend`, and a network cut drops them. Anyone able to cause one of
 * these must not be able to take the portal down with it: the service drops the dead connection,
 * answers the requests it cut with a clear 503 (SERVICE_DATABASE_UNAVAILABLE, Retry-After), writes
 * nothing in part, and carries on once the database is back. The service reaches the database
 * through a relay that can refuse and cut connections as a restarting server does
 * (test/reliability/database-proxy.ts).
 */
const applicationName = 'ib-connection-loss-test';

let database: TestDatabase | undefined;
let behindProxy: ServiceBehindProxy | undefined;
let service: ServiceProcess | undefined;
const client = new HttpsClient();

before(async () => {
  if (!onPostgres) return;
  database = await createTestDatabase();
  // The application_name, so that only the service's connections are ended below.
  behindProxy = await startServiceBehindProxy(database, applicationName);
  service = behindProxy.service;
});

after(async () => {
  client.close();
  await behindProxy?.close();
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
  await withPoolToEnd('ib-connection-loss-inprocess', async (db, endItsConnections) => {
    for (let round = 0; round < 10; round++) {
      await Promise.all([sql`SELECT 1`.execute(db), sql`SELECT 2`.execute(db)]); // two idle connections
      assert.ok((await endItsConnections()) >= 1);
      const alone = await sql<{ n: number }>`SELECT ${round}::int AS n`.execute(db);
      assert.equal(alone.rows[0]!.n, round);
      await endItsConnections();
      const inTransaction = await db.transaction().execute((tx) => sql<{ n: number }>`SELECT ${round + 1}::int AS n`.execute(tx));
      assert.equal(inTransaction.rows[0]!.n, round + 1);
    }
  });
});

test('a connection the server ends while a request holds it between two statements fails that request as "database unavailable", not the process', { skip: needsPostgres }, async () => {
  // The pool listens for the failure of idle connections only; without a listener of its own, the
  // failure of a checked-out one was an unhandled error event, which ends a Node process.
  await withPoolToEnd('ib-connection-loss-held', async (db, endItsConnections, stillConnected) => {
    const failure = await db
      .transaction()
      .execute(async (tx) => {
        await sql`SELECT 1`.execute(tx);
        await endItsConnections();
        // The server's notice reaches the held connection while no statement runs on it.
        for (let i = 0; i < 50 && (await stillConnected()); i++) await new Promise((r) => setTimeout(r, 10));
        await new Promise((r) => setTimeout(r, 50));
        await sql`SELECT 2`.execute(tx);
      })
      .then(() => undefined, (error: unknown) => error);
    assert.ok(failure, 'the second statement failed');
    assert.ok(isDatabaseUnavailable(failure), `answered as the database out of reach: ${String(failure)}`);
    const after = await sql<{ n: number }>`SELECT 3::int AS n`.execute(db);
    assert.equal(after.rows[0]!.n, 3, 'the pool serves the next request on a new connection');
  });
});

/**
 * A pool of two on this file's database whose connections carry `name`, so that the test can end
 * them (pg_terminate_backend) as a restart or an administrator would, and see whether any is left.
 */
async function withPoolToEnd(name: string, use: (db: Db, endItsConnections: () => Promise<number>, stillConnected: () => Promise<boolean>) => Promise<void>): Promise<void> {
  const url = new URL(database!.url!);
  url.searchParams.set('application_name', name);
  const db = await openDatabase({ databaseUrl: url.toString(), poolSize: 2 });
  const admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
  await admin.connect();
  try {
    await use(
      db,
      async () => (await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [name])).rowCount ?? 0,
      async () => ((await admin.query('SELECT 1 FROM pg_stat_activity WHERE application_name = $1', [name])).rowCount ?? 0) > 0,
    );
  } finally {
    await admin.end();
    await db.destroy();
  }
}

test('with the database out of reach a page answers 503 SERVICE_DATABASE_UNAVAILABLE in the page\'s language with Retry-After, the certificate request JSON, never a stack trace', async () => {
  const db = await refusingDatabase();
  const app = await buildApp(testDeps(db), { logger: false });
  // A session cookie of the right form: the page must ask the database whether it lives.
  const cookie = `__Host-sid=${'a'.repeat(22)}.${'b'.repeat(43)}`;
  try {
    for (const [lang, word] of [['ja', 'ただいま'], ['en', 'briefly unavailable']] as const) {
      const page = await app.inject({ method: 'GET', url: `/status?lang=${lang}`, headers: { cookie } });
      assert.equal(page.statusCode, 503, `${lang}: ${page.body.slice(0, 200)}`);
      assert.equal(errorCode(page.body), 'SERVICE_DATABASE_UNAVAILABLE', lang);
      assert.equal(page.headers['retry-after'], String(databaseRetryAfterSeconds), lang);
      assert.match(String(page.headers['content-type']), /^text\/html/, lang);
      assert.match(page.body, new RegExp(`<html lang="${lang}"`), `${lang}: the page in its language`);
      assert.ok(page.body.includes(word), `${lang}: the message in its language`);
      assertNoStackTrace(page);
      assert.doesNotMatch(page.body, /ECONNREFUSED|127\.0\.0\.1|postgres/i, `${lang}: nothing of the database named`);
    }
    const acquire = await app.inject({ method: 'POST', url: '/certificate/acquire', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: 'csr=x&_csrf=y' });
    assert.equal(acquire.statusCode, 503);
    assert.equal(acquire.headers['retry-after'], String(databaseRetryAfterSeconds));
    assert.match(String(acquire.headers['content-type']), /^application\/json/);
    assert.equal(JSON.parse(acquire.body).code, 'SERVICE_DATABASE_UNAVAILABLE');
    assertNoStackTrace(acquire);
  } finally {
    await app.close();
    await db.destroy();
  }
});

test('R8.6: the database restarted and cut under load: requests in flight answered 503 with Retry-After, none lost, every transfer whole or absent, ledger and audit verify, ready again within seconds', { skip: needsPostgres, timeout: 120_000 }, async (t) => {
  const report = await runDatabaseRestart(behindProxy!, database!, { loadMs: 2_400, faults: 2, outageMs: 500, senders: 3, readers: 2 });
  for (const line of report.lines()) t.diagnostic(line);
  assert.deepEqual(report.problems, [], `lost:\n${report.problems.join('\n')}\n${service!.output().slice(-3000)}`);
  assert.equal(report.lost, 0);
  for (const fault of report.faults) {
    assert.ok(fault.inFlight > 0, `requests were in flight at the ${fault.kind}`);
    assert.ok(fault.unavailable > 0, `the ${fault.kind} was answered 503 to someone`);
    assert.ok(fault.saidDatabase > 0, `/readyz said "database" during the ${fault.kind}`);
    assert.ok(fault.readyAgainMs !== undefined && fault.readyAgainMs < recoveryWaitMs, `ready again after the ${fault.kind}`);
  }
});
