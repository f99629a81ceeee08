import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { Client, errorCode } from '../helpers/client.ts';
import { completeFirstLogon, gridAnswerFields, onboardMaster, type TestPerson } from '../helpers/people.ts';
import { HttpsClient, type TlsIdentity } from '../helpers/https-client.ts';
import { issueIdentity, logonOver, requireCertificates, startCertificatePortal, type CertificatePortal, type IssuedIdentity } from '../helpers/certificate-portal.ts';
import { addUser } from '../helpers/http-app.ts';
import { translator } from '../../src/web/i18n/index.ts';

/**
 * R4.3: the button 電子証明書の取得・更新 leads to a logon with IDs, login password and grid card,
 * without a certificate, that opens the acquisition page and nothing else; lockout and audit apply.
 * R4.4: from 30 days before the presented certificate's expiry the logon page says so.
 */

const ja = translator('ja');
const acquisition = '/logon/certificate';
let database: TestDatabase;
let portal: CertificatePortal;
let master: TestPerson;
let newcomer: TestPerson;
let plainMaster: TestPerson;
let masterIdentity: IssuedIdentity;
const clients: HttpsClient[] = [];

function client(identityToPresent?: TlsIdentity): HttpsClient {
  const made = new HttpsClient({ identity: identityToPresent });
  clients.push(made);
  return made;
}

async function userOf(person: TestPerson) {
  return portal.deps.db
    .selectFrom('users')
    .selectAll()
    .where('contract_id', '=', person.contractId)
    .where('user_id', '=', person.userId)
    .executeTakeFirstOrThrow();
}

async function sessionOf(cookie: string) {
  return portal.deps.db.selectFrom('session').selectAll().where('id', '=', cookie.split('.')[0]!).executeTakeFirstOrThrow();
}

async function passwordStep(browser: HttpsClient, base: string, person: TestPerson, password: string) {
  await browser.get(base, acquisition);
  return browser.post(base, acquisition, { contractId: person.contractId, userId: person.userId, password });
}

before(async () => {
  database = await createTestDatabase();
  portal = await startCertificatePortal(database.db);
  master = await onboardMaster(portal.deps);
  await completeFirstLogon(new Client(portal.ordinary), portal.deps, master);
  plainMaster = await onboardMaster(portal.deps);
  await completeFirstLogon(new Client(portal.ordinary), portal.deps, plainMaster);
  newcomer = await onboardMaster(portal.deps);
  await requireCertificates(portal.deps, master.contractId);
  await requireCertificates(portal.deps, newcomer.contractId);
});

after(async () => {
  for (const made of clients) made.close();
  await portal?.close();
  await database?.drop();
});

test('the logon page of both listeners offers the button 電子証明書の取得・更新', async () => {
  for (const base of [portal.ordinaryUrl, portal.certificateUrl]) {
    const page = await client().get(base, '/logon');
    assert.match(page.body, new RegExp(`<form method="get" action="${acquisition}"[^>]*>[\\s\\S]*?${ja('certificateLogon.acquireButton')}`), base);
  }
});

for (const listener of ['certificate', 'ordinary'] as const) {
  test(`the acquisition logon at the ${listener} listener needs no certificate and reaches stage 'certificate', which cannot open /status`, async () => {
    const base = listener === 'certificate' ? portal.certificateUrl : portal.ordinaryUrl;
    const browser = client();
    const done = await logonOver(browser, base, master, { path: acquisition });
    assert.equal(done.status, 303, done.body.slice(0, 300));
    assert.equal(done.location, '/certificate/acquire');
    const session = await sessionOf(browser.sessionCookie!);
    assert.equal(session.stage, 'certificate');
    assert.equal(session.client_certificate_id, null);
    const status = await browser.get(base, '/status');
    assert.equal(status.status, 303);
    assert.equal(status.location, '/certificate/acquire', 'a certificate-stage session is sent back to the acquisition');
    assert.equal((await browser.get(base, '/accounts')).location, '/certificate/acquire');
    const audit = await portal.deps.db
      .selectFrom('audit_log')
      .select(['outcome', 'details'])
      .where('user_ref', '=', (await userOf(master)).id)
      .where('action', '=', 'logon')
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    assert.equal(audit.outcome, 'success');
    assert.equal(audit.details.purpose, 'certificate');
  });
}

test('a wrong password at the acquisition logon counts towards the lockout, as at any logon', async () => {
  const before = await userOf(master);
  const answer = await passwordStep(client(), portal.certificateUrl, master, 'Wrong2026pass');
  assert.equal(errorCode(answer.body), 'AUTH_LOGON_FAILED');
  assert.equal((await userOf(master)).failed_attempts, before.failed_attempts + 1);
  // A wrong grid answer counts too; the completed logon resets the count.
  const browser = client();
  assert.equal((await passwordStep(browser, portal.certificateUrl, master, master.loginPassword)).location, '/logon/grid');
  const grid = await browser.get(portal.certificateUrl, '/logon/grid');
  const right = gridAnswerFields(grid.body, master.digits);
  const wrong = await browser.post(portal.certificateUrl, '/logon/grid', { ...right, cell0: String((Number(right.cell0) + 1) % 10) });
  assert.equal(errorCode(wrong.body), 'AUTH_GRID_FAILED');
  assert.equal((await userOf(master)).failed_attempts, before.failed_attempts + 2);
  assert.equal((await browser.post(portal.certificateUrl, '/logon/grid', right)).location, '/certificate/acquire');
  assert.equal((await userOf(master)).failed_attempts, 0);
});

test('a contract without certificates is told so at the acquisition logon, and only after the right password', async () => {
  const wrong = await passwordStep(client(), portal.certificateUrl, plainMaster, 'Wrong2026pass');
  assert.equal(errorCode(wrong.body), 'AUTH_LOGON_FAILED', 'without the password nothing is told about the contract');
  const right = await passwordStep(client(), portal.certificateUrl, plainMaster, plainMaster.loginPassword);
  assert.equal(right.status, 400);
  assert.equal(errorCode(right.body), 'CERT_LOGON_NOT_REQUIRED');
  assert.equal((await userOf(plainMaster)).failed_attempts, 1, 'the right password gave its attempt back; the wrong one still counts');
});

test('before the first logon the acquisition logon asks for it; the first logon itself needs no certificate', async () => {
  const early = await passwordStep(client(), portal.certificateUrl, newcomer, newcomer.registrationPassword);
  assert.equal(errorCode(early.body), 'CERT_LOGON_FIRST_LOGON_NEEDED');
  const browser = new Client(portal.ordinary);
  await completeFirstLogon(browser, portal.deps, newcomer);
  // The setup is done; the contract uses certificates, so the full session is not for this PC.
  const status = await browser.get('/status');
  assert.equal(status.headers.location, '/logon?ended=certificate_required');
  const acquired = await logonOver(client(), portal.certificateUrl, newcomer, { path: acquisition });
  assert.equal(acquired.location, '/certificate/acquire');
});

test('R4.4: the certificate listener shows the renewal notice from 30 days before expiry, and not before', async () => {
  masterIdentity = await issueIdentity(portal.deps, master);
  const day = 86_400_000;
  const notice = /data-notice="certificate-renewal"/;
  const date = '2027-04-01';
  assert.equal(masterIdentity.notAfter.toISOString().slice(0, 10), date, 'issued on the fake clock\'s day, valid one year');
  const browser = client(masterIdentity);

  portal.deps.clock.set(new Date(masterIdentity.notAfter.getTime() - 30 * day - 1000));
  assert.doesNotMatch((await browser.get(portal.certificateUrl, '/logon')).body, notice, 'thirty days and a second before: no notice');

  portal.deps.clock.set(new Date(masterIdentity.notAfter.getTime() - 30 * day));
  const page = (await browser.get(portal.certificateUrl, '/logon')).body;
  assert.match(page, notice);
  assert.ok(page.includes(ja('certificateLogon.renewal', { date })), 'the notice names the date');
  assert.match(page, /data-notice="certificate-renewal"[\s\S]*?action="\/logon\/certificate"/, 'with the renewal button');

  portal.deps.clock.set(new Date(masterIdentity.notAfter.getTime() - day));
  assert.match((await browser.get(portal.certificateUrl, '/logon')).body, notice);
  assert.doesNotMatch((await client().get(portal.certificateUrl, '/logon')).body, notice, 'no certificate: no notice');
  assert.doesNotMatch((await browser.get(portal.ordinaryUrl, '/logon')).body, notice, 'the ordinary listener sees no certificate');
});
