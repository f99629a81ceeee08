import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { buildApp } from '../../src/app.ts';
import { buildConsole } from '../../src/operator/console/server.ts';
import { knownMigrations } from '../../src/db/migrate.ts';
import { databaseReadinessProbe } from '../../src/db/readiness.ts';
import { contractIdFrom } from '../../src/domain/contract-id.ts';
import { appForFile } from '../helpers/http-app.ts';
import { testDeps } from '../helpers/deps.ts';
import { Client, errorCode } from '../helpers/client.ts';
import { refusingDatabase, silentDatabase } from './unreachable-database.ts';

/**
 * A load balancer asks every listener /healthz (does the process serve?) and /readyz (may it have
 * requests?). Liveness never depends on the database, or a database outage would get every process
 * restarted at once; readiness does, and says "stopping" during a graceful stop so the balancer
 * drains the process. Neither answer tells more than that.
 */
const t = appForFile();

async function health(app: FastifyInstance, path: string, ip = '203.0.113.50') {
  const response = await app.inject({ method: 'GET', url: path, remoteAddress: ip });
  return { status: response.statusCode, body: response.body, type: String(response.headers['content-type']), setCookie: response.headers['set-cookie'], cache: response.headers['cache-control'] };
}

test('/readyz answers 200 {"ready":true} while the database answers and holds exactly the migrations this code knows; /healthz 200', async () => {
  for (const [path, body] of [['/healthz', '{"live":true}'], ['/readyz', '{"ready":true}']] as const) {
    const answer = await health(t.app, path);
    assert.equal(answer.status, 200, path);
    assert.equal(answer.body, body, `${path}: the state and nothing else`);
    assert.match(answer.type, /^application\/json/, path);
    assert.equal(answer.cache, 'no-store', `${path}: never a cached answer`);
    assert.equal(answer.setCookie, undefined, `${path}: no cookie, no session`);
    assert.equal((await t.app.inject({ method: 'HEAD', url: path })).statusCode, 200, `HEAD ${path}`);
  }
});

test('liveness never asks the database: with the database out of reach /healthz is 200 and /readyz 503 "database"', async () => {
  const db = await refusingDatabase();
  const app = await buildApp(testDeps(db), { logger: false });
  try {
    assert.deepEqual(await health(app, '/healthz').then((a) => [a.status, a.body]), [200, '{"live":true}']);
    assert.deepEqual(await health(app, '/readyz').then((a) => [a.status, a.body]), [503, '{"ready":false,"reason":"database"}']);
  } finally {
    await app.close();
    await db.destroy();
  }
});

test('a database that does not answer within the bound is "database", and however often readiness is asked, the database is asked once at a time', async () => {
  const silent = await silentDatabase();
  try {
    const probe = databaseReadinessProbe(silent.db, 150);
    const started = performance.now();
    const answers = await Promise.all(Array.from({ length: 5 }, () => probe()));
    assert.deepEqual(answers, Array(5).fill('database'));
    assert.ok(performance.now() - started < 2_000, 'answered at the bound, not when the database gives up');
    assert.equal(await probe(), 'database', 'asked again while the first check still hangs');
    assert.equal(silent.accepted(), 1, 'one connection for all the checks');
  } finally {
    await silent.close();
  }
});

test('/readyz answers 503 "migrations" when the database lacks a migration this code knows, or holds one it does not know', async () => {
  const { db } = t;
  const known = await knownMigrations();
  const last = known.at(-1)!;
  try {
    await sql`INSERT INTO schema_migration (name) VALUES ('9999_from_a_newer_version.sql')`.execute(db);
    assert.deepEqual(await health(t.app, '/readyz').then((a) => [a.status, a.body]), [503, '{"ready":false,"reason":"migrations"}'], 'ahead');
  } finally {
    await sql`DELETE FROM schema_migration WHERE name = '9999_from_a_newer_version.sql'`.execute(db);
  }
  assert.equal((await health(t.app, '/readyz')).status, 200, 'ready again');
  try {
    await sql`DELETE FROM schema_migration WHERE name = ${last}`.execute(db);
    const behind = await health(t.app, '/readyz');
    assert.deepEqual([behind.status, behind.body], [503, '{"ready":false,"reason":"migrations"}'], 'behind');
    assert.doesNotMatch(behind.body, /\d{4}_/, 'no migration named');
  } finally {
    await sql`INSERT INTO schema_migration (name) VALUES (${last})`.execute(db);
  }
});

test('a stopping process answers /readyz 503 "stopping" on every listener while /healthz stays 200', async () => {
  const lifecycle = { stopping: false };
  const deps = testDeps(t.db);
  const listeners = {
    portal: await buildApp(deps, { logger: false, lifecycle }),
    certificate: await buildApp(deps, { logger: false, lifecycle, clientCertificates: { ca: '' } }),
    console: await buildConsole(deps, { logger: false, lifecycle }),
  };
  try {
    for (const [name, app] of Object.entries(listeners)) assert.equal((await health(app, '/readyz')).status, 200, name);
    lifecycle.stopping = true;
    for (const [name, app] of Object.entries(listeners)) {
      assert.deepEqual(await health(app, '/readyz').then((a) => [a.status, a.body]), [503, '{"ready":false,"reason":"stopping"}'], name);
      assert.equal((await health(app, '/healthz')).status, 200, name);
    }
  } finally {
    for (const app of Object.values(listeners)) await app.close();
  }
});

test('R2.4: health checks are not counted by the logon rate limit, and a logon after many of them is still evaluated', async () => {
  const deps = testDeps(t.db, { env: { LOGON_RATE_PER_MINUTE: '3' } });
  const app = await buildApp(deps, { logger: false });
  try {
    const ip = '198.51.100.77';
    for (let i = 0; i < 20; i++) {
      assert.equal((await health(app, i % 2 ? '/readyz' : '/healthz', ip)).status, 200, `check ${i}`);
    }
    const client = new Client(app, { ip });
    await client.get('/logon');
    const logon = await client.post('/logon', { contractId: contractIdFrom('1234567890'), userId: 'nobody', password: 'Nothing2026x' });
    assert.equal(errorCode(logon.body), 'AUTH_LOGON_FAILED', 'evaluated, not rate limited');
  } finally {
    await app.close();
  }
});

test('the console\'s health checks sit behind its address allow-list like every console path', async () => {
  const app = await buildConsole(testDeps(t.db, { env: { OPERATOR_ALLOWED_IPS: '10.0.0.0/8' } }), { logger: false });
  try {
    assert.equal((await health(app, '/readyz', '10.1.2.3')).status, 200, 'an allowed balancer');
    assert.equal((await health(app, '/readyz', '203.0.113.9')).status, 403, 'anyone else');
  } finally {
    await app.close();
  }
});
