import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { errorCode } from '../helpers/client.ts';
import { assertNoStackTrace, startApp, type TestApp } from '../helpers/http-app.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { translator } from '../../src/web/i18n/index.ts';

/**
 * Decision 0027: the admission gate with the smallest limits the configuration takes, so that a
 * test decides exactly which requests are in flight: a route of the test's own holds the one place
 * until the test lets it go. Three apps on one database: no queue (whatever comes next is refused
 * at once), a queue of one with a wait of a minute, and a queue of one with a short wait.
 */
const shortWaitMs = 100;
let database: TestDatabase;
let noQueue: TestApp;
let longWait: TestApp;
let shortWait: TestApp;
let letGo: () => void = () => {};

before(async () => {
  database = await createTestDatabase();
  const oneAtATime = { REQUESTS_IN_FLIGHT_MAX: '1' };
  noQueue = await startApp(database.db, { ...oneAtATime, REQUESTS_QUEUED_MAX: '0' });
  longWait = await startApp(database.db, { ...oneAtATime, REQUESTS_QUEUED_MAX: '1', REQUEST_QUEUE_WAIT_MS: '60000' });
  shortWait = await startApp(database.db, { ...oneAtATime, REQUESTS_QUEUED_MAX: '1', REQUEST_QUEUE_WAIT_MS: String(shortWaitMs) });
  for (const { app } of [noQueue, longWait, shortWait]) {
    app.get('/test/hold', async () => {
      await new Promise<void>((resolve) => (letGo = resolve));
      return 'held';
    });
  }
});
after(async () => {
  for (const { app } of [noQueue, longWait, shortWait]) await app.close();
  await database.drop();
});

/** Holds the app's one place until `release` is called, which resolves with the held request's answer. */
async function holdThePlace({ app }: TestApp): Promise<{ release(): Promise<LightMyRequestResponse> }> {
  const before = letGo;
  const held = app.inject({ method: 'GET', url: '/test/hold' });
  // The route has started (it holds the place) once letGo is its own.
  while (letGo === before) await new Promise((resolve) => setImmediate(resolve));
  return {
    async release() {
      letGo();
      return held;
    },
  };
}

function assertOverloaded(label: string, response: LightMyRequestResponse): void {
  assert.equal(response.statusCode, 503, label);
  assert.equal(response.headers['retry-after'], '2', `${label}: says when to try again`);
  assertNoStackTrace(response);
}

test('a request within the bound is served, at once or from the queue when the place is free', async () => {
  assert.equal((await noQueue.app.inject({ method: 'GET', url: '/logon' })).statusCode, 200);
  const hold = await holdThePlace(longWait);
  const waiting = longWait.app.inject({ method: 'GET', url: '/logon' });
  assert.equal((await hold.release()).body, 'held');
  assert.equal((await waiting).statusCode, 200);
});

test('a request beyond the place and the queue is refused at once with 503, Retry-After and its code, in Japanese and English', async () => {
  const hold = await holdThePlace(noQueue);
  try {
    const japanese = await noQueue.app.inject({ method: 'GET', url: '/logon' });
    const english = await noQueue.app.inject({ method: 'GET', url: '/logon?lang=en' });
    for (const [label, response, language] of [['ja', japanese, 'ja'], ['en', english, 'en']] as const) {
      assertOverloaded(label, response);
      assert.match(String(response.headers['content-type']), /^text\/html/, `${label}: a page`);
      assert.equal(errorCode(response.body), 'SERVICE_OVERLOADED', label);
      assert.ok(response.body.includes(translator(language)('error.SERVICE_OVERLOADED')), `${label}: the message in the page's language`);
    }
    // The script of the certificate acquisition reads JSON: it gets the refusal as JSON.
    const json = await noQueue.app.inject({ method: 'POST', url: '/certificate/acquire?lang=en', headers: { accept: 'application/json' }, payload: { csr: 'x' } });
    assertOverloaded('JSON route', json);
    assert.deepEqual(json.json(), { code: 'SERVICE_OVERLOADED', message: translator('en')('error.SERVICE_OVERLOADED') });
  } finally {
    await hold.release();
  }
});

test('a request that waited the queue\'s bound without a place is refused then', async () => {
  const hold = await holdThePlace(shortWait);
  try {
    const started = performance.now();
    const waited = await shortWait.app.inject({ method: 'GET', url: '/logon' });
    assertOverloaded('waited', waited);
    assert.equal(errorCode(waited.body), 'SERVICE_OVERLOADED');
    assert.ok(performance.now() - started >= shortWaitMs - 5, 'it waited for a place first');
  } finally {
    await hold.release();
  }
});

test('the health checks are never refused, however full the gate is', async () => {
  const hold = await holdThePlace(noQueue);
  try {
    assertOverloaded('a page, for comparison', await noQueue.app.inject({ method: 'GET', url: '/logon' }));
    const live = await noQueue.app.inject({ method: 'GET', url: '/healthz' });
    assert.equal(live.statusCode, 200);
    assert.deepEqual(live.json(), { live: true });
    const ready = await noQueue.app.inject({ method: 'GET', url: '/readyz' });
    assert.equal(ready.statusCode, 200);
    assert.deepEqual(ready.json(), { ready: true });
  } finally {
    await hold.release();
  }
});
