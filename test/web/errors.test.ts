import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { Client, errorCode } from '../helpers/client.ts';
import { startConsole } from '../operator/console-support.ts';
import { activeMaster, appForFile, assertNoStackTrace, sessionCookie } from '../helpers/http-app.ts';

const t = appForFile();

function assertPlainErrorPage(label: string, response: LightMyRequestResponse, status: number): void {
  assert.equal(response.statusCode, status, label);
  assert.match(String(response.headers['content-type']), /^text\/html/, `${label}: an HTML page`);
  assert.match(response.body, /<a href="\/logon">/, `${label}: a way back`);
  assertNoStackTrace(response);
}

test('an unknown page answers 404 with a plain page, whether logged on or not', async () => {
  const { client } = await activeMaster(t);
  for (const path of ['/no-such-page', '/logon/../../etc/passwd', '/static/../src/app.ts', '/static/no-such-file.css', '/%2e%2e/package.json']) {
    assertPlainErrorPage(path, await new Client(t.app).get(path), 404);
    assertPlainErrorPage(`${path} (logged on)`, await client.get(path), 404);
  }
  const put = await t.app.inject({ method: 'PUT', url: '/logon' });
  assertPlainErrorPage('PUT /logon', put, 404);
});

test('an oversized body (over 16 kB) is refused before it is read, without a stack trace', async () => {
  const client = new Client(t.app);
  await client.get('/logon');
  const big = await client.post('/logon', { contractId: '1', userId: 'a', password: 'a'.repeat(17 * 1024) });
  assertPlainErrorPage('17 kB form', big, 413);

  const { client: active } = await activeMaster(t);
  await active.get('/settings/email');
  assertPlainErrorPage('17 kB form in a session', await active.post('/settings/email', { email: 'x'.repeat(17 * 1024) }), 413);
  assertPlainErrorPage('17 kB JSON', await t.app.inject({
    method: 'POST',
    url: '/logon',
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify({ password: 'a'.repeat(17 * 1024) }),
  }), 413);
});

test('malformed requests answer 4xx without a stack trace', async () => {
  const cases: { label: string; contentType: string; payload: string; status: number }[] = [
    { label: 'broken JSON', contentType: 'application/json', payload: '{"contractId":', status: 400 },
    { label: 'JSON with a prototype key', contentType: 'application/json', payload: '{"__proto__":{"x":1}}', status: 400 },
    { label: 'an unknown content type', contentType: 'application/xml', payload: '<logon/>', status: 415 },
    { label: 'a multipart form', contentType: 'multipart/form-data; boundary=x', payload: '--x--', status: 415 },
  ];
  for (const c of cases) {
    const response = await t.app.inject({ method: 'POST', url: '/logon', headers: { 'content-type': c.contentType }, payload: c.payload });
    assertPlainErrorPage(c.label, response, c.status);
  }
  const badEncoding = await t.app.inject({ method: 'GET', url: '/logon/%E0%A4%A' });
  assert.ok(badEncoding.statusCode >= 400 && badEncoding.statusCode < 500, 'a broken percent-encoding');
  assertNoStackTrace(badEncoding);
});

test('odd query strings and cookies neither break a page nor show a stack trace', async () => {
  const { client } = await activeMaster(t);
  for (const path of ['/logon?ended=<script>', '/logon?ended=idle&ended=stopped', '/logon?lang=en&lang=ja', '/status?lang[]=en', '/settings/password?kind=<b>', '/settings/email?again=1&again=2']) {
    const anonymous = await new Client(t.app).get(path);
    assert.ok(anonymous.statusCode < 500, path);
    assertNoStackTrace(anonymous);
    const logged = await client.get(path);
    assert.ok(logged.statusCode < 500, `${path} (logged on)`);
    assert.doesNotMatch(logged.body, /<script>|<b>/, `${path}: query text is escaped`);
    assertNoStackTrace(logged);
  }
  for (const cookie of ['garbage', 'a.b', `${'A'.repeat(22)}.${'B'.repeat(43)}`, 'x'.repeat(4000)]) {
    const forged = new Client(t.app);
    forged.cookies.set(sessionCookie, cookie);
    const answer = await forged.get('/status');
    assert.equal(answer.statusCode, 303, cookie.slice(0, 20));
    assert.equal(answer.headers.location, '/logon');
  }
});

test('every refusal made before a page runs names its error code: a body too large, of an unknown type, malformed, a page that does not exist', async () => {
  // Found by the form fuzz (test/helpers/form-fuzz.ts): these pages said what was wrong but named no code.
  const { client } = await activeMaster(t);
  const cookie = [...client.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  const cases: { label: string; contentType: string; payload: string; status: number; code: string }[] = [
    { label: 'a 17 kB form', contentType: 'application/x-www-form-urlencoded', payload: `email=${'x'.repeat(17 * 1024)}`, status: 413, code: 'BODY_TOO_LARGE' },
    { label: 'broken JSON', contentType: 'application/json', payload: '{"email":', status: 400, code: 'INPUT_INVALID' },
    { label: 'JSON with a prototype key', contentType: 'application/json', payload: '{"__proto__":{"x":1}}', status: 400, code: 'INPUT_INVALID' },
    { label: 'an empty JSON body', contentType: 'application/json', payload: '', status: 400, code: 'INPUT_INVALID' },
    { label: 'an unknown content type', contentType: 'application/xml', payload: '<email/>', status: 415, code: 'CONTENT_TYPE_UNSUPPORTED' },
  ];
  for (const c of cases) {
    const response = await t.app.inject({ method: 'POST', url: '/settings/email', headers: { cookie, 'content-type': c.contentType }, payload: c.payload, remoteAddress: client.ip });
    assertPlainErrorPage(c.label, response, c.status);
    assert.equal(errorCode(response.body), c.code, c.label);
  }
  const unknown = await client.get('/no-such-page');
  assert.equal(errorCode(unknown.body), 'NOT_FOUND');
});

test('a URL that cannot be decoded, or a path part longer than any identifier, gets the service\'s page with its code, never Fastify\'s JSON echoing the URL', async () => {
  // Found by the form fuzz: Fastify answered these itself, in JSON, with the URL in the message.
  const { client } = await activeMaster(t);
  for (const [url, status, code] of [
    ['/users/%FF/suspend', 400, 'INPUT_INVALID'],
    ['/logon/%E0%A4%A', 400, 'INPUT_INVALID'],
    [`/users/${'a'.repeat(150)}/suspend`, 404, 'NOT_FOUND'],
  ] as const) {
    for (const method of ['GET', 'POST'] as const) {
      const response = await t.app.inject({ method, url, headers: { cookie: [...client.cookies].map(([name, value]) => `${name}=${value}`).join('; ') }, remoteAddress: client.ip });
      assert.equal(response.statusCode, status, `${method} ${url}`);
      assert.match(String(response.headers['content-type']), /^text\/html/, `${method} ${url}: a page`);
      assert.equal(errorCode(response.body), code, `${method} ${url}`);
      assert.ok(!response.body.includes(url) && !response.body.includes('aaaaaaaaaa'), `${method} ${url}: the URL is not echoed`);
      assertNoStackTrace(response);
    }
  }
  const operatorConsole = await startConsole(t.db);
  try {
    const response = await operatorConsole.app.inject({ method: 'GET', url: '/operator/contracts/%FF' });
    assert.equal(response.statusCode, 400);
    assert.equal(errorCode(response.body), 'INPUT_INVALID', 'the console answers the same way');
  } finally {
    await operatorConsole.app.close();
  }
});
