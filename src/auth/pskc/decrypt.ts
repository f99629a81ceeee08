import { createDecipheriv, createHmac, timingSafeEqual } from 'node:crypto';
import { cbcCiphers, macHashes, pskcNamespace, type CbcCipher } from './names.ts';
import { derivedKey } from './derive.ts';
import { PskcRefusal, type PskcReason } from './refusal.ts';
import { fromBase64 } from './values.ts';
import { attributeValue, childNamed, type XmlElement } from './xml-tree.ts';

/** What the bank was given with a file: the pre-shared transport key, or the file's password. */
export interface PskcKeys {
  transportKey?: Buffer;
  password?: string;
}

/** A data value (RFC 6030 §4) as the file holds it: the text of a PlainValue, or decrypted bytes. */
export type DataValue = { kind: 'plain'; text: string } | { kind: 'decrypted'; bytes: Buffer };

/**
 * RFC 2104 §3: a MAC key shorter than the hash's output weakens the MAC. No writer we know of sends
 * less than 16 bytes; fewer are taken as a sign of a wrong transport key or password.
 */
export const macKeyBytesMin = 16;

const ivBytes = 16;

/**
 * Opens the data values of one key container. The encryption key (given, or derived from the
 * password) and the MAC key are worked out once, when the first encrypted value needs them, so a
 * plaintext file needs no key at all.
 *
 * CBC gives no integrity: a changed ciphertext decrypts to other bytes without any error. So an
 * encrypted value is taken only with its ValueMAC (RFC 6030 §6.1.1), and the MAC is checked, in
 * constant time, before anything is decrypted with the encryption key.
 */
export function valueOpener(container: XmlElement, keys: PskcKeys): (data: XmlElement, serial: string | undefined) => DataValue | undefined {
  let encryptionKey: Buffer | undefined;
  const encryptionKeyOf = (): Buffer => (encryptionKey ??= containerKey(container, keys));
  let mac: { hash: string; key: Buffer } | undefined;
  const macOf = (serial: string | undefined) => (mac ??= macMethod(container, encryptionKeyOf, serial));

  // A file that protects its values (a key to decrypt, a MAC) protects its secrets: a secret in
  // plaintext there is one nobody vouches for — put in, or swapped in, on the way — and is refused.
  const protectedFile =
    childNamed(container, 'EncryptionKey', pskcNamespace) !== undefined || childNamed(container, 'MACMethod', pskcNamespace) !== undefined || keys.transportKey !== undefined || keys.password !== undefined;

  return (data, serial) => {
    const plain = childNamed(data, 'PlainValue', pskcNamespace);
    const encrypted = childNamed(data, 'EncryptedValue', pskcNamespace);
    if (plain && encrypted) throw new PskcRefusal('plain_in_encrypted', serial, `${data.local} holds both a PlainValue and an EncryptedValue`);
    if (plain && protectedFile && data.local === 'Secret') throw new PskcRefusal('plain_in_encrypted', serial, 'a plaintext secret in a file that encrypts its values');
    if (plain) return { kind: 'plain', text: plain.text };
    if (!encrypted) return undefined;
    const { cipher, bytes } = cipherValue(encrypted, serial, data.local);
    const valueMac = childNamed(data, 'ValueMAC', pskcNamespace);
    if (!valueMac) throw new PskcRefusal('mac_missing', serial, `${data.local} is encrypted without a ValueMAC`);
    const { hash, key } = macOf(serial);
    const expected = createHmac(hash, key).update(bytes).digest();
    const given = fromBase64(valueMac.text, serial, 'ValueMAC');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new PskcRefusal('mac_mismatch', serial, `the MAC of ${data.local} does not verify`);
    }
    // The MAC held, so the bytes are the sender's: bad padding now is the sender's error, not a wrong key.
    return { kind: 'decrypted', bytes: decrypt(cipher, encryptionKeyOf(), bytes, serial, 'value_malformed') };
  };
}

/** RFC 6030 §6.1 (a pre-shared key, named by ds:KeyName or not at all) or §6.2 (a password). */
function containerKey(container: XmlElement, keys: PskcKeys): Buffer {
  const declared = childNamed(container, 'EncryptionKey', pskcNamespace);
  const derived = childNamed(declared, 'DerivedKey');
  if (derived) return derivedKey(derived, keys.password);
  if (declared && declared.children.some((child) => child.local !== 'KeyName')) {
    throw new PskcRefusal('unsupported_encryption', undefined, 'only a pre-shared key or a password-derived key is accepted');
  }
  if (!keys.transportKey) throw new PskcRefusal('key_required', undefined, 'the file is encrypted with a pre-shared transport key');
  return keys.transportKey;
}

/** RFC 6030 §6.1.1: the MAC algorithm, and its key carried encrypted under the encryption key. */
function macMethod(container: XmlElement, encryptionKeyOf: () => Buffer, serial: string | undefined): { hash: string; key: Buffer } {
  const method = childNamed(container, 'MACMethod', pskcNamespace);
  if (!method) {
    if (childNamed(container, 'MACAlgorithm', pskcNamespace)) {
      // The drafts before RFC 6030 named only an algorithm and took the encryption key as MAC key.
      throw new PskcRefusal('unsupported_mac', undefined, 'the pre-RFC MACAlgorithm form is not accepted');
    }
    throw new PskcRefusal('mac_missing', serial, 'encrypted values without a MACMethod');
  }
  const hash = macHashes.get(attributeValue(method, 'Algorithm') ?? '');
  if (!hash) throw new PskcRefusal('unsupported_mac', undefined, 'the MAC must be HMAC-SHA1 or HMAC-SHA256');
  const macKey = childNamed(method, 'MACKey', pskcNamespace);
  if (!macKey) throw new PskcRefusal('unsupported_mac', undefined, 'the MAC key must be carried in MACKey');
  const { cipher, bytes } = cipherValue(macKey, undefined, 'MACKey');
  const key = decrypt(cipher, encryptionKeyOf(), bytes, undefined, 'wrong_key');
  if (key.length < macKeyBytesMin) throw new PskcRefusal('wrong_key', undefined, 'the MAC key decrypts too short');
  return { hash, key };
}

/** An xenc EncryptedData-like element: EncryptionMethod and CipherData/CipherValue. */
function cipherValue(encrypted: XmlElement, serial: string | undefined, what: string): { cipher: CbcCipher; bytes: Buffer } {
  const cipher = cbcCiphers.get(attributeValue(childNamed(encrypted, 'EncryptionMethod'), 'Algorithm') ?? '');
  if (!cipher) throw new PskcRefusal('unsupported_encryption', serial, `${what} must be AES-CBC encrypted`);
  const value = childNamed(childNamed(encrypted, 'CipherData'), 'CipherValue');
  if (!value) throw new PskcRefusal('unsupported_encryption', serial, `${what} must hold its CipherValue`);
  const bytes = fromBase64(value.text, serial, `${what} CipherValue`);
  if (bytes.length < 2 * ivBytes || bytes.length % ivBytes !== 0) {
    throw new PskcRefusal('value_malformed', serial, `${what} is not an IV and whole AES blocks`);
  }
  return { cipher, bytes };
}

/**
 * XML Encryption §5.2 pads with any bytes but a last one giving the padding's length (Java's
 * ISO 10126 padding, for one, writes random bytes), so only that last byte is checked: a PKCS #7
 * check would refuse such files. Garbage from a wrong key mostly fails it (`badPadding`); when it
 * passes by chance, the MAC does not verify.
 */
function decrypt(cipher: CbcCipher, key: Buffer, bytes: Buffer, serial: string | undefined, badPadding: PskcReason): Buffer {
  if (key.length !== cipher.keyBytes) throw new PskcRefusal('wrong_key', serial, `${cipher.name} takes a ${cipher.keyBytes}-byte key`);
  const decipher = createDecipheriv(cipher.name, key, bytes.subarray(0, ivBytes));
  decipher.setAutoPadding(false);
  const padded = Buffer.concat([decipher.update(bytes.subarray(ivBytes)), decipher.final()]);
  const padding = padded[padded.length - 1] ?? 0;
  if (padding < 1 || padding > ivBytes) throw new PskcRefusal(badPadding, serial, 'the decrypted padding is not valid');
  return padded.subarray(0, padded.length - padding);
}
