import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { testDeps } from '../helpers/deps.ts';
import { Client } from '../helpers/client.ts';
import { completeFirstLogon, onboardMaster } from '../helpers/people.ts';
import { assertNoStackTrace } from '../helpers/http-app.ts';
import { buildApp } from '../../src/app.ts';
import { buildConsole } from '../../src/operator/console/server.ts';
import { errorCode, newStaff, passwordStep, staffLogon, staffSessionCookie, startConsole, type TestConsole } from './console-support.ts';

/**
 * The console is a listener of its own: the portal never answers for it, its cookies and sessions
 * are its own, its allow-list answers before anything else, and its browser policy is the portal's.
 */
let database: TestDatabase;
let t: TestConsole;
let portal: FastifyInstance;
before(async () => {
  database = await createTestDatabase();
  t = await startConsole(database.db);
  portal = await buildApp(t.deps, { logger: false });
});
after(async () => {
  await t.app.close();
  await portal.close();
  await database.drop();
});

const consolePaths = ['/operator', '/operator/logon', '/operator/logon/totp', '/operator/contracts', '/operator/applications', '/operator/applications/1', '/operator/static/console/console.css'];

test('the customers\' portal answers 404 to every console path, GET and POST, logged on or not', async () => {
  const member = await newStaff(t.deps, 'approver');
  const staffClient = await staffLogon(t, member);
  const master = await onboardMaster(t.deps);
  const customer = new Client(portal);
  await completeFirstLogon(customer, t.deps, master);
  for (const path of consolePaths) {
    for (const cookies of [new Map<string, string>(), customer.cookies, staffClient.cookies]) {
      const header = [...cookies].map(([name, value]) => `${name}=${value}`).join('; ');
      const get = await portal.inject({ method: 'GET', url: path, headers: { cookie: header } });
      assert.equal(get.statusCode, 404, `GET ${path}`);
      const post = await portal.inject({ method: 'POST', url: path, headers: { cookie: header, 'content-type': 'application/x-www-form-urlencoded' }, payload: 'login=x&password=y' });
      assert.equal(post.statusCode, 404, `POST ${path}`);
    }
  }
  const logonPost = await portal.inject({ method: 'POST', url: '/operator/logon', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: `login=${member.login}&password=${member.initialPassword}` });
  assert.equal(logonPost.statusCode, 404);
  assert.equal(logonPost.headers['set-cookie'], undefined, 'no staff session is ever made by the portal');
});

test('a customer\'s session cookie opens nothing in the console, and a staff session opens nothing in the portal', async () => {
  const member = await newStaff(t.deps, 'approver');
  const staffClient = await staffLogon(t, member);
  const staffToken = staffClient.cookies.get(staffSessionCookie)!;
  const master = await onboardMaster(t.deps);
  const customer = new Client(portal);
  await completeFirstLogon(customer, t.deps, master);
  const customerToken = customer.cookies.get('__Host-sid')!;
  assert.equal((await customer.get('/status')).statusCode, 200);

  // The customer's cookie, as the browser sends it to every port of the host, and under the staff name.
  for (const cookie of [`__Host-sid=${customerToken}`, `${staffSessionCookie}=${customerToken}`]) {
    const response = await t.app.inject({ method: 'GET', url: '/operator/contracts', headers: { cookie } });
    assert.equal(response.statusCode, 303, cookie);
    assert.equal(response.headers.location, '/operator/logon');
  }
  for (const cookie of [`${staffSessionCookie}=${staffToken}`, `__Host-sid=${staffToken}`]) {
    const response = await portal.inject({ method: 'GET', url: '/status', headers: { cookie } });
    assert.equal(response.statusCode, 303, cookie);
    assert.match(String(response.headers.location), /^\/logon/);
  }
  // Both still work where they belong.
  assert.equal((await staffClient.get('/operator/contracts')).statusCode, 200);
  assert.equal((await customer.get('/status')).statusCode, 200);
});

test('with an allow-list, any other address gets 403 before anything else: no cookie, no session lookup, no logon', async () => {
  const deps = testDeps(database.db, { env: { OPERATOR_ALLOWED_IPS: '10.20.0.0/16, 192.0.2.7, 2001:db8::/32' }, clock: t.deps.clock });
  const guarded = await buildConsole(deps, { logger: false });
  try {
    const member = await newStaff(deps, 'approver');
    const allowedClient = await staffLogon({ deps, app: guarded }, member, { ip: '10.20.3.4' });
    const token = allowedClient.cookies.get(staffSessionCookie)!;
    const attemptsBefore = await deps.db.selectFrom('audit_log').select('id').where('action', '=', 'staff.logon').execute();
    const refused: LightMyRequestResponse[] = [];
    for (const ip of ['203.0.113.9', '10.21.0.1', '192.0.2.8', '::1', '2001:db9::1', '::ffff:203.0.113.9']) {
      for (const [method, url] of [['GET', '/operator/logon'], ['GET', '/operator/static/site.css'], ['GET', '/operator/contracts'], ['POST', '/operator/logon'], ['GET', '/nowhere']] as const) {
        const response = await guarded.inject({
          method,
          url,
          remoteAddress: ip,
          headers: { cookie: `${staffSessionCookie}=${token}`, 'content-type': 'application/x-www-form-urlencoded' },
          payload: method === 'POST' ? `login=${member.login}&password=${member.initialPassword}` : undefined,
        });
        assert.equal(response.statusCode, 403, `${ip} ${method} ${url}`);
        refused.push(response);
      }
    }
    for (const response of refused) {
      assert.equal(errorCode(response.body), 'OPERATOR_ADDRESS_REFUSED');
      assert.equal(response.headers['set-cookie'], undefined, 'not even a CSRF cookie');
      assert.ok(String(response.headers['content-security-policy']).includes("default-src 'none'"));
    }
    const attemptsAfter = await deps.db.selectFrom('audit_log').select('id').where('action', '=', 'staff.logon').execute();
    assert.equal(attemptsAfter.length, attemptsBefore.length, 'no logon was attempted for a refused address');
    // Allowed: the range, the single address, IPv6, and an IPv4 client seen through a dual-stack socket.
    for (const ip of ['10.20.255.1', '192.0.2.7', '2001:db8::5', '::ffff:10.20.0.9']) {
      const response = await guarded.inject({ method: 'GET', url: '/operator/contracts', remoteAddress: ip, headers: { cookie: `${staffSessionCookie}=${token}` } });
      assert.equal(response.statusCode, 200, ip);
    }
  } finally {
    await guarded.close();
  }
});

function csp(response: LightMyRequestResponse): string {
  return String(response.headers['content-security-policy'] ?? '');
}

test('the console sends the portal\'s security headers: the same CSP, HSTS, no framing, nosniff, no-store; __Host- cookies only', async () => {
  const portalPage = await portal.inject({ method: 'GET', url: '/logon' });
  const member = await newStaff(t.deps, 'recorder');
  const client = new Client(t.app);
  const pages = [await client.get('/operator/logon'), await passwordStep(client, member), await client.get('/operator/logon/totp'), await client.get('/operator/nowhere')];
  for (const page of pages) {
    for (const header of ['content-security-policy', 'strict-transport-security', 'x-frame-options', 'x-content-type-options', 'referrer-policy', 'cross-origin-opener-policy']) {
      assert.equal(page.headers[header], portalPage.headers[header], header);
    }
    assert.match(csp(page), /default-src 'none'/);
    assert.doesNotMatch(csp(page), /unsafe-inline|unsafe-eval/);
    assert.match(String(page.headers['cache-control']), /no-store/);
    const cookies = page.headers['set-cookie'];
    for (const cookie of cookies === undefined ? [] : Array.isArray(cookies) ? cookies : [cookies]) {
      assert.match(cookie, /^__Host-/);
      assert.match(cookie, /; Secure/i);
      assert.match(cookie, /; HttpOnly/i);
      assert.match(cookie, /; SameSite=Strict/i);
      assert.match(cookie, /; Path=\//);
    }
  }
  assert.equal(pages[3]!.statusCode, 404);
  assertNoStackTrace(pages[3]!);
  // Pages name no inline script or style.
  for (const page of pages) assert.doesNotMatch(page.body, /<script(?![^>]*\bsrc=)|<style|\sstyle=/);
  for (const asset of ['/operator/static/console/console.css', '/operator/static/site.css', '/operator/static/favicon.svg']) {
    assert.equal((await client.get(asset)).statusCode, 200, asset);
  }
  const timer = await client.get('/operator/static/session-timer.js');
  assert.equal(timer.statusCode, 404, 'only the stylesheet and icon of the portal are served here');
});

test('CSRF: a form without the token, with another session\'s token, or from a page of the anonymous stage, is refused and changes nothing', async () => {
  const member = await newStaff(t.deps, 'approver');
  const other = await newStaff(t.deps, 'recorder');
  const master = await onboardMaster(t.deps);
  // The logon form: no token, or a token that is not this browser's.
  const anonymous = new Client(t.app);
  await anonymous.get('/operator/logon');
  for (const csrf of [null, 'x'.repeat(32)]) {
    const response = await anonymous.post('/operator/logon', { login: member.login, password: member.initialPassword }, { csrf });
    assert.equal(response.statusCode, 403);
    assert.equal(errorCode(response.body), 'CSRF_INVALID');
    assert.equal(anonymous.cookies.get(staffSessionCookie), undefined);
  }
  const client = await staffLogon(t, member);
  const otherClient = await staffLogon(t, other);
  await otherClient.get('/operator/contracts');
  const before = await t.deps.db.selectFrom('change_application').select('id').execute();
  await client.get(`/operator/contracts/${master.contractId}`);
  for (const csrf of [null, otherClient.csrf!, '']) {
    const response = await client.post(`/operator/contracts/${master.contractId}/applications`, { kind: 'issue_card', userId: master.userId, reference: 'CSRF-1' }, { csrf });
    assert.equal(response.statusCode, 403);
    assert.equal(errorCode(response.body), 'CSRF_INVALID');
  }
  assert.deepEqual(await t.deps.db.selectFrom('change_application').select('id').execute(), before, 'nothing recorded');
});

test('no answer of the console shows a stack trace, even to odd requests', async () => {
  const member = await newStaff(t.deps, 'approver');
  const client = await staffLogon(t, member);
  const cookie = [...client.cookies].map(([n, v]) => `${n}=${v}`).join('; ');
  const odd = [
    { method: 'GET', url: '/operator/contracts/12345678901' },
    { method: 'GET', url: '/operator/contracts/%E0%A4%A' },
    { method: 'GET', url: '/operator/applications/99999999999999' },
    { method: 'GET', url: '/operator/applications/-1' },
    { method: 'POST', url: '/operator/applications/1/approve', payload: '{"_csrf":', headers: { 'content-type': 'application/json' } },
    { method: 'POST', url: '/operator/logon', payload: 'x'.repeat(20_000), headers: { 'content-type': 'application/x-www-form-urlencoded' } },
    { method: 'POST', url: '/operator/logon', payload: '<a/>', headers: { 'content-type': 'application/xml' } },
  ] as const;
  for (const request of odd) {
    const response = await t.app.inject({ ...request, headers: { cookie, ...('headers' in request ? request.headers : {}) } } as never);
    assert.ok(response.statusCode >= 400 && response.statusCode < 500, `${request.method} ${request.url}: ${response.statusCode}`);
    assertNoStackTrace(response);
  }
});
