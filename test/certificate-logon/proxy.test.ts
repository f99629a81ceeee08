import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { Client, errorCode } from '../helpers/client.ts';
import { completeFirstLogon, onboardMaster, type TestPerson } from '../helpers/people.ts';
import { HttpsClient, type TlsIdentity } from '../helpers/https-client.ts';
import { issueIdentity, logonOver, requireCertificates, startCertificatePortal, type CertificatePortal, type IssuedIdentity } from '../helpers/certificate-portal.ts';

/**
 * Issue 5 §7: behind a TLS-terminating proxy the certificate arrives in a header (nginx
 * `$ssl_client_escaped_cert`, URL-encoded PEM), believed only from a configured proxy address.
 * The test client connects from 127.0.0.1: one portal lists that address as its proxy, the other
 * lists another one.
 */

const header = 'x-ssl-client-cert';
let database: TestDatabase;
let trusting: CertificatePortal;
let distrusting: CertificatePortal;
let master: TestPerson;
let masterIdentity: IssuedIdentity;
const clients: HttpsClient[] = [];

function asProxy(presented: TlsIdentity | undefined, extra: Record<string, string> = {}): HttpsClient {
  const headers: Record<string, string> = { ...extra };
  if (presented) headers[header] = encodeURIComponent(presented.cert);
  const made = new HttpsClient({ headers });
  clients.push(made);
  return made;
}

before(async () => {
  database = await createTestDatabase();
  trusting = await startCertificatePortal(database.db, { env: { CLIENT_CERT_SOURCE: 'proxy', TRUSTED_PROXIES: '127.0.0.1,::1' } });
  distrusting = await startCertificatePortal(database.db, { env: { CLIENT_CERT_SOURCE: 'proxy', TRUSTED_PROXIES: '10.0.0.7' } });
  master = await onboardMaster(trusting.deps);
  await completeFirstLogon(new Client(trusting.ordinary), trusting.deps, master);
  await requireCertificates(trusting.deps, master.contractId);
  masterIdentity = await issueIdentity(trusting.deps, master);
});

after(async () => {
  for (const made of clients) made.close();
  await trusting?.close();
  await distrusting?.close();
  await database?.drop();
});

test('the certificate header from a configured proxy address logs the person on, and binds the session to it', async () => {
  const proxy = asProxy(masterIdentity, { 'x-forwarded-for': '198.51.100.20' });
  const done = await logonOver(proxy, trusting.certificateUrl, master);
  assert.equal(done.status, 303, done.body.slice(0, 300));
  assert.equal(done.location, '/status');
  assert.equal((await proxy.get(trusting.certificateUrl, '/status')).status, 200);
  const audit = await trusting.deps.db
    .selectFrom('audit_log')
    .select(['ip', 'outcome'])
    .where('contract_id', '=', master.contractId)
    .where('action', '=', 'logon')
    .orderBy('id', 'desc')
    .executeTakeFirstOrThrow();
  assert.equal(audit.outcome, 'success');
  assert.equal(audit.ip, '198.51.100.20', 'behind the proxy, the client\'s own address is recorded');
  // The same cookie forwarded without the header: the proxy saw no certificate.
  const bare = asProxy(undefined);
  bare.cookies.set('__Host-sid', proxy.sessionCookie!);
  assert.equal((await bare.get(trusting.certificateUrl, '/status')).location, '/logon?ended=certificate');
});

test('the certificate header from any other address is ignored', async () => {
  const stranger = asProxy(masterIdentity);
  await stranger.get(distrusting.certificateUrl, '/logon');
  const answer = await stranger.post(distrusting.certificateUrl, '/logon', { contractId: master.contractId, userId: master.userId, password: master.loginPassword });
  assert.equal(answer.status, 403);
  assert.equal(errorCode(answer.body), 'CERT_LOGON_MISSING', 'as if no certificate had been presented');
});

test('the ordinary listener ignores the header even from the proxy, and in proxy mode a TLS certificate does not count', async () => {
  const proxy = asProxy(masterIdentity);
  const ordinary = await logonOver(proxy, trusting.ordinaryUrl, master);
  assert.equal(errorCode(ordinary.body), 'CERT_LOGON_USE_CERTIFICATE_SITE');
  const direct = new HttpsClient({ identity: masterIdentity });
  clients.push(direct);
  const answer = await logonOver(direct, trusting.certificateUrl, master);
  assert.equal(errorCode(answer.body), 'CERT_LOGON_MISSING');
  assert.ok(trusting.peers.certificate.every((carried) => !carried), 'in proxy mode the listener does not ask for a certificate itself');
});

test('a header that is not a certificate, from the proxy, is refused as foreign', async () => {
  const proxy = asProxy(undefined, { [header]: encodeURIComponent('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n') });
  await proxy.get(trusting.certificateUrl, '/logon');
  const answer = await proxy.post(trusting.certificateUrl, '/logon', { contractId: master.contractId, userId: master.userId, password: master.loginPassword });
  assert.equal(errorCode(answer.body), 'CERT_LOGON_FOREIGN');
});
