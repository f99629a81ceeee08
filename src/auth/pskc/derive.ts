import { pbkdf2Sync } from 'node:crypto';
import { pbkdf2Algorithm, pbkdf2Prfs } from './names.ts';
import { PskcRefusal } from './refusal.ts';
import { fromBase64, fromDecimal } from './values.ts';
import { attributeValue, childNamed, type XmlElement } from './xml-tree.ts';

/**
 * The file's own iteration count sets the work of deriving its key, so it is bounded: the
 * derivation runs in the service's process (the console shares it with the portal), and a million
 * HMAC-SHA1 rounds take about a second there; more is refused rather than letting a file hold the
 * process. Vendors use thousands to a few hundred thousand.
 */
export const pbkdf2IterationsMax = 1_000_000;

/** An AES key: 16, 24 or 32 bytes (RFC 6030 §6.1 names AES-128/192/256-CBC). */
const derivedKeyBytes = new Set([16, 24, 32]);

/**
 * RFC 6030 §6.2: the encryption key derived with PBKDF2 (RFC 8018 §5.2) from the password given
 * with the file. Its parameters are matched by local name only: RFC 6030's own example (Figure 6)
 * leaves Salt, IterationCount, KeyLength and PRF in no namespace, others put them in pkcs5 or xenc11.
 */
export function derivedKey(derived: XmlElement, password: string | undefined): Buffer {
  const method = childNamed(derived, 'KeyDerivationMethod');
  if (attributeValue(method, 'Algorithm') !== pbkdf2Algorithm) {
    throw new PskcRefusal('unsupported_encryption', undefined, 'the key must be derived with PBKDF2');
  }
  const parameters = childNamed(method, 'PBKDF2-params');
  const salt = childNamed(childNamed(parameters, 'Salt'), 'Specified');
  if (!parameters || !salt) throw new PskcRefusal('unsupported_encryption', undefined, 'PBKDF2 needs its parameters and a specified salt');

  const iterations = fromDecimal(childNamed(parameters, 'IterationCount')?.text ?? '', undefined, 'IterationCount');
  if (iterations < 1n || iterations > BigInt(pbkdf2IterationsMax)) {
    throw new PskcRefusal('derivation_refused', undefined, `the iteration count must be 1 to ${pbkdf2IterationsMax}`);
  }
  const keyLength = fromDecimal(childNamed(parameters, 'KeyLength')?.text ?? '', undefined, 'KeyLength');
  if (!derivedKeyBytes.has(Number(keyLength))) {
    throw new PskcRefusal('derivation_refused', undefined, 'the derived key must be 16, 24 or 32 bytes');
  }
  const hash = pbkdf2Prfs.get(prfName(childNamed(parameters, 'PRF')));
  if (!hash) throw new PskcRefusal('unsupported_encryption', undefined, 'the PBKDF2 PRF must be HMAC-SHA1, -SHA256 or -SHA512');

  if (password === undefined) throw new PskcRefusal('key_required', undefined, 'the file is encrypted with a password');
  return pbkdf2Sync(Buffer.from(password, 'utf8'), fromBase64(salt.text, undefined, 'Salt'), Number(iterations), Number(keyLength), hash);
}

/**
 * RFC 8018 writes the PRF as an algorithm identifier (an Algorithm attribute); python-pskc writes
 * the URI as the element's text. Neither (Figure 6's `<PRF/>`), or no element, is the default.
 */
function prfName(prf: XmlElement | undefined): string {
  const named = attributeValue(prf, 'Algorithm') ?? prf?.text.trim() ?? '';
  return named === '' ? 'http://www.w3.org/2000/09/xmldsig#hmac-sha1' : named;
}
