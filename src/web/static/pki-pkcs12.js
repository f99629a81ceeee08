// The PKCS#12 file (RFC 7292) that carries the person's key and certificate from this page into the
// browser's or the operating system's certificate store (R4.3). Built in the browser, because the
// private key never leaves the PC.
import {
  bmpBytes,
  bmpString,
  concatBytes,
  contextConstructed,
  integer,
  nullValue,
  octetString,
  oid,
  sequence,
  set,
} from './pki-der.js';

const oids = {
  data: '1.2.840.113549.1.7.1',
  pkcs8ShroudedKeyBag: '1.2.840.113549.1.12.10.1.2',
  certBag: '1.2.840.113549.1.12.10.1.3',
  x509Certificate: '1.2.840.113549.1.9.22.1',
  friendlyName: '1.2.840.113549.1.9.20',
  localKeyId: '1.2.840.113549.1.9.21',
  pbes2: '1.2.840.113549.1.5.13',
  pbkdf2: '1.2.840.113549.1.5.12',
  hmacWithSha256: '1.2.840.113549.2.9',
  aes256Cbc: '2.16.840.1.101.3.4.1.42',
  sha256: '2.16.840.1.101.3.4.2.1',
};

/**
 * The choices every importer we support reads: Chrome and Edge (through the Windows certificate
 * import wizard, Windows 10 1709 and later), Firefox (NSS), and OpenSSL 3 (also Node's
 * tls.createSecureContext). The key is encrypted with PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC, as
 * OpenSSL 3 writes by default); the certificates are public and sit unencrypted, which every
 * importer reads and which spares a second key derivation. The MAC is HMAC-SHA256 with the key
 * derivation of RFC 7292 appendix B and OpenSSL's default iteration count. Together the two
 * derivations stay well under the 600,000 iterations that Windows and .NET accept in one file.
 */
export const keyEncryptionIterations = 100_000;
export const macIterations = 2048;
const saltBytes = 16;
const aesBlockBytes = 16;
const sha256Bytes = 32;
const sha256BlockBytes = 64;
const pkcs12MacKeyId = 3;

/** Letters and digits that cannot be mistaken for one another when copied by hand (no 0/O/o, 1/l/I). */
export const passwordAlphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789';
export const passwordLength = 16;

/** A random password for the file, shown once on the page; uniform over the alphabet (no modulo bias). */
export function randomPassword(length = passwordLength) {
  const limit = 256 - (256 % passwordAlphabet.length);
  let out = '';
  while (out.length < length) {
    for (const byte of crypto.getRandomValues(new Uint8Array(length * 2))) {
      if (byte < limit && out.length < length) out += passwordAlphabet[byte % passwordAlphabet.length];
    }
  }
  return out;
}

/**
 * @param {{
 *   privateKeyPkcs8: Uint8Array;
 *   certificateDer: Uint8Array;
 *   authorityCertificateDer?: Uint8Array;
 *   friendlyName: string;
 *   password: string;
 * }} input
 * @returns {Promise<Uint8Array>} the DER of the PFX
 */
export async function buildPkcs12(input) {
  // The key bag and the certificate bag are paired by this attribute; OpenSSL takes the SHA-1 of the certificate.
  const localKeyId = new Uint8Array(await crypto.subtle.digest('SHA-1', input.certificateDer));
  const pairAttributes = set(
    attribute(oids.friendlyName, bmpString(input.friendlyName)),
    attribute(oids.localKeyId, octetString(localKeyId)),
  );

  const certificateBags = [safeBag(oids.certBag, certBag(input.certificateDer), pairAttributes)];
  if (input.authorityCertificateDer) certificateBags.push(safeBag(oids.certBag, certBag(input.authorityCertificateDer)));
  const keyBag = safeBag(oids.pkcs8ShroudedKeyBag, await encryptPrivateKey(input.privateKeyPkcs8, input.password), pairAttributes);

  const authenticatedSafe = sequence(dataContentInfo(sequence(...certificateBags)), dataContentInfo(sequence(keyBag)));
  const macSalt = crypto.getRandomValues(new Uint8Array(saltBytes));
  const macKey = await pkcs12Kdf(input.password, macSalt, pkcs12MacKeyId, macIterations, sha256Bytes);
  const hmacKey = await crypto.subtle.importKey('raw', macKey, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', hmacKey, authenticatedSafe));
  const macData = sequence(
    sequence(sequence(oid(oids.sha256), nullValue()), octetString(mac)),
    octetString(macSalt),
    integer(macIterations),
  );
  return sequence(integer(3), dataContentInfo(authenticatedSafe), macData);
}

/** ContentInfo of type data: [0] EXPLICIT OCTET STRING holding the DER of the content. @param {Uint8Array} content */
function dataContentInfo(content) {
  return sequence(oid(oids.data), contextConstructed(0, octetString(content)));
}

/** @param {string} type @param {Uint8Array} value */
function attribute(type, value) {
  return sequence(oid(type), set(value));
}

/** @param {string} bagId @param {Uint8Array} value @param {Uint8Array} [attributes] */
function safeBag(bagId, value, attributes) {
  return attributes ? sequence(oid(bagId), contextConstructed(0, value), attributes) : sequence(oid(bagId), contextConstructed(0, value));
}

/** @param {Uint8Array} certificateDer */
function certBag(certificateDer) {
  return sequence(oid(oids.x509Certificate), contextConstructed(0, octetString(certificateDer)));
}

/**
 * EncryptedPrivateKeyInfo with PBES2. For PBES2 the password is used as its UTF-8 bytes (RFC 9579).
 * @param {Uint8Array} pkcs8 @param {string} password
 */
async function encryptPrivateKey(pkcs8, password) {
  const salt = crypto.getRandomValues(new Uint8Array(saltBytes));
  const iv = crypto.getRandomValues(new Uint8Array(aesBlockBytes));
  const passwordKey = await crypto.subtle.importKey('raw', new TextEncoder().encode(password), 'PBKDF2', false, ['deriveKey']);
  const aesKey = await crypto.subtle.deriveKey(
    { name: 'PBKDF2', salt, iterations: keyEncryptionIterations, hash: 'SHA-256' },
    passwordKey,
    { name: 'AES-CBC', length: 256 },
    false,
    ['encrypt'],
  );
  const encrypted = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-CBC', iv }, aesKey, pkcs8));
  const pbkdf2Params = sequence(octetString(salt), integer(keyEncryptionIterations), sequence(oid(oids.hmacWithSha256), nullValue()));
  const algorithm = sequence(
    oid(oids.pbes2),
    sequence(sequence(oid(oids.pbkdf2), pbkdf2Params), sequence(oid(oids.aes256Cbc), octetString(iv))),
  );
  return sequence(algorithm, octetString(encrypted));
}

/**
 * RFC 7292 appendix B.2 with SHA-256 (u = 32, v = 64). The password is a BMPString with its two
 * zero bytes at the end.
 * @param {string} password @param {Uint8Array} salt @param {number} id @param {number} iterations @param {number} length
 */
export async function pkcs12Kdf(password, salt, id, iterations, length) {
  const v = sha256BlockBytes;
  const D = new Uint8Array(v).fill(id);
  const passwordBytes = concatBytes([bmpBytes(password), Uint8Array.of(0, 0)]);
  const fill = (/** @type {Uint8Array} */ bytes) => {
    const out = new Uint8Array(v * Math.ceil(bytes.length / v));
    for (let i = 0; i < out.length; i++) out[i] = bytes[i % bytes.length];
    return out;
  };
  const I = concatBytes([fill(salt), fill(passwordBytes)]);
  const blocks = [];
  for (let produced = 0; produced < length; produced += sha256Bytes) {
    let A = new Uint8Array(await crypto.subtle.digest('SHA-256', concatBytes([D, I])));
    for (let r = 1; r < iterations; r++) A = new Uint8Array(await crypto.subtle.digest('SHA-256', A));
    blocks.push(A);
    // I_j = (I_j + B + 1) mod 2^(8v), where B is A repeated to v bytes.
    const B = fill(A);
    for (let j = 0; j < I.length; j += v) {
      let carry = 1;
      for (let k = v - 1; k >= 0; k--) {
        const sum = I[j + k] + B[k] + carry;
        I[j + k] = sum & 0xff;
        carry = sum >> 8;
      }
    }
  }
  return concatBytes(blocks).slice(0, length);
}
