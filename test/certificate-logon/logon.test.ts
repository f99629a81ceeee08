import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { Client, errorCode } from '../helpers/client.ts';
import { completeFirstLogon, onboardMaster, type TestPerson } from '../helpers/people.ts';
import { HttpsClient, type TlsIdentity } from '../helpers/https-client.ts';
import {
  issueIdentity,
  logonOver,
  otherAuthorityIdentity,
  requireCertificates,
  selfSignedIdentity,
  startCertificatePortal,
  type CertificatePortal,
  type IssuedIdentity,
} from '../helpers/certificate-portal.ts';
import { addUser } from '../helpers/http-app.ts';
import { inTransaction } from '../../src/db/transaction.ts';
import { revokeValidCertificateInTx } from '../../src/modules/certificates/requirement.ts';

/**
 * R4.1, R4.2: a contract that uses certificates logs on only at the certificate listener, only
 * with the person's own valid certificate of the bank; every other certificate is refused with its
 * own message once the password is right (a right password gives its attempt back), and audited
 * with the real reason. A wrong password is answered as any wrong password, whatever the
 * certificate (R2.4): the refusal never tells a stranger that the user ID exists. Real HTTPS: the
 * certificate travels in the TLS handshake.
 */

let database: TestDatabase;
let portal: CertificatePortal;
let master: TestPerson;
let colleague: TestPerson;
let revokedPerson: TestPerson;
let otherMaster: TestPerson;
let plainMaster: TestPerson;
const identity: Record<string, IssuedIdentity> = {};
const clients: HttpsClient[] = [];

function client(identityToPresent?: TlsIdentity): HttpsClient {
  const made = new HttpsClient({ identity: identityToPresent });
  clients.push(made);
  return made;
}

async function onboarded(): Promise<TestPerson> {
  const person = await onboardMaster(portal.deps);
  await completeFirstLogon(new Client(portal.ordinary), portal.deps, person);
  return person;
}

async function userOf(person: TestPerson) {
  return portal.deps.db
    .selectFrom('users')
    .selectAll()
    .where('contract_id', '=', person.contractId)
    .where('user_id', '=', person.userId)
    .executeTakeFirstOrThrow();
}

async function lastLogonAudit(person: TestPerson) {
  const user = await userOf(person);
  return portal.deps.db
    .selectFrom('audit_log')
    .selectAll()
    .where('user_ref', '=', user.id)
    .where('action', '=', 'logon')
    .orderBy('id', 'desc')
    .executeTakeFirstOrThrow();
}

before(async () => {
  database = await createTestDatabase();
  portal = await startCertificatePortal(database.db);
  master = await onboarded();
  colleague = await addUser(portal.deps, master.contractId);
  revokedPerson = await addUser(portal.deps, master.contractId);
  otherMaster = await onboarded();
  plainMaster = await onboarded();
  await requireCertificates(portal.deps, master.contractId);
  await requireCertificates(portal.deps, otherMaster.contractId);
  identity.master = await issueIdentity(portal.deps, master);
  identity.colleague = await issueIdentity(portal.deps, colleague);
  identity.revoked = await issueIdentity(portal.deps, revokedPerson);
  identity.otherContract = await issueIdentity(portal.deps, otherMaster);
});

after(async () => {
  for (const made of clients) made.close();
  await portal?.close();
  await database?.drop();
});

test('a person logs on at the certificate listener with their own certificate, and the session records it', async () => {
  const browser = client(identity.master);
  const done = await logonOver(browser, portal.certificateUrl, master);
  assert.equal(done.status, 303, done.body.slice(0, 300));
  assert.equal(done.location, '/status');
  const status = await browser.get(portal.certificateUrl, '/status');
  assert.equal(status.status, 200);
  const user = await userOf(master);
  const certificate = await portal.deps.db
    .selectFrom('client_certificate')
    .select('id')
    .where('serial_hex', '=', identity.master!.serialHex)
    .executeTakeFirstOrThrow();
  const session = await portal.deps.db
    .selectFrom('session')
    .select(['client_certificate_id', 'stage'])
    .where('user_ref', '=', user.id)
    .where('ended_at', 'is', null)
    .executeTakeFirstOrThrow();
  assert.equal(session.stage, 'active');
  assert.equal(session.client_certificate_id, certificate.id, 'the session is bound to the certificate it was opened with');
  const audit = await lastLogonAudit(master);
  assert.equal(audit.outcome, 'success');
});

const refusals: { name: string; identity: () => Promise<TlsIdentity | undefined>; person: () => TestPerson; code: string; reason: string }[] = [
  { name: 'no certificate', identity: async () => undefined, person: () => master, code: 'CERT_LOGON_MISSING', reason: 'certificate_missing' },
  { name: 'the certificate of another person of the same contract', identity: async () => identity.colleague, person: () => master, code: 'CERT_LOGON_OTHER_PERSON', reason: 'certificate_other_person' },
  { name: 'the certificate of a person of another contract', identity: async () => identity.otherContract, person: () => master, code: 'CERT_LOGON_OTHER_PERSON', reason: 'certificate_other_contract' },
  { name: 'a self-signed certificate with the person\'s very subject', identity: () => selfSignedIdentity(portal.deps, master), person: () => master, code: 'CERT_LOGON_FOREIGN', reason: 'certificate_foreign' },
  { name: 'a certificate of another CA with the bank\'s CA name', identity: () => otherAuthorityIdentity(portal.deps, master), person: () => master, code: 'CERT_LOGON_FOREIGN', reason: 'certificate_foreign' },
];

for (const refusal of refusals) {
  test(`a logon presenting ${refusal.name} with the right password is refused with its own message, and costs no attempt`, async () => {
    const person = refusal.person();
    const before = await userOf(person);
    const browser = client(await refusal.identity());
    await browser.get(portal.certificateUrl, '/logon');
    const answer = await browser.post(portal.certificateUrl, '/logon', { contractId: person.contractId, userId: person.userId, password: person.loginPassword });
    assert.equal(answer.status, 403);
    assert.equal(errorCode(answer.body), refusal.code);
    assert.equal(browser.cookies.get('__Host-sid'), undefined, 'no session is opened');
    const afterwards = await userOf(person);
    assert.equal(afterwards.failed_attempts, before.failed_attempts, 'the right password gave its attempt back');
    const audit = await lastLogonAudit(person);
    assert.equal(audit.outcome, 'failure');
    assert.equal(audit.reason, refusal.reason);
  });
}

/** A refused logon page as a stranger sees it, with this browser's CSRF token and the echoed IDs blanked. */
function comparable(body: string): string {
  return body.replace(/(name="_csrf" value=")[^"]*"/g, '$1"').replace(/(name="(?:contractId|userId)" type="text" value=")[^"]*"/g, '$1"');
}

test('R2.4: on a certificate contract an unknown user and a known user with a wrong password get the same answer, at either listener', async () => {
  for (const [listener, base] of [['ordinary', portal.ordinaryUrl], ['certificate', portal.certificateUrl]] as const) {
    // A stranger's browser: no certificate, as the attacker enumerating user IDs had none.
    const attempt = async (userId: string) => {
      const browser = client();
      await browser.get(base, '/logon');
      return browser.post(base, '/logon', { contractId: colleague.contractId, userId, password: 'Wrong2026pass' });
    };
    const before = await userOf(colleague);
    const known = await attempt(colleague.userId);
    // The password was evaluated and counted, as any wrong password is (R2.3), not skipped for the certificate.
    assert.equal((await userOf(colleague)).failed_attempts, before.failed_attempts + 1, `${listener}: the known user's wrong password counts`);
    assert.equal((await lastLogonAudit(colleague)).reason, 'wrong_password', `${listener}: audited as a wrong password`);
    const unknown = await attempt('nobody9');
    for (const answer of [known, unknown]) {
      assert.equal(answer.status, 401, listener);
      assert.equal(errorCode(answer.body), 'AUTH_LOGON_FAILED', listener);
    }
    assert.equal(comparable(known.body), comparable(unknown.body), `${listener}: one and the same page`);
  }
});

test('the refusal for a missing certificate leads to the acquisition and to the certificate logon', async () => {
  const browser = client();
  await browser.get(portal.certificateUrl, '/logon');
  const answer = await browser.post(portal.certificateUrl, '/logon', { contractId: master.contractId, userId: master.userId, password: master.loginPassword });
  assert.equal(errorCode(answer.body), 'CERT_LOGON_MISSING');
  assert.match(answer.body, /<form method="get" action="\/logon\/certificate"/, 'the button 電子証明書の取得・更新');
  assert.ok(answer.body.includes(`href="${portal.deps.config.certPublicUrl}/logon"`), 'the certificate logon link');
});

test('a revoked certificate is refused as revoked', async () => {
  const user = await userOf(revokedPerson);
  await inTransaction(portal.deps.db, (tx) => revokeValidCertificateInTx(portal.deps, tx, user, 'key_compromise', { actor: 'test' }));
  const browser = client(identity.revoked);
  const answer = await logonOver(browser, portal.certificateUrl, revokedPerson);
  assert.equal(answer.status, 403);
  assert.equal(errorCode(answer.body), 'CERT_LOGON_REVOKED');
  assert.equal((await lastLogonAudit(revokedPerson)).reason, 'certificate_revoked');
  assert.equal((await userOf(revokedPerson)).failed_attempts, 0);
});

test('the ordinary listener refuses a certificate contract with a link to the certificate listener, and never asks for a certificate', async () => {
  const browser = client(identity.master);
  const answer = await logonOver(browser, portal.ordinaryUrl, master);
  assert.equal(answer.status, 403);
  assert.equal(errorCode(answer.body), 'CERT_LOGON_USE_CERTIFICATE_SITE');
  assert.ok(answer.body.includes(`href="${portal.deps.config.certPublicUrl}/logon"`));
  assert.equal((await lastLogonAudit(master)).reason, 'certificate_listener_required');
  assert.ok(portal.peers.ordinary.length > 0, 'connections reached the ordinary listener');
  assert.ok(portal.peers.ordinary.every((carried) => !carried), 'no connection to the ordinary listener carried a certificate, though the client had one');
  assert.ok(portal.peers.certificate.some((carried) => carried), 'the certificate listener did receive certificates');
});

test('a contract without certificates logs on as before at either listener', async () => {
  for (const base of [portal.ordinaryUrl, portal.certificateUrl]) {
    const browser = client();
    const done = await logonOver(browser, base, plainMaster);
    assert.equal(done.status, 303, `${base}: ${done.body.slice(0, 300)}`);
    assert.equal(done.location, '/status');
    assert.equal((await browser.get(base, '/status')).status, 200);
  }
});

// Last: it moves the clock past the certificates' year.
test('R4.4: an expired certificate is refused as expired, by the service\'s clock', async () => {
  portal.deps.clock.set(new Date(identity.master!.notAfter.getTime() + 1000));
  const browser = client(identity.master);
  await browser.get(portal.certificateUrl, '/logon');
  const answer = await browser.post(portal.certificateUrl, '/logon', { contractId: master.contractId, userId: master.userId, password: master.loginPassword });
  assert.equal(answer.status, 403);
  assert.equal(errorCode(answer.body), 'CERT_LOGON_EXPIRED');
  assert.equal((await lastLogonAudit(master)).reason, 'certificate_expired');
});
