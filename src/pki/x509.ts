import 'reflect-metadata'; // @peculiar/x509 resolves its ASN.1 schemas through tsyringe, which needs it
import { createHash, createPublicKey, randomBytes } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { addDaysTo } from '../domain/tokyo-time.ts';

/**
 * The bank's X.509 work (R4): its certificate authority, the check of a certificate request, the
 * client certificates it signs and its revocation list. Pure: no database, no clock, keys arrive
 * as arguments; the only randomness is that of key generation inside WebCrypto.
 */

// WebCrypto of the runtime (the global one), with the DOM's key types the rest of the code uses.
const subtle = globalThis.crypto.subtle;
x509.cryptoProvider.set(globalThis.crypto);

const authorityCurve = 'P-384';
const authorityAlgorithm = { name: 'ECDSA', namedCurve: authorityCurve, hash: 'SHA-384' } as const;
/** A certificate request larger than this is not one a browser makes. */
const requestPemCharsMax = 16_384;
/** R4.1: RSA keys shorter than this are refused (NIST SP 800-131A). */
const rsaModulusBitsMin = 2048;
/** Curves a client key may use: P-256 is the browsers' default, P-384 is stronger still. */
const acceptedCurves = new Set(['prime256v1', 'secp384r1']);
const acceptedRequestHashes = new Set(['SHA-256', 'SHA-384', 'SHA-512']);
const serialBytes = 16;

export type RequestProblem = 'malformed' | 'signature' | 'key_type';

export interface RevokedEntry {
  serialHex: string;
  revokedAt: Date;
}

/** The CA's key pair and self-signed certificate: CN = subject, valid `validityDays` from `now`. */
export async function createAuthority(input: { subject: string; now: Date; validityDays: number }): Promise<{ certificatePem: string; privateKeyPkcs8: Uint8Array<ArrayBuffer> }> {
  const keys = await subtle.generateKey(authorityAlgorithm, true, ['sign', 'verify']);
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerialHex(randomBytes(serialBytes)),
    name: [{ CN: [input.subject] }],
    notBefore: input.now,
    notAfter: addDaysTo(input.now, input.validityDays),
    signingAlgorithm: authorityAlgorithm,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  const pkcs8 = new Uint8Array(await subtle.exportKey('pkcs8', keys.privateKey));
  return { certificatePem: certificate.toString('pem'), privateKeyPkcs8: pkcs8 };
}

/**
 * The signing key of a CA certificate from its PKCS#8 private key. Throws when the key is not an
 * ECDSA key of the certificate's curve; `authorityKeyMatches` says whether it is the right one.
 */
export async function importAuthorityKey(certificatePem: string, privateKeyPkcs8: Uint8Array): Promise<CryptoKey> {
  const algorithm = authoritySigningAlgorithm(certificatePem);
  return subtle.importKey('pkcs8', new Uint8Array(privateKeyPkcs8), { name: 'ECDSA', namedCurve: algorithm.namedCurve }, false, ['sign']);
}

/** A CA certificate (basic constraints CA) with an ECDSA P-256 or P-384 key: one the bank may sign with. */
export function isAuthorityCertificate(certificatePem: string): boolean {
  try {
    const certificate = new x509.X509Certificate(certificatePem);
    if (certificate.getExtension(x509.BasicConstraintsExtension)?.ca !== true) return false;
    authoritySigningAlgorithm(certificatePem);
    return true;
  } catch {
    return false;
  }
}

/** True when `key` signs what the certificate's public key verifies (a CA file pair that belongs together). */
export async function authorityKeyMatches(certificatePem: string, key: CryptoKey): Promise<boolean> {
  const algorithm = authoritySigningAlgorithm(certificatePem);
  const probe = new TextEncoder().encode('certificate authority key check');
  const signature = await subtle.sign({ name: 'ECDSA', hash: algorithm.hash }, key, probe);
  const publicKey = await new x509.X509Certificate(certificatePem).publicKey.export({ name: 'ECDSA', namedCurve: algorithm.namedCurve }, ['verify']);
  return subtle.verify({ name: 'ECDSA', hash: algorithm.hash }, publicKey, signature, probe);
}

/**
 * R4.3: a certificate request is accepted only when it is well formed, signed by the very key it
 * names (proof that the requester holds the private key) and that key is strong enough. The
 * subject must be a single common name; which one is the caller's to check.
 */
export async function verifyCertificateRequest(
  csrPem: string,
): Promise<{ ok: true; subjectCommonName: string; publicKeySpki: Uint8Array<ArrayBuffer> } | { ok: false; problem: RequestProblem }> {
  let request: x509.Pkcs10CertificateRequest;
  let commonName: string | undefined;
  let spki: Uint8Array<ArrayBuffer>;
  // The library reads the subject, the key and its algorithm lazily, on first use: a request whose
  // parts do not parse (an EC key with parameters that are not a curve, say) throws there, and is
  // as malformed as one whose outer structure does not parse.
  try {
    const der = pemBody(csrPem, ['CERTIFICATE REQUEST', 'NEW CERTIFICATE REQUEST']);
    if (!der) return { ok: false, problem: 'malformed' };
    request = new x509.Pkcs10CertificateRequest(der);
    commonName = singleCommonName(request.subjectName);
    spki = new Uint8Array(request.publicKey.rawData);
  } catch {
    return { ok: false, problem: 'malformed' };
  }
  if (commonName === undefined) return { ok: false, problem: 'malformed' };
  if (!strongClientKey(spki)) return { ok: false, problem: 'key_type' };
  let hash: string | undefined;
  try {
    hash = request.signatureAlgorithm?.hash?.name?.toUpperCase();
  } catch {
    return { ok: false, problem: 'malformed' };
  }
  if (!hash || !acceptedRequestHashes.has(hash)) return { ok: false, problem: 'key_type' };
  let signed = false;
  try {
    signed = await request.verify();
  } catch {
    signed = false;
  }
  if (!signed) return { ok: false, problem: 'signature' };
  return { ok: true, subjectCommonName: commonName, publicKeySpki: spki };
}

/**
 * A client certificate (R4.1): subject CN=<contractId>-<userId>, O=<bank>, for TLS client
 * authentication only, pointing at the bank's CRL (R4.5).
 */
export async function signClientCertificate(input: {
  authorityCertificatePem: string;
  authorityKey: CryptoKey;
  publicKeySpki: Uint8Array;
  commonName: string;
  organization: string;
  serialHex: string;
  notBefore: Date;
  notAfter: Date;
  crlUrl: string;
}): Promise<string> {
  const authority = new x509.X509Certificate(input.authorityCertificatePem);
  const algorithm = authoritySigningAlgorithm(input.authorityCertificatePem);
  const subjectKey = new x509.PublicKey(new Uint8Array(input.publicKeySpki));
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: input.serialHex,
    subject: [{ CN: [input.commonName] }, { O: [input.organization] }],
    issuer: authority.subjectName.toJSON(),
    notBefore: input.notBefore,
    notAfter: input.notAfter,
    publicKey: subjectKey,
    signingKey: input.authorityKey,
    signingAlgorithm: { name: 'ECDSA', hash: algorithm.hash },
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth]),
      await x509.AuthorityKeyIdentifierExtension.create(authority, false),
      await x509.SubjectKeyIdentifierExtension.create(subjectKey),
      new x509.CRLDistributionPointsExtension([input.crlUrl]),
    ],
  });
  return certificate.toString('pem');
}

/**
 * R4.5: the revocation list, signed by the CA. The CRL number (required by RFC 5280) is the
 * second of `thisUpdate`, so it grows with time whichever process builds the list.
 */
export async function createCrl(input: {
  authorityCertificatePem: string;
  authorityKey: CryptoKey;
  thisUpdate: Date;
  nextUpdate: Date;
  revoked: RevokedEntry[];
}): Promise<Uint8Array<ArrayBuffer>> {
  const authority = new x509.X509Certificate(input.authorityCertificatePem);
  const algorithm = authoritySigningAlgorithm(input.authorityCertificatePem);
  const crl = await x509.X509CrlGenerator.create({
    issuer: authority.subjectName.toJSON(),
    thisUpdate: input.thisUpdate,
    nextUpdate: input.nextUpdate,
    signingKey: input.authorityKey,
    signingAlgorithm: { name: 'ECDSA', hash: algorithm.hash },
    entries: input.revoked.map((entry) => ({ serialNumber: entry.serialHex, revocationDate: entry.revokedAt })),
    extensions: [
      await x509.AuthorityKeyIdentifierExtension.create(authority, false),
      new x509.Extension(crlNumberOid, false, derPositiveInteger(Math.floor(input.thisUpdate.getTime() / 1000))),
    ],
  });
  return new Uint8Array(crl.rawData);
}

/** SHA-256 of a certificate's DER, lower-case hex: how a presented certificate is matched to a stored one. */
export function certificateFingerprintSha256(der: Uint8Array): string {
  return createHash('sha256').update(der).digest('hex');
}

/** The DER bytes of a PEM certificate. */
export function certificateDer(certificatePem: string): Uint8Array<ArrayBuffer> {
  const der = pemBody(certificatePem, ['CERTIFICATE']);
  if (!der) throw new Error('not a PEM certificate');
  return der;
}

/** A positive serial number of the given random bytes, in lower-case hex (RFC 5280 §4.1.2.2: positive, at most 20 bytes). */
export function randomSerialHex(bytes: Uint8Array): string {
  const copy = Uint8Array.from(bytes);
  // Clearing the top bit keeps the number positive; setting the next one keeps its length fixed.
  // The serial's bytes were just drawn (never empty).
  copy[0] = (copy[0]! & 0x7f) | 0x40;
  return Buffer.from(copy).toString('hex');
}

/** A certificate's validity dates, subject and serial (lower-case hex), for storing it. */
export function describeCertificate(certificatePem: string): { serialHex: string; notBefore: Date; notAfter: Date; subject: string; der: Uint8Array<ArrayBuffer> } {
  const certificate = new x509.X509Certificate(certificatePem);
  return {
    serialHex: certificate.serialNumber.toLowerCase(),
    notBefore: certificate.notBefore,
    notAfter: certificate.notAfter,
    subject: certificate.subject,
    der: new Uint8Array(certificate.rawData),
  };
}

const crlNumberOid = '2.5.29.20';
const commonNameOid = '2.5.4.3';

function authoritySigningAlgorithm(certificatePem: string): { namedCurve: string; hash: string } {
  const certificate = new x509.X509Certificate(certificatePem);
  const algorithm = certificate.publicKey.algorithm as EcKeyAlgorithm;
  if (algorithm.name !== 'ECDSA') throw new Error('the CA certificate must have an ECDSA key');
  if (algorithm.namedCurve === 'P-256') return { namedCurve: 'P-256', hash: 'SHA-256' };
  if (algorithm.namedCurve === 'P-384') return { namedCurve: 'P-384', hash: 'SHA-384' };
  throw new Error(`the CA certificate's curve ${algorithm.namedCurve} is not P-256 or P-384`);
}

function pemBody(pem: string, labels: string[]): Uint8Array<ArrayBuffer> | undefined {
  if (typeof pem !== 'string' || pem.length > requestPemCharsMax * 4) return undefined;
  const text = pem.trim();
  for (const label of labels) {
    const match = new RegExp(`^-----BEGIN ${label}-----\\r?\\n([A-Za-z0-9+/=\\r\\n]+)-----END ${label}-----$`).exec(text);
    if (!match) continue;
    if (label !== 'CERTIFICATE' && text.length > requestPemCharsMax) return undefined;
    // match[1]: the regular expression's one group, present whenever it matched.
    const der = Buffer.from(match[1]!.replace(/\s+/g, ''), 'base64');
    return der.length > 0 ? new Uint8Array(der) : undefined;
  }
  return undefined;
}

function singleCommonName(name: x509.Name): string | undefined {
  const json = name.toJSON();
  if (json.length !== 1) return undefined;
  // A relative distinguished name holds at least one attribute (X.501); json[0] and entries[0] exist.
  const entries = Object.entries(json[0]!);
  if (entries.length !== 1) return undefined;
  const [type, values] = entries[0]!;
  if ((type !== 'CN' && type !== commonNameOid) || values.length !== 1) return undefined;
  const value = values[0];
  return typeof value === 'string' ? value : undefined;
}

function strongClientKey(spki: Uint8Array): boolean {
  try {
    const key = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
    const details = key.asymmetricKeyDetails ?? {};
    if (key.asymmetricKeyType === 'ec') return acceptedCurves.has(details.namedCurve ?? '');
    if (key.asymmetricKeyType === 'rsa') return (details.modulusLength ?? 0) >= rsaModulusBitsMin;
    return false;
  } catch {
    return false;
  }
}

function derPositiveInteger(value: number): Uint8Array<ArrayBuffer> {
  let hex = Math.trunc(value).toString(16);
  if (hex.length % 2) hex = '0' + hex;
  if (parseInt(hex.slice(0, 2), 16) >= 0x80) hex = '00' + hex;
  const body = Buffer.from(hex, 'hex');
  return new Uint8Array([0x02, body.length, ...body]);
}
