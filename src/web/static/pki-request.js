// The key pair and the certificate request (PKCS#10, RFC 2986), made in the browser (R4.3).
import { bitString, childrenOf, contextConstructed, integer, oid, readElement, sequence, set, toPem, utf8String } from './pki-der.js';

const oids = {
  commonName: '2.5.4.3',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
};

/** P-256 coordinates and scalars are 32 bytes; WebCrypto signs as r || s. */
const p256ScalarBytes = 32;

/**
 * An ECDSA P-256 key pair. Extractable, because the person takes the private key into the PKCS#12
 * file on their own PC; it is never sent anywhere.
 * @returns {Promise<CryptoKeyPair>}
 */
export function generateKeyPair() {
  return crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
}

/**
 * A certificate request for `CN=<commonName>`, signed with the private key whose public half it
 * carries (the bank checks that signature: proof that the requester holds the key).
 * @param {CryptoKeyPair} keyPair @param {string} commonName
 * @returns {Promise<string>} PEM
 */
export async function buildCertificateRequest(keyPair, commonName) {
  const spki = new Uint8Array(await crypto.subtle.exportKey('spki', keyPair.publicKey));
  const subject = sequence(set(sequence(oid(oids.commonName), utf8String(commonName))));
  // version 0, subject, the public key, and no attributes ([0] IMPLICIT SET OF, empty).
  const info = sequence(integer(0), subject, spki, contextConstructed(0, new Uint8Array(0)));
  const raw = new Uint8Array(await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, keyPair.privateKey, info));
  const der = sequence(info, sequence(oid(oids.ecdsaWithSha256)), bitString(ecdsaSignatureToDer(raw)));
  return toPem('CERTIFICATE REQUEST', der);
}

/**
 * WebCrypto gives an ECDSA signature as r || s; X.509 wants SEQUENCE { INTEGER r, INTEGER s }.
 * @param {Uint8Array} raw
 */
export function ecdsaSignatureToDer(raw) {
  if (raw.length !== 2 * p256ScalarBytes) throw new RangeError('ECDSA P-256 signature: 64 bytes expected');
  return sequence(integer(raw.subarray(0, p256ScalarBytes)), integer(raw.subarray(p256ScalarBytes)));
}

/**
 * The SubjectPublicKeyInfo of a certificate, to check that the bank certified the key made here.
 * @param {Uint8Array} certificateDer
 */
export function certificatePublicKeyInfo(certificateDer) {
  const certificate = readElement(certificateDer);
  const [tbs] = childrenOf(certificateDer, certificate);
  if (!tbs) throw new RangeError('certificate: no tbsCertificate');
  const fields = childrenOf(certificateDer, tbs);
  // tbsCertificate: [0] version (optional), serial, signature, issuer, validity, subject, subjectPublicKeyInfo, …
  const first = fields[0]?.tag === 0xa0 ? 1 : 0;
  const spki = fields[first + 5];
  if (!spki) throw new RangeError('certificate: no subjectPublicKeyInfo');
  return certificateDer.slice(spki.start, spki.end);
}

/** @param {Uint8Array} a @param {Uint8Array} b */
export function sameBytes(a, b) {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a[i] ^ b[i];
  return difference === 0;
}
