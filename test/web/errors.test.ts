import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { Client } from '../helpers/client.ts';
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
