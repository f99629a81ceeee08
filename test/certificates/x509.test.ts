import 'reflect-metadata';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import {
  authorityKeyMatches,
  certificateDer,
  certificateFingerprintSha256,
  createAuthority,
  createCrl,
  describeCertificate,
  importAuthorityKey,
  signClientCertificate,
  verifyCertificateRequest,
} from '../../src/pki/x509.ts';
import { generateClientKeys, makeCertificateRequest } from './csr.ts';

const now = new Date('2026-04-01T00:00:00Z');
const day = 86_400_000;

async function authority() {
  const ca = await createAuthority({ subject: 'デモ銀行 Corporate IB Client CA', now, validityDays: 3650 });
  return { ...ca, key: await importAuthorityKey(ca.certificatePem, ca.privateKeyPkcs8) };
}

test('the CA certificate is self-signed, a CA, valid ten years, and its key belongs to it', async () => {
  const ca = await authority();
  const certificate = new x509.X509Certificate(ca.certificatePem);
  assert.equal(certificate.subject, 'CN=デモ銀行 Corporate IB Client CA');
  assert.equal(certificate.issuer, certificate.subject);
  assert.ok(await certificate.verify({ signatureOnly: true }));
  assert.equal(certificate.getExtension(x509.BasicConstraintsExtension)?.ca, true);
  assert.equal(certificate.notAfter.getTime() - certificate.notBefore.getTime(), 3650 * day);
  assert.equal(await authorityKeyMatches(ca.certificatePem, ca.key), true);
  const other = await authority();
  assert.equal(await authorityKeyMatches(ca.certificatePem, other.key), false);
});

test('a request signed by the key it names is accepted with its common name and key', async () => {
  for (const kind of ['P-256', 'P-384', 'RSA-2048'] as const) {
    const { pem, keys } = await makeCertificateRequest({ commonName: '12345678903-master01', keys: await generateClientKeys(kind) });
    const result = await verifyCertificateRequest(pem);
    assert.ok(result.ok, kind);
    assert.equal(result.subjectCommonName, '12345678903-master01');
    const spki = new Uint8Array(await webcrypto.subtle.exportKey('spki', keys.publicKey));
    assert.deepEqual(result.publicKeySpki, spki);
  }
});

test('a request signed by another key than the one it names is refused as a bad signature', async () => {
  const thief = await generateClientKeys();
  const { pem } = await makeCertificateRequest({ commonName: '12345678903-master01', signWith: thief });
  assert.deepEqual(await verifyCertificateRequest(pem), { ok: false, problem: 'signature' });
});

test('weak or unusual keys are refused as the wrong key type', async () => {
  for (const kind of ['RSA-1024', 'P-521'] as const) {
    const { pem } = await makeCertificateRequest({ commonName: '12345678903-master01', keys: await generateClientKeys(kind) });
    assert.deepEqual(await verifyCertificateRequest(pem), { ok: false, problem: 'key_type' }, kind);
  }
});

test('malformed requests and subjects other than one common name are refused as malformed', async () => {
  const { pem } = await makeCertificateRequest({ commonName: 'x' });
  const body = pem.split('\n').slice(1, -2).join('');
  const broken = pem.replace(body.slice(20, 40), 'A'.repeat(20));
  for (const input of ['', 'hello', pem.replace('CERTIFICATE REQUEST', 'CERTIFICATE'), broken, '-----BEGIN CERTIFICATE REQUEST-----\n-----END CERTIFICATE REQUEST-----']) {
    assert.deepEqual(await verifyCertificateRequest(input), { ok: false, problem: 'malformed' }, input.slice(0, 40));
  }
  const twoNames = await makeCertificateRequest({ subject: 'CN=12345678903-master01, O=Somebody' });
  assert.deepEqual(await verifyCertificateRequest(twoNames.pem), { ok: false, problem: 'malformed' });
});

test('a request whose key parameters are not a named curve is refused as malformed, not thrown (an HTTP 500)', async () => {
  // Found by the parser fuzz (test/fuzz/parsers.property.test.ts): the library parses the key lazily, outside the check's guard.
  const { pem } = await makeCertificateRequest({ commonName: 'c-u' });
  const der = Buffer.from(pem.replace(/-----[A-Z ]+-----|\s/g, ''), 'base64');
  const prime256v1 = Buffer.from([0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07]);
  const at = der.indexOf(prime256v1);
  assert.ok(at > 0, 'the request names its curve');
  // The curve's OID tag made a private one: the outer structure still parses, the key's parameters do not.
  der[at] = 0xc0;
  const broken = `-----BEGIN CERTIFICATE REQUEST-----\n${der.toString('base64').replace(/(.{64})/g, '$1\n')}\n-----END CERTIFICATE REQUEST-----\n`;
  assert.deepEqual(await verifyCertificateRequest(broken), { ok: false, problem: 'malformed' });
});

test('a client certificate names the person, is for client authentication, and chains to the CA', async () => {
  const ca = await authority();
  const { pem } = await makeCertificateRequest({ commonName: '12345678903-user01' });
  const request = await verifyCertificateRequest(pem);
  assert.ok(request.ok);
  const certificatePem = await signClientCertificate({
    authorityCertificatePem: ca.certificatePem,
    authorityKey: ca.key,
    publicKeySpki: request.publicKeySpki,
    commonName: request.subjectCommonName,
    organization: 'デモ銀行',
    serialHex: '4a0102030405060708090a0b0c0d0e0f',
    notBefore: now,
    notAfter: new Date(now.getTime() + 365 * day),
    crlUrl: 'https://ib.example/pki/crl',
  });
  const certificate = new x509.X509Certificate(certificatePem);
  assert.equal(certificate.subject, 'CN=12345678903-user01, O=デモ銀行');
  assert.equal(certificate.issuer, new x509.X509Certificate(ca.certificatePem).subject);
  assert.equal(certificate.serialNumber.toLowerCase(), '4a0102030405060708090a0b0c0d0e0f');
  assert.ok(await certificate.verify({ publicKey: new x509.X509Certificate(ca.certificatePem), signatureOnly: true }));
  assert.deepEqual([...(certificate.getExtension(x509.ExtendedKeyUsageExtension)?.usages ?? [])], [x509.ExtendedKeyUsage.clientAuth]);
  assert.equal(certificate.getExtension(x509.KeyUsagesExtension)?.usages, x509.KeyUsageFlags.digitalSignature);
  assert.ok(certificate.getExtension(x509.AuthorityKeyIdentifierExtension));
  const points = certificate.getExtension(x509.CRLDistributionPointsExtension);
  assert.match(JSON.stringify(points?.toTextObject() ?? ''), /https:\/\/ib\.example\/pki\/crl/);
  const described = describeCertificate(certificatePem);
  assert.equal(described.serialHex, '4a0102030405060708090a0b0c0d0e0f');
  assert.equal(described.notAfter.toISOString(), '2027-04-01T00:00:00.000Z');
  // Node's own X.509 parser agrees with the fingerprint.
  const { X509Certificate } = await import('node:crypto');
  const fingerprint = certificateFingerprintSha256(certificateDer(certificatePem));
  assert.equal(new X509Certificate(certificatePem).fingerprint256.replaceAll(':', '').toLowerCase(), fingerprint);
  assert.match(fingerprint, /^[0-9a-f]{64}$/);
});

test('the CRL is signed by the CA and lists exactly the revoked serials', async () => {
  const ca = await authority();
  const der = await createCrl({
    authorityCertificatePem: ca.certificatePem,
    authorityKey: ca.key,
    thisUpdate: now,
    nextUpdate: new Date(now.getTime() + day),
    revoked: [
      { serialHex: '4a0102030405060708090a0b0c0d0e0f', revokedAt: new Date(now.getTime() - day) },
      { serialHex: '7f0102030405060708090a0b0c0d0e0f', revokedAt: now },
    ],
  });
  const crl = new x509.X509Crl(der);
  assert.ok(await crl.verify({ publicKey: new x509.X509Certificate(ca.certificatePem) }));
  const other = await authority();
  assert.equal(await crl.verify({ publicKey: new x509.X509Certificate(other.certificatePem) }), false);
  assert.deepEqual(crl.entries.map((e) => e.serialNumber.toLowerCase()).sort(), ['4a0102030405060708090a0b0c0d0e0f', '7f0102030405060708090a0b0c0d0e0f']);
  assert.equal(crl.nextUpdate?.toISOString(), '2026-04-02T00:00:00.000Z');
  assert.ok(crl.findRevoked('4a0102030405060708090a0b0c0d0e0f'));
});
