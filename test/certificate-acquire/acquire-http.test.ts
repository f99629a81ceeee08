import 'reflect-metadata';
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import tls from 'node:tls';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { Client, errorCode } from '../helpers/client.ts';
import { activeMaster, addUser, en, ja, startApp, type TestApp } from '../helpers/http-app.ts';
import { loadBrowserPki, type BrowserPki } from './browser-modules.ts';
import { acquirePath, acquisitionLogon, browserRequest, certificatesOf, postRequest, requireCertificates } from './support.ts';
import { formatDay } from '../../src/domain/display-date.ts';
import { tokyoDate } from '../../src/domain/business-days.ts';

/**
 * R4.3, R4.6: the acquisition page and its JSON endpoint. A certificate is issued only inside a
 * logon made for it, with the page's CSRF token, for a request that names the person logged on and
 * is signed by the key it carries; a person's current certificate is replaced only when confirmed.
 */

let database: TestDatabase;
let testApp: TestApp;
let pki: BrowserPki;
before(async () => {
  database = await createTestDatabase();
  testApp = await startApp(database.db);
  pki = await loadBrowserPki();
});
after(async () => {
  await testApp.app.close();
  await database.drop();
});

/** A master of a contract switched to certificates, logged on through 電子証明書の取得・更新. */
async function masterAtAcquisition() {
  const { person, client } = await activeMaster(testApp);
  await requireCertificates(testApp.deps, person.contractId);
  const acquirePage = await acquisitionLogon(client, person);
  return { person, client, acquirePage };
}

test('the acquisition page names the person, the one-year validity and runs a static module script, with no inline script', async () => {
  const { person, acquirePage } = await masterAtAcquisition();
  assert.equal(acquirePage.statusCode, 200);
  const page = acquirePage.body;
  assert.match(page, new RegExp(`<dd>${person.contractId}</dd>`));
  assert.match(page, new RegExp(`<dd>${person.userId}</dd>`));
  assert.match(page, new RegExp(`data-contract-id="${person.contractId}" data-user-id="${person.userId}"`));
  assert.match(page, new RegExp(`download="${person.contractId}-${person.userId}.p12"`));
  // R4.4: one year from 2026-04-01 (the test clock).
  assert.ok(page.includes(ja('certificateAcquire.validityValue', { date: '2027-04-01' })));
  assert.ok(page.includes('<noscript>'));
  assert.doesNotMatch(page, /id="acquire-existing"/, 'no current certificate, no replacement warning');
  const scripts = [...page.matchAll(/<script([^>]*)>/g)].map((m) => m[1]!);
  assert.ok(scripts.length > 0);
  for (const attributes of scripts) assert.match(attributes, /src="\/static\/[a-z-]+\.js"/, 'every script is a static file');
  assert.match(page, /<script type="module" src="\/static\/certificate-acquire\.js">/);
  assert.doesNotMatch(page, /\sstyle=|\son[a-z]+=/i, 'no inline style or event handler');
  for (const file of ['certificate-acquire.js', 'pki-acquire.js', 'pki-request.js', 'pki-pkcs12.js', 'pki-der.js']) {
    const served = await testApp.app.inject({ method: 'GET', url: `/static/${file}` });
    assert.equal(served.statusCode, 200, file);
    assert.match(String(served.headers['content-type']), /javascript/, file);
  }
});

test('a successful acquisition answers the certificate for the browser\'s key and the CA certificate, valid one year, and ends the acquisition logon', async () => {
  const { person, client } = await masterAtAcquisition();
  const { pem, keys } = await browserRequest(pki, `${person.contractId}-${person.userId}`);
  const answer = await postRequest(client, pem);
  assert.equal(answer.status, 200, JSON.stringify(answer.json));
  const certificate = new X509Certificate(answer.json.certificatePem!);
  const authority = new X509Certificate(answer.json.authorityCertificatePem!);
  assert.equal(certificate.verify(authority.publicKey), true);
  assert.match(certificate.subject, new RegExp(`CN=${person.contractId}-${person.userId}`));
  const spki = Buffer.from(await crypto.subtle.exportKey('spki', keys.publicKey));
  assert.deepEqual(certificate.publicKey.export({ type: 'spki', format: 'der' }), spki);
  const expected = new Date(testApp.deps.clock.now().getTime() + 365 * 86_400_000);
  assert.equal(answer.json.notAfter, expected.toISOString());
  assert.equal(answer.json.notAfterShown, formatDay(tokyoDate(expected), 'ja'), 'the last day as pages show days, for the script to show');
  assert.equal(new Date(certificate.validTo).getTime(), Math.floor(expected.getTime() / 1000) * 1000);
  const stored = await certificatesOf(testApp.deps, person);
  assert.equal(stored.length, 1);
  assert.equal(stored[0]!.revoked_at, null);

  // The stage has done its work: the page and the endpoint are closed to this session.
  const again = await client.get(acquirePath);
  assert.equal(again.statusCode, 303);
  assert.match(String(again.headers.location), /^\/logon/);
  const second = await postRequest(client, (await browserRequest(pki, `${person.contractId}-${person.userId}`)).pem, { replace: true });
  assert.equal(second.status, 401);
  assert.equal(second.json.code, 'SESSION_REQUIRED');
  assert.equal((await certificatesOf(testApp.deps, person)).length, 1, 'nothing issued after the end');
});

test('the browser\'s own steps against the endpoint yield a PKCS#12 file that Node loads with the password shown', async () => {
  const { person, client } = await masterAtAcquisition();
  const result = await pki.acquire.acquireCertificate({
    contractId: person.contractId,
    userId: person.userId,
    friendlyName: `デモ銀行 ${person.contractId}-${person.userId}`,
    csrfToken: client.csrf!,
    replace: false,
    messages: { failed: 'failed', mismatch: 'mismatch' },
    async send(body) {
      const response = await client.app.inject({
        method: 'POST',
        url: acquirePath,
        headers: { cookie: [...client.cookies].map(([name, value]) => `${name}=${value}`).join('; '), 'content-type': 'application/x-www-form-urlencoded' },
        payload: body.toString(),
        remoteAddress: client.ip,
      });
      return { ok: response.statusCode < 300, status: response.statusCode, headers: { get: (name) => String(response.headers[name.toLowerCase()] ?? '') || null }, json: async () => response.json() };
    },
  });
  assert.equal(result.fileName, `${person.contractId}-${person.userId}.p12`);
  tls.createSecureContext({ pfx: Buffer.from(result.pkcs12), passphrase: result.password });
});

test('a POST without a logon at stage certificate is refused: no session, an ordinary session, and an acquisition logon whose grid card is not yet answered', async () => {
  const { person: other } = await masterAtAcquisition();
  const request = (await browserRequest(pki, `${other.contractId}-${other.userId}`)).pem;

  const anonymous = new Client(testApp.app);
  await anonymous.get('/logon');
  const none = await postRequest(anonymous, request);
  assert.equal(none.status, 401);
  assert.equal(none.json.code, 'SESSION_REQUIRED');

  // An ordinary, complete logon of a contract without certificates: its own valid CSRF token.
  const { person: ordinary, client: ordinaryClient } = await activeMaster(testApp);
  await ordinaryClient.get('/status');
  const ordinaryRequest = (await browserRequest(pki, `${ordinary.contractId}-${ordinary.userId}`)).pem;
  const active = await postRequest(ordinaryClient, ordinaryRequest);
  assert.equal(active.status, 403);
  assert.equal(active.json.code, 'CERT_ACQUIRE_STAGE');
  const page = await ordinaryClient.get(acquirePath);
  assert.equal(page.headers.location, '/status', 'the page sends an ordinary session home');

  // The password alone is not enough (R4.3: IDs, password and grid card).
  const { person: pending, client: pendingClient } = await activeMaster(testApp);
  await requireCertificates(testApp.deps, pending.contractId);
  await pendingClient.get('/logon/certificate');
  await pendingClient.post('/logon/certificate', { contractId: pending.contractId, userId: pending.userId, password: pending.loginPassword });
  await pendingClient.get('/logon/grid');
  const atGrid = await postRequest(pendingClient, (await browserRequest(pki, `${pending.contractId}-${pending.userId}`)).pem);
  assert.equal(atGrid.status, 403);
  assert.equal(atGrid.json.code, 'CERT_ACQUIRE_STAGE');

  for (const person of [other, ordinary, pending]) assert.deepEqual(await certificatesOf(testApp.deps, person), [], 'nothing issued');
});

test('a POST without the page\'s CSRF token, or with another, is refused and issues nothing; the page\'s token then works', async () => {
  const { person, client } = await masterAtAcquisition();
  const { pem } = await browserRequest(pki, `${person.contractId}-${person.userId}`);
  const missing = await postRequest(client, pem, { csrf: null });
  assert.equal(missing.status, 403);
  assert.equal(missing.json.code, 'CSRF_INVALID');
  const wrong = await postRequest(client, pem, { csrf: 'A'.repeat(32) });
  assert.equal(wrong.status, 403);
  assert.equal(wrong.json.code, 'CSRF_INVALID');
  assert.deepEqual(await certificatesOf(testApp.deps, person), []);
  const right = await postRequest(client, pem);
  assert.equal(right.status, 200);
});

test('a certificate request for someone else\'s ID is refused: another user of the contract, the same user ID in another contract', async () => {
  const { person, client } = await masterAtAcquisition();
  const colleague = await addUser(testApp.deps, person.contractId);
  const { person: stranger } = await activeMaster(testApp);
  for (const commonName of [`${person.contractId}-${colleague.userId}`, `${stranger.contractId}-${person.userId}`, `${person.contractId}-${person.userId}x`]) {
    const answer = await postRequest(client, (await browserRequest(pki, commonName)).pem);
    assert.equal(answer.status, 400, commonName);
    assert.equal(answer.json.code, 'CERT_REQUEST_SUBJECT', commonName);
  }
  for (const someone of [person, colleague, stranger]) assert.deepEqual(await certificatesOf(testApp.deps, someone), []);
  // The logon is still usable for the person's own request.
  assert.equal((await postRequest(client, (await browserRequest(pki, `${person.contractId}-${person.userId}`)).pem)).status, 200);
});

test('a certificate request that carries key A but is signed by key B is refused', async () => {
  const { person, client } = await masterAtAcquisition();
  const keyA = await pki.request.generateKeyPair();
  const keyB = await pki.request.generateKeyPair();
  // The request names A's public key; its signature is made with B's private key.
  const forged = await pki.request.buildCertificateRequest({ publicKey: keyA.publicKey, privateKey: keyB.privateKey }, `${person.contractId}-${person.userId}`);
  const answer = await postRequest(client, forged);
  assert.equal(answer.status, 400);
  assert.equal(answer.json.code, 'CERT_REQUEST_SIGNATURE');
  // Garbage and a missing request are refused as unreadable.
  for (const csr of ['not a request', '']) {
    const refused = await postRequest(client, csr);
    assert.equal(refused.status, 400);
    assert.equal(refused.json.code, 'CERT_REQUEST_INVALID');
  }
  const tooLong = await postRequest(client, 'A'.repeat(8193));
  assert.equal(tooLong.json.code, 'CERT_REQUEST_INVALID');
  assert.deepEqual(await certificatesOf(testApp.deps, person), []);
});

test('R4.6: with a current certificate, a new one is refused until the person confirms, and then replaces it, the old one revoked', async () => {
  const { person, client } = await masterAtAcquisition();
  const commonName = `${person.contractId}-${person.userId}`;
  assert.equal((await postRequest(client, (await browserRequest(pki, commonName)).pem)).status, 200);
  const [first] = await certificatesOf(testApp.deps, person);

  testApp.deps.clock.advanceSeconds(86_400);
  const page = await acquisitionLogon(client, person);
  assert.match(page.body, /id="acquire-existing"/);
  assert.ok(page.body.includes(ja('certificateAcquire.existing', { date: '2027年4月1日（木）' })), 'the warning names the current certificate\'s end');
  assert.match(page.body, /<input type="checkbox" name="replace" value="yes" id="f-replace">/);

  const unconfirmed = await postRequest(client, (await browserRequest(pki, commonName)).pem, { replace: false });
  assert.equal(unconfirmed.status, 409);
  assert.equal(unconfirmed.json.code, 'CERT_REPLACE_CONFIRM');
  assert.deepEqual(await certificatesOf(testApp.deps, person), [first], 'the current certificate is untouched');

  const confirmed = await postRequest(client, (await browserRequest(pki, commonName)).pem, { replace: true });
  assert.equal(confirmed.status, 200, JSON.stringify(confirmed.json));
  const [old, current, ...rest] = await certificatesOf(testApp.deps, person);
  assert.equal(rest.length, 0);
  assert.equal(old!.id, first!.id);
  assert.notEqual(old!.revoked_at, null, 'the old certificate is revoked');
  assert.equal(current!.revoked_at, null);
  assert.equal(new X509Certificate(confirmed.json.certificatePem!).serialNumber.toLowerCase(), current!.serial_hex);
});

test('refusals answer in the person\'s language', async () => {
  const { person, client } = await masterAtAcquisition();
  await client.get(`${acquirePath}?lang=en`);
  const english = await postRequest(client, 'not a request');
  assert.equal(english.json.message, en('error.CERT_REQUEST_INVALID'));
  await client.get(`${acquirePath}?lang=ja`);
  const japanese = await postRequest(client, (await browserRequest(pki, `${person.contractId}-someone`)).pem);
  assert.equal(japanese.json.message, ja('error.CERT_REQUEST_SUBJECT'));
});

test('a contract that does not use certificates (switched off after the logon) is told so on the page and by the endpoint', async () => {
  const { person, client } = await masterAtAcquisition();
  await requireCertificates(testApp.deps, person.contractId, false);
  const page = await client.get(acquirePath);
  assert.equal(page.statusCode, 200);
  assert.equal(errorCode(page.body), 'CERT_NOT_REQUIRED');
  assert.doesNotMatch(page.body, /id="acquire-start"/);
  const answer = await postRequest(client, (await browserRequest(pki, `${person.contractId}-${person.userId}`)).pem);
  assert.equal(answer.json.code, 'CERT_NOT_REQUIRED');
  assert.deepEqual(await certificatesOf(testApp.deps, person), []);
});

test('the acquisition page reads in English, with no Japanese left but the names and the language switch', async () => {
  const { client } = await masterAtAcquisition();
  const page = await client.get(`${acquirePath}?lang=en`);
  assert.equal(page.statusCode, 200);
  assert.ok(page.body.includes(`<h1>${en('certificateAcquire.title')}</h1>`));
  const text = page.body.replace(/<[^>]+>/g, ' ').replace(/テスト商事\d+|テスト 太郎|デモ銀行|日本語/g, '');
  assert.deepEqual(text.match(/[\u3000-\u30ff\u3400-\u9fff\uff00-\uffef]+/g) ?? [], []);
});
