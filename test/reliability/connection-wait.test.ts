import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import type { LightMyRequestResponse } from 'fastify';
import pg from 'pg';
import { sql } from 'kysely';
import { openDatabase } from '../../src/db/open.ts';
import { databaseRetryAfterSeconds } from '../../src/errors.ts';
import { createTestDatabase, onPostgres } from '../helpers/database.ts';
import { errorCode } from '../helpers/client.ts';
import { assertNoStackTrace, startApp, type TestApp } from '../helpers/http-app.ts';
import { silentDatabase } from './unreachable-database.ts';

/**
 * Decision 0034: a request waits for a database connection at most DATABASE_CONNECTION_WAIT_MS, here
 * scaled down, and is then answered 503 SERVICE_DATABASE_UNAVAILABLE with Retry-After, its admission
 * place given back: while every connection of the pool is stuck in a statement that does not
 * return, and while the server takes connections and never answers their startup. The app has one
 * admission place and no queue, so a place not given back would turn the next request into
 * SERVICE_OVERLOADED.
 */
const connectionWaitMs = 300;
/** Far beyond the bound even on a loaded machine, far below a stall that never ends. */
const answeredWithinMs = 5_000;
const onePlace = { REQUESTS_IN_FLIGHT_MAX: '1', REQUESTS_QUEUED_MAX: '0' };
// A session cookie of the right form: the page must ask the database whether it lives.
const cookie = `__Host-sid=${'a'.repeat(22)}.${'b'.repeat(43)}`;

/** The status page, and how long its answer took; fails instead of waiting when it is not answered in time. */
async function statusPage({ app }: TestApp): Promise<{ page: LightMyRequestResponse; tookMs: number }> {
  const started = performance.now();
  // The deadline's timer ends with the answer, or the file would wait for it before it ends.
  const answered = new AbortController();
  try {
    const page = await Promise.race([
      app.inject({ method: 'GET', url: '/status', headers: { cookie } }),
      delay(answeredWithinMs, undefined, { signal: answered.signal }).then(() =>
        assert.fail(`no answer within ${answeredWithinMs} ms: the request waits as long as the database stalls`),
      ),
    ]);
    return { page, tookMs: performance.now() - started };
  } finally {
    answered.abort();
  }
}

function assertDatabaseUnavailable(label: string, { page, tookMs }: { page: LightMyRequestResponse; tookMs: number }): void {
  assert.equal(page.statusCode, 503, `${label}: ${page.body.slice(0, 200)}`);
  assert.equal(errorCode(page.body), 'SERVICE_DATABASE_UNAVAILABLE', `${label}: not SERVICE_OVERLOADED, the place was given back`);
  assert.equal(page.headers['retry-after'], String(databaseRetryAfterSeconds), label);
  assertNoStackTrace(page);
  // A timer may fire a millisecond early.
  assert.ok(tookMs >= connectionWaitMs - 5, `${label}: it waited for a connection first (${Math.round(tookMs)} ms)`);
}

test(
  'every pool connection stuck in a statement: a page is answered 503 with Retry-After at the bound, not when the stall ends, and served again once connections are free',
  { skip: onPostgres ? false : 'needs PostgreSQL (set TEST_DATABASE_URL): the embedded database has no pool of connections' },
  async () => {
    const database = await createTestDatabase();
    const poolSize = 2;
    const small = await openDatabase({ databaseUrl: database.url!, poolSize, connectionWaitMs });
    const app = await startApp(small, onePlace);
    // The stall: a lock held by a connection of its own, which every connection of the pool waits for.
    const holder = new pg.Client({ connectionString: database.url! });
    await holder.connect();
    const lockKey = 340_034;
    await holder.query('SELECT pg_advisory_lock($1)', [lockKey]);
    let stuck: Promise<unknown>[] = [];
    try {
      stuck = Array.from({ length: poolSize }, () => sql`SELECT pg_advisory_xact_lock(${lockKey})`.execute(small));
      // Every connection of the pool is waiting for the lock once the server shows as many waiters.
      const waiting = async () =>
        Number(
          (
            await holder.query(
              `SELECT count(*) AS n FROM pg_locks
                WHERE locktype = 'advisory' AND NOT granted AND objid = $1
                  AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
              [lockKey],
            )
          ).rows[0].n,
        );
      while ((await waiting()) < poolSize) await delay(10);

      assertDatabaseUnavailable('first', await statusPage(app));
      assertDatabaseUnavailable('next, on the same one place', await statusPage(app));

      await holder.query('SELECT pg_advisory_unlock($1)', [lockKey]);
      await Promise.all(stuck);
      const served = await statusPage(app);
      assert.equal(served.page.statusCode, 303, 'an unknown session is sent to the logon page: the database answered');
      assert.match(String(served.page.headers.location), /^\/logon/);
    } finally {
      await holder.query('SELECT pg_advisory_unlock_all()');
      await Promise.allSettled(stuck);
      await holder.end();
      await app.app.close();
      await small.destroy();
      await database.drop();
    }
  },
);

test('a database server that takes connections and never answers their startup: a page is answered 503 with Retry-After at the bound', async () => {
  const silent = await silentDatabase({ connectionWaitMs });
  const app = await startApp(silent.db, onePlace);
  try {
    assertDatabaseUnavailable('first', await statusPage(app));
    assertDatabaseUnavailable('next, on the same one place', await statusPage(app));
  } finally {
    await app.app.close();
    await silent.close();
  }
});
