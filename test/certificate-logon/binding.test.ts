import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { Client } from '../helpers/client.ts';
import { completeFirstLogon, onboardMaster, type TestPerson } from '../helpers/people.ts';
import { HttpsClient, type TlsIdentity } from '../helpers/https-client.ts';
import { issueIdentity, logonOver, requireCertificates, startCertificatePortal, type CertificatePortal, type IssuedIdentity } from '../helpers/certificate-portal.ts';
import { addUser } from '../helpers/http-app.ts';
import { inTransaction } from '../../src/db/transaction.ts';
import { revokeValidCertificateInTx } from '../../src/modules/certificates/requirement.ts';
import { translator } from '../../src/web/i18n/index.ts';

/**
 * R4.1, R4.5: a session opened with a certificate is bound to it. Its cookie is
 * refused over a connection with no or another certificate, and a certificate revoked since ends
 * it at the next request; the session ends with a reason the logon page shows.
 */

const ja = translator('ja');
let database: TestDatabase;
let portal: CertificatePortal;
let master: TestPerson;
let colleague: TestPerson;
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

/** A browser of `person` logged on at the certificate listener with `presented`. */
async function loggedOn(person: TestPerson, presented: TlsIdentity): Promise<HttpsClient> {
  const browser = client(presented);
  const done = await logonOver(browser, portal.certificateUrl, person);
  assert.equal(done.location, '/status', done.body.slice(0, 300));
  assert.equal((await browser.get(portal.certificateUrl, '/status')).status, 200);
  return browser;
}

/** Another browser with the same session cookie. */
function replaying(from: HttpsClient, presented?: TlsIdentity): HttpsClient {
  const thief = client(presented);
  thief.cookies.set('__Host-sid', from.sessionCookie!);
  return thief;
}

/** The session row a cookie names (taken before a refusal clears the cookie). */
async function sessionOf(cookie: string) {
  const id = cookie.split('.')[0]!;
  return portal.deps.db.selectFrom('session').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

before(async () => {
  database = await createTestDatabase();
  portal = await startCertificatePortal(database.db);
  master = await onboarded();
  colleague = await addUser(portal.deps, master.contractId);
  plainMaster = await onboarded();
  await requireCertificates(portal.deps, master.contractId);
  identity.master = await issueIdentity(portal.deps, master);
  identity.colleague = await issueIdentity(portal.deps, colleague);
});

after(async () => {
  for (const made of clients) made.close();
  await portal?.close();
  await database?.drop();
});

test('a valid session cookie replayed without the certificate is refused, and the session ends with its reason', async () => {
  const browser = await loggedOn(master, identity.master!);
  const cookie = browser.sessionCookie!;
  const thief = replaying(browser);
  const answer = await thief.get(portal.certificateUrl, '/status');
  assert.equal(answer.status, 303);
  assert.equal(answer.location, '/logon?ended=certificate');
  const session = await sessionOf(cookie);
  assert.equal(session.end_reason, 'certificate');
  assert.ok(session.ended_at, 'the session is over, for its owner too');
  const owner = await browser.get(portal.certificateUrl, '/status');
  assert.equal(owner.location, '/logon?ended=certificate');
  const page = await browser.get(portal.certificateUrl, '/logon?ended=certificate');
  assert.ok(page.body.includes(ja('certificateLogon.ended.certificate')), 'the logon page says why');
});

test('a valid session cookie replayed at the ordinary listener (which never asks for a certificate) is refused', async () => {
  const browser = await loggedOn(master, identity.master!);
  const answer = await replaying(browser).get(portal.ordinaryUrl, '/status');
  assert.equal(answer.location, '/logon?ended=certificate');
  assert.equal((await sessionOf(browser.sessionCookie!)).end_reason, 'certificate');
});

test('a valid session cookie replayed with another person\'s valid certificate is refused', async () => {
  const browser = await loggedOn(master, identity.master!);
  const answer = await replaying(browser, identity.colleague).get(portal.certificateUrl, '/status');
  assert.equal(answer.location, '/logon?ended=certificate');
  assert.equal((await sessionOf(browser.sessionCookie!)).end_reason, 'certificate');
});

test('a session halfway through the logon (grid card) is bound too', async () => {
  const browser = client(identity.colleague);
  await browser.get(portal.certificateUrl, '/logon');
  const first = await browser.post(portal.certificateUrl, '/logon', { contractId: colleague.contractId, userId: colleague.userId, password: colleague.loginPassword });
  assert.equal(first.location, '/logon/grid');
  const answer = await replaying(browser).get(portal.certificateUrl, '/logon/grid');
  assert.equal(answer.location, '/logon?ended=certificate');
});

test('R4.5: revoking the certificate ends the open session at the next request', async () => {
  const browser = await loggedOn(colleague, identity.colleague!);
  const user = await userOf(colleague);
  const cookie = browser.sessionCookie!;
  await inTransaction(portal.deps.db, (tx) => revokeValidCertificateInTx(portal.deps, tx, user, 'reissue', { actor: 'test' }));
  const answer = await browser.get(portal.certificateUrl, '/status');
  assert.equal(answer.status, 303);
  assert.match(answer.location ?? '', /^\/logon\?ended=/);
  assert.ok((await sessionOf(cookie)).ended_at);
});

test('the page gate itself refuses a certificate revoked since the logon, however it was revoked', async () => {
  const browser = await loggedOn(master, identity.master!);
  // Only the certificate row changes: the session is left open, so the resume query must notice.
  const cookie = browser.sessionCookie!;
  await portal.deps.db.updateTable('client_certificate').set({ revoked_at: portal.deps.clock.now(), revocation_reason: 'key_compromise' }).where('serial_hex', '=', identity.master!.serialHex).execute();
  const answer = await browser.get(portal.certificateUrl, '/status');
  assert.equal(answer.location, '/logon?ended=certificate');
  assert.equal((await sessionOf(cookie)).end_reason, 'certificate');
});

test('an active session without a certificate is refused once its contract requires certificates', async () => {
  const browser = client();
  const done = await logonOver(browser, portal.certificateUrl, plainMaster);
  assert.equal(done.location, '/status');
  // The contract is switched without ending its sessions: the page gate alone must refuse them.
  const cookie = browser.sessionCookie!;
  await requireCertificates(portal.deps, plainMaster.contractId);
  const answer = await browser.get(portal.certificateUrl, '/status');
  assert.equal(answer.location, '/logon?ended=certificate_required');
  assert.equal((await sessionOf(cookie)).end_reason, 'certificate_required');
  const page = await browser.get(portal.certificateUrl, '/logon?ended=certificate_required');
  assert.ok(page.body.includes(ja('certificateLogon.ended.certificateRequired')));
});
