/**
 * The URIs a PSKC file names things by, and what node:crypto calls the ones this reader accepts.
 * What is not listed here is refused, not guessed at.
 */

/** RFC 6030 §12 (IANA considerations). */
export const pskcNamespace = 'urn:ietf:params:xml:ns:keyprov:pskc';

/**
 * The key algorithm profiles a Key's Algorithm attribute names: HOTP in RFC 6030 §10.1, TOTP in the
 * PSKC algorithm profiles (draft-hoyer-keyprov-pskc-algorithm-profiles).
 */
export const hotpAlgorithm = 'urn:ietf:params:xml:ns:keyprov:pskc:hotp';
export const totpAlgorithm = 'urn:ietf:params:xml:ns:keyprov:pskc:totp';

export interface CbcCipher {
  readonly name: 'aes-128-cbc' | 'aes-192-cbc' | 'aes-256-cbc';
  readonly keyBytes: 16 | 24 | 32;
}

/**
 * RFC 6030 §6.1: the AES-CBC ciphers of XML Encryption (W3C xmlenc-core §5.2.2), whose CipherValue
 * is the IV followed by the ciphertext.
 */
export const cbcCiphers: ReadonlyMap<string, CbcCipher> = new Map([
  ['http://www.w3.org/2001/04/xmlenc#aes128-cbc', { name: 'aes-128-cbc', keyBytes: 16 }],
  ['http://www.w3.org/2001/04/xmlenc#aes192-cbc', { name: 'aes-192-cbc', keyBytes: 24 }],
  ['http://www.w3.org/2001/04/xmlenc#aes256-cbc', { name: 'aes-256-cbc', keyBytes: 32 }],
]);

/** RFC 6030 §6.1.1: the MAC over each encrypted value. */
export const macHashes: ReadonlyMap<string, 'sha1' | 'sha256'> = new Map([
  ['http://www.w3.org/2000/09/xmldsig#hmac-sha1', 'sha1'],
  ['http://www.w3.org/2001/04/xmldsig-more#hmac-sha256', 'sha256'],
]);

/** RFC 6030 §6.2: a key derived from a password. */
export const pbkdf2Algorithm = 'http://www.rsasecurity.com/rsalabs/pkcs/schemas/pkcs-5v2-0#pbkdf2';

/** RFC 8018 appendix A.2: the PRF of PBKDF2, HMAC-SHA1 when none is named. */
export const pbkdf2Prfs: ReadonlyMap<string, 'sha1' | 'sha256' | 'sha512'> = new Map([
  ['http://www.w3.org/2000/09/xmldsig#hmac-sha1', 'sha1'],
  ['http://www.w3.org/2001/04/xmldsig-more#hmac-sha256', 'sha256'],
  ['http://www.w3.org/2001/04/xmldsig-more#hmac-sha512', 'sha512'],
]);
