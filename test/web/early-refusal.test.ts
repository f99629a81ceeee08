import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import type { LightMyRequestResponse } from 'fastify';
import { errorCode } from '../helpers/client.ts';
import { assertNoStackTrace, startApp, type TestApp } from '../helpers/http-app.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { translator } from '../../src/web/i18n/index.ts';

/**
 * Decision 0033: a request without a body that finds the admission gate full is answered before
 * Fastify sees it, with the answer Fastify's own refusal gives (decision 0027) less the request id.
 * Over a real socket (the early refusal is the server's listener, which `inject` does not pass), on
 * an app with one place and no queue; a route of the test's own holds the place.
 */
let database: TestDatabase;
let full: TestApp;
let base: string;
let letGo: () => void = () => {};
/** Requests Fastify's lifecycle saw (its first hook), to tell an early refusal from Fastify's. */
let seenByFastify = 0;

before(async () => {
  database = await createTestDatabase();
  full = await startApp(database.db, { REQUESTS_IN_FLIGHT_MAX: '1', REQUESTS_QUEUED_MAX: '0' });
  full.app.addHook('onRequest', async () => void seenByFastify++);
  full.app.get('/test/hold', async () => {
    await new Promise<void>((resolve) => (letGo = resolve));
    return 'held';
  });
  await full.app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(full.app.server.address() as AddressInfo).port}`;
});
after(async () => {
  await full.app.close();
  await database.drop();
});

async function whilePlaceHeld<T>(work: () => Promise<T>): Promise<T> {
  const before = letGo;
  const held = full.app.inject({ method: 'GET', url: '/test/hold' });
  while (letGo === before) await new Promise((resolve) => setImmediate(resolve));
  try {
    return await work();
  } finally {
    letGo();
    await held;
  }
}

/** Headers of the one answer's transport, not of what it says: the early refusal and Fastify's may differ in these. */
const transportHeaders = new Set(['date', 'connection', 'keep-alive', 'content-length', 'set-cookie', 'transfer-encoding']);
const saying = (headers: Headers | LightMyRequestResponse['headers']) => {
  const entries: [string, string][] = headers instanceof Headers ? [...headers.entries()] : Object.entries(headers).map(([name, value]) => [name, String(value)]);
  return Object.fromEntries(entries.filter(([name]) => !transportHeaders.has(name)).sort(([a], [b]) => a.localeCompare(b)));
};
const withoutRequestId = (page: string) => page.replace(/<p class="hint">[^\n]*<code>[0-9a-f]+<\/code><\/p>\n/, '');

test('a bodiless request finding the gate full is refused before Fastify, with the page and headers of Fastify\'s own refusal less the request id', async () => {
  const cases = [
    { label: 'Japanese by default', url: '/logon', headers: {}, language: 'ja' },
    { label: 'English asked in the address', url: '/logon?lang=en', headers: {}, language: 'en' },
    { label: 'English kept by the browser', url: '/status', headers: { cookie: '__Host-lang=en' }, language: 'en' },
    { label: 'a path that must be escaped in the language switch', url: '/payees?q="><script>x</script>&lang=en', headers: {}, language: 'en' },
  ] as const;
  await whilePlaceHeld(async () => {
    for (const { label, url, headers, language } of cases) {
      const seenBefore = seenByFastify;
      const early = await fetch(base + url, { headers });
      const earlyPage = await early.text();
      assert.equal(seenByFastify, seenBefore, `${label}: Fastify never saw the request`);
      assert.equal(early.status, 503, label);
      assert.equal(early.headers.get('retry-after'), '2', `${label}: says when to try again`);
      assert.equal(errorCode(earlyPage), 'SERVICE_OVERLOADED', label);
      assert.ok(earlyPage.includes(translator(language)('error.SERVICE_OVERLOADED')), `${label}: the message in the page's language`);
      assert.ok(!earlyPage.includes('<script>x'), `${label}: nothing of the address is markup`);
      assertNoStackTrace({ body: earlyPage } as LightMyRequestResponse);

      const viaFastify = await full.app.inject({ method: 'GET', url, headers });
      assert.equal(viaFastify.statusCode, 503, `${label}: Fastify's refusal, for comparison`);
      assert.ok(withoutRequestId(viaFastify.body) !== viaFastify.body, `${label}: Fastify's page names its request id`);
      assert.equal(earlyPage, withoutRequestId(viaFastify.body), `${label}: the same page`);
      assert.deepEqual(saying(early.headers), saying(viaFastify.headers), `${label}: the same headers`);
    }
  });
});

test('a HEAD request finding the gate full is refused early without a body', async () => {
  const answer = await whilePlaceHeld(() => fetch(`${base}/logon`, { method: 'HEAD' }));
  assert.equal(answer.status, 503);
  assert.equal(answer.headers.get('retry-after'), '2');
  assert.equal(await answer.text(), '');
});

test('a request with a body, a health check, and any request while the gate has room go through Fastify', async () => {
  const seenBefore = seenByFastify;
  const form = await whilePlaceHeld(() =>
    fetch(`${base}/logon`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'contractId=1&userId=x&password=y' }),
  );
  const formPage = await form.text();
  assert.equal(form.status, 503, 'a form sent while full is refused too, after its body is read');
  assert.notEqual(withoutRequestId(formPage), formPage, 'by Fastify: its page names its request id');
  const health = await whilePlaceHeld(() => fetch(`${base}/healthz`));
  assert.equal(health.status, 200);
  assert.deepEqual(await health.json(), { live: true });
  const free = await fetch(`${base}/logon`);
  await free.text();
  assert.equal(free.status, 200, 'a place is free: the page is served');
  assert.equal(seenByFastify - seenBefore, 3 + 2, 'the three requests and the two held-place routes reached Fastify');
});
