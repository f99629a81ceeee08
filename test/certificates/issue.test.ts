import 'reflect-metadata';
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { createTestDatabase, needsPostgres, type TestDatabase } from '../helpers/database.ts';
import { testDeps } from '../helpers/deps.ts';
import { isAppError } from '../../src/errors.ts';
import type { Deps } from '../../src/deps.ts';
import type { FakeClock } from '../../src/platform/clock.ts';
import { ensureAuthority } from '../../src/modules/certificates/authority.ts';
import { certificateCommonName, issueCertificate } from '../../src/modules/certificates/issue.ts';
import { certificateByFingerprint, validCertificateOf } from '../../src/modules/certificates/lookup.ts';
import { certificateDer, certificateFingerprintSha256 } from '../../src/pki/x509.ts';
import { outboxTo } from '../helpers/http-app.ts';
import { acquire, certificateContract, personOf, useCertificates } from './support.ts';
import { generateClientKeys, makeCertificateRequest } from './csr.ts';

/** R4.3, R4.6: the bank signs a person's own request, one valid certificate per user ID. */
let database: TestDatabase;
let deps: Deps & { clock: FakeClock };
before(async () => {
  database = await createTestDatabase();
  deps = testDeps(database.db);
  await ensureAuthority(deps);
});
after(() => database.drop());

async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (isAppError(error)) return error.code;
    throw error;
  }
  return 'accepted';
}

async function certificatesOf(userRef: number) {
  return deps.db.selectFrom('client_certificate').selectAll().where('user_ref', '=', userRef).orderBy('id').execute();
}

test('a request made with WebCrypto is signed by the CA for the person who holds the key, audited and mailed', async () => {
  const { user } = await certificateContract(deps);
  const keys = await generateClientKeys('P-256');
  const { pem } = await makeCertificateRequest({ commonName: certificateCommonName(user.contractId, user.userId), keys });
  const { user: row, contract } = await personOf(deps, user);
  const issued = await issueCertificate(deps, { user: row, contract }, pem, { replaceExisting: false, ip: '198.51.100.7', userAgent: 'Browser' });

  const certificate = new x509.X509Certificate(issued.certificatePem);
  const authority = new x509.X509Certificate(issued.authorityCertificatePem);
  assert.ok(await certificate.verify({ publicKey: authority, signatureOnly: true }), 'signed by the CA');
  assert.equal(certificate.subject, `CN=${user.contractId}-${user.userId}, O=${deps.config.bankName}`);
  assert.equal(certificate.serialNumber.toLowerCase(), issued.serialHex);
  assert.equal(issued.notAfter.getTime() - deps.clock.now().getTime(), 365 * 86_400_000);
  assert.equal(deps.clock.now().getTime() - certificate.notBefore.getTime(), 300_000, 'valid from a little before, for slow PC clocks');
  const spki = Buffer.from(await webcrypto.subtle.exportKey('spki', keys.publicKey));
  assert.deepEqual(Buffer.from(certificate.publicKey.rawData), spki, 'the key is the one the browser made');
  assert.equal(issued.replaced, false);

  const stored = await validCertificateOf(deps.db, row.id);
  assert.ok(stored);
  assert.equal(stored.serial_hex, issued.serialHex);
  assert.equal(stored.fingerprint_sha256, certificateFingerprintSha256(certificateDer(issued.certificatePem)));
  const found = await certificateByFingerprint(deps.db, stored.fingerprint_sha256);
  assert.equal(found?.user_id, user.userId);
  assert.equal(found?.contract_id, user.contractId);

  const audit = await deps.db.selectFrom('audit_log').selectAll().where('user_ref', '=', row.id).where('action', '=', 'certificate.issue').execute();
  assert.equal(audit.length, 1);
  assert.equal(audit[0]!.ip, '198.51.100.7');
  const mails = await outboxTo(deps, user.email, 'mail.securityChange.subject');
  assert.equal(mails.length, 1);
  assert.match(mails[0]!.body, new RegExp(issued.serialHex));
  assert.match(mails[0]!.body, /198\.51\.100\.7/);
});

test('a request signed by another key than the one it names is refused, and nothing is stored', async () => {
  const { user } = await certificateContract(deps);
  const { pem } = await makeCertificateRequest({ commonName: certificateCommonName(user.contractId, user.userId), signWith: await generateClientKeys() });
  assert.equal(await refusal(issueCertificate(deps, await personOf(deps, user), pem, { replaceExisting: true, ip: '203.0.113.1' })), 'CERT_REQUEST_SIGNATURE');
  assert.equal((await certificatesOf((await personOf(deps, user)).user.id)).length, 0);
});

test("a request naming someone else's ID is refused: another person of the contract, or of another contract", async () => {
  const { master, user } = await certificateContract(deps);
  const other = await certificateContract(deps);
  for (const name of [certificateCommonName(master.contractId, master.userId), certificateCommonName(other.user.contractId, other.user.userId), `${user.contractId}-${user.userId}x`, user.userId]) {
    const { pem } = await makeCertificateRequest({ commonName: name });
    assert.equal(await refusal(issueCertificate(deps, await personOf(deps, user), pem, { replaceExisting: true, ip: '203.0.113.1' })), 'CERT_REQUEST_SUBJECT', name);
  }
  const refs = await Promise.all([master, user, other.user].map(async (p) => (await personOf(deps, p)).user.id));
  for (const ref of refs) assert.equal((await certificatesOf(ref)).length, 0);
});

test('malformed requests and weak keys are refused', async () => {
  const { user } = await certificateContract(deps);
  const person = await personOf(deps, user);
  for (const pem of ['', 'not a request', '-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----', 'x'.repeat(100_000)]) {
    assert.equal(await refusal(issueCertificate(deps, person, pem, { replaceExisting: true, ip: '203.0.113.1' })), 'CERT_REQUEST_INVALID');
  }
  const weak = await makeCertificateRequest({ commonName: certificateCommonName(user.contractId, user.userId), keys: await generateClientKeys('RSA-1024') });
  assert.equal(await refusal(issueCertificate(deps, person, weak.pem, { replaceExisting: true, ip: '203.0.113.1' })), 'CERT_REQUEST_KEY');
  assert.equal((await certificatesOf(person.user.id)).length, 0);
});

test('a contract that does not use certificates gets none', async () => {
  const { user } = await certificateContract(deps);
  await useCertificates(deps, user.contractId, false);
  const { pem } = await makeCertificateRequest({ commonName: certificateCommonName(user.contractId, user.userId) });
  const person = await personOf(deps, user);
  assert.equal(await refusal(issueCertificate(deps, person, pem, { replaceExisting: true, ip: '203.0.113.1' })), 'CERT_NOT_REQUIRED');
  assert.equal((await certificatesOf(person.user.id)).length, 0);
});

test('a person holding a valid certificate gets a new one only after confirming, and the old one is revoked as superseded', async () => {
  const { user } = await certificateContract(deps);
  const first = await acquire(deps, user);
  assert.equal(await refusal(acquire(deps, user)), 'CERT_REPLACE_CONFIRM');
  const ref = (await personOf(deps, user)).user.id;
  assert.equal((await certificatesOf(ref)).length, 1, 'nothing stored without the confirmation');
  const second = await acquire(deps, user, { replaceExisting: true });
  assert.equal(second.replaced, true);
  const rows = await certificatesOf(ref);
  assert.equal(rows.length, 2);
  assert.equal(rows[0]!.serial_hex, first.serialHex);
  assert.notEqual(rows[0]!.revoked_at, null);
  assert.equal(rows[0]!.revocation_reason, 'superseded');
  assert.equal(rows[1]!.serial_hex, second.serialHex);
  assert.equal(rows[1]!.revoked_at, null);
});

test('an expired certificate is replaced without asking', async () => {
  const { user } = await certificateContract(deps);
  const first = await acquire(deps, user);
  deps.clock.advanceSeconds(366 * 86_400);
  const second = await acquire(deps, user);
  assert.equal(second.replaced, true);
  const rows = await certificatesOf((await personOf(deps, user)).user.id);
  assert.equal(rows.find((r) => r.serial_hex === first.serialHex)?.revocation_reason, 'superseded');
});

test('serial numbers are positive 16-byte numbers, different for each certificate', async () => {
  const { user } = await certificateContract(deps);
  const serials = new Set<string>();
  for (let i = 0; i < 5; i++) {
    const issued = await acquire(deps, user, { replaceExisting: true });
    assert.match(issued.serialHex, /^[4-7][0-9a-f]{31}$/);
    serials.add(issued.serialHex);
  }
  assert.equal(serials.size, 5);
});

test('ten acquisitions at once for one person leave exactly one valid certificate', { skip: needsPostgres }, async () => {
  const { user } = await certificateContract(deps);
  const results = await Promise.allSettled(Array.from({ length: 10 }, () => acquire(deps, user, { replaceExisting: true })));
  assert.equal(results.filter((r) => r.status === 'fulfilled').length, 10);
  const rows = await certificatesOf((await personOf(deps, user)).user.id);
  assert.equal(rows.length, 10);
  assert.equal(rows.filter((r) => r.revoked_at === null).length, 1);
});
