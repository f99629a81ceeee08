import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { lastEmailCode, lastOneTimePassword, logon, onboardMaster, gridAnswerFields, otpAddressOf } from '../helpers/people.ts';
import { appForFile, RecordingClient } from '../helpers/http-app.ts';

const t = appForFile();

const yearSeconds = 365 * 86_400;

function csp(response: LightMyRequestResponse): Map<string, string[]> {
  const header = String(response.headers['content-security-policy'] ?? '');
  return new Map(
    header
      .split(';')
      .map((part) => part.trim().split(/\s+/))
      .filter((words) => words[0])
      .map(([name, ...values]) => [name!.toLowerCase(), values]),
  );
}

function setCookies(response: LightMyRequestResponse): string[] {
  const header = response.headers['set-cookie'];
  return header === undefined ? [] : Array.isArray(header) ? header : [header];
}

/** R4.7 and the strict browser policy: what every answer of the portal carries. */
function assertSecurityHeaders(label: string, response: LightMyRequestResponse): void {
  const hsts = /max-age=(\d+)/.exec(String(response.headers['strict-transport-security'] ?? ''));
  assert.ok(hsts && Number(hsts[1]) >= yearSeconds, `${label}: HSTS of at least a year`);

  const policy = csp(response);
  assert.ok(policy.size > 0, `${label}: a CSP`);
  assert.deepEqual(policy.get('frame-ancestors'), ["'none'"], `${label}: frame-ancestors 'none'`);
  assert.deepEqual(policy.get('default-src'), ["'none'"], `${label}: nothing allowed by default`);
  for (const [directive, sources] of policy) {
    assert.ok(!sources.includes("'unsafe-inline'"), `${label}: no 'unsafe-inline' in ${directive}`);
    assert.ok(!sources.includes("'unsafe-eval'"), `${label}: no 'unsafe-eval' in ${directive}`);
    assert.ok(!sources.includes('*'), `${label}: no wildcard in ${directive}`);
  }
  assert.equal(response.headers['x-content-type-options'], 'nosniff', `${label}: nosniff`);
  assert.match(String(response.headers['cache-control'] ?? ''), /no-store/, `${label}: no-store`);

  for (const cookie of setCookies(response)) {
    const [pair, ...attributes] = cookie.split(';').map((part) => part.trim());
    const names = attributes.map((a) => a.split('=')[0]!.toLowerCase());
    assert.match(pair!, /^__Host-/, `${label}: ${pair} has the __Host- prefix`);
    assert.ok(names.includes('secure'), `${label}: ${pair} Secure`);
    assert.ok(names.includes('httponly'), `${label}: ${pair} HttpOnly`);
    assert.ok(attributes.some((a) => /^samesite=strict$/i.test(a)), `${label}: ${pair} SameSite=Strict`);
    assert.ok(attributes.some((a) => /^path=\/$/i.test(a)), `${label}: ${pair} Path=/ (required by __Host-)`);
    assert.ok(!names.includes('domain'), `${label}: ${pair} no Domain (required by __Host-)`);
  }
}

/** A strict CSP only holds if the pages need nothing inline. */
function assertNothingInline(label: string, response: LightMyRequestResponse): void {
  if (!String(response.headers['content-type'] ?? '').startsWith('text/html')) return;
  assert.doesNotMatch(response.body, /<script(?![^>]*\bsrc=)[^>]*>/i, `${label}: no inline script`);
  assert.doesNotMatch(response.body, /<style\b/i, `${label}: no style element`);
  assert.doesNotMatch(response.body, /\sstyle="/i, `${label}: no style attribute`);
  assert.doesNotMatch(response.body, /\son[a-z]+="/i, `${label}: no inline event handler`);
}

test('every answer along first logon, normal logon, settings, errors and logout carries the security headers and safe cookies', async () => {
  const deps = t.deps;
  const person = await onboardMaster(deps);
  const client = new RecordingClient(t.app);

  await client.get('/');
  await client.get('/logon?lang=en');
  await client.get('/logon?lang=ja');
  await client.post('/logon', { contractId: person.contractId, userId: person.userId, password: 'Wrong2026pass' });
  await client.post('/logon', { contractId: person.contractId, userId: person.userId, password: person.registrationPassword }, { csrf: null });
  await logon(client, person, person.registrationPassword);
  await client.get('/setup');
  await client.post('/setup/passwords', { login: 'short', loginRepeat: 'short', confirmation: 'x', confirmationRepeat: 'x' });
  await client.post('/setup/passwords', {
    login: person.loginPassword,
    loginRepeat: person.loginPassword,
    confirmation: person.confirmationPassword,
    confirmationRepeat: person.confirmationPassword,
  });
  await client.get('/setup');
  await client.post('/setup/email', { email: person.email, confirmationPassword: person.confirmationPassword });
  await client.get('/setup');
  await client.post('/setup/email/verify', { code: await lastEmailCode(deps, person.email) });
  await client.get('/status');
  await client.get('/otp-address');
  await client.post('/otp-address', { address: otpAddressOf(person), confirmationPassword: 'NotMine2026x' });
  await client.post('/otp-address', { address: otpAddressOf(person), confirmationPassword: person.confirmationPassword });
  await client.get('/otp-address');
  await client.post('/otp-address/verify', { otp: await lastOneTimePassword(deps, otpAddressOf(person)) });
  await client.get('/status');
  await client.get('/settings/password');
  await client.post('/settings/password', { kind: 'login', current: 'NotMine2026x', next: 'NewLogin2026x', nextRepeat: 'NewLogin2026x' });
  await client.get('/settings/email');
  await client.post('/settings/email', { email: 'other@customer.example', confirmationPassword: person.confirmationPassword });
  await client.get('/settings/email');
  await client.post('/settings/email/verify', { code: '000000' });
  await client.get('/no-such-page');
  await client.post('/logout', {});
  await client.get('/status');

  const other = new RecordingClient(t.app);
  await other.get('/logon');
  await other.post('/logon', { contractId: person.contractId, userId: person.userId, password: person.loginPassword });
  await other.get('/logon/grid');
  await other.post('/logon/grid', { cell0: '1', cell1: '2', cell2: '3', cell3: 'x' });
  await other.post('/logon/grid', gridAnswerFields(other.lastPage, person.digits));

  const all = [...client.responses, ...other.responses];
  for (const path of ['/logon', '/logon/grid', '/setup', '/otp-address', '/status', '/settings/password', '/settings/email']) {
    assert.ok(all.some(({ method, url, response }) => method === 'GET' && url === path && response.statusCode === 200), `${path} was shown`);
  }
  assert.ok(all.some(({ response }) => setCookies(response).some((c) => c.startsWith('__Host-sid='))), 'a session cookie was checked');
  assert.ok(all.some(({ response }) => setCookies(response).some((c) => c.startsWith('__Host-csrf='))), 'a CSRF cookie was checked');
  assert.ok(all.some(({ response }) => setCookies(response).some((c) => c.startsWith('__Host-lang='))), 'a language cookie was checked');
  for (const { method, url, response } of all) {
    const label = `${method} ${url} (${response.statusCode})`;
    assertSecurityHeaders(label, response);
    assertNothingInline(label, response);
  }
});

test('an oversized body and a malformed request also carry the security headers', async () => {
  const big = await t.app.inject({
    method: 'POST',
    url: '/logon',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: 'password=' + 'a'.repeat(17 * 1024),
  });
  assert.equal(big.statusCode, 413);
  assertSecurityHeaders('oversized body', big);
  const malformed = await t.app.inject({ method: 'POST', url: '/logon', headers: { 'content-type': 'application/json' }, payload: '{"contractId":' });
  assert.equal(malformed.statusCode, 400);
  assertSecurityHeaders('malformed JSON', malformed);
});

test('static assets are served with nosniff and their own type, and may be cached', async () => {
  for (const [path, type] of [
    ['/static/site.css', /^text\/css/],
    ['/static/session-timer.js', /javascript/],
  ] as const) {
    const asset = await t.app.inject({ method: 'GET', url: path });
    assert.equal(asset.statusCode, 200, path);
    assert.match(String(asset.headers['content-type']), type, path);
    assert.equal(asset.headers['x-content-type-options'], 'nosniff', path);
    assert.ok(asset.headers['strict-transport-security'], path);
  }
});
