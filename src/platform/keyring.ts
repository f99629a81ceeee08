import { createCipheriv, createDecipheriv, createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import type { Random } from './random.ts';

/**
 * Versioned encryption keys for secret data at rest (grid card digits, R3.4).
 * A sealed value is `v<version>.<iv>.<tag>.<ciphertext>` (base64url), AES-256-GCM, so keys can be
 * rotated: new data is sealed with the newest key, old data still opens with its own.
 * The associated data binds a sealed value to its purpose and row, so a value copied into another
 * row or column does not open.
 */
export interface Keyring {
  seal(plaintext: string, associatedData: string): string;
  open(sealed: string, associatedData: string): string;
  /**
   * A keyed hash (HMAC-SHA-256) of a short secret such as an emailed code, `v<version>.<hex>`: kept
   * instead of the secret, it reveals nothing without the key. The key is derived from the newest
   * encryption key for `purpose` alone (HKDF), so the MAC key is never the encryption key itself.
   */
  mac(message: string, purpose: string): string;
  /** Whether `stored` is the MAC of `message` for `purpose`, under the key version it names; constant time. */
  macMatches(message: string, purpose: string, stored: string): boolean;
}

const keyBytes = 32;
const ivBytes = 12;
const tagBytes = 16;

/** Parses `1:<base64 key>,2:<base64 key>`; the highest version seals. */
export function parseKeyringSpec(spec: string): Map<number, Buffer> {
  const keys = new Map<number, Buffer>();
  for (const part of spec.split(',').map((p) => p.trim()).filter(Boolean)) {
    const match = /^(\d{1,6}):([A-Za-z0-9+/_-]+={0,2})$/.exec(part);
    if (!match) throw new Error('ENCRYPTION_KEYS: each entry must be <version>:<base64 32-byte key>');
    // match[2]: the pattern's second group, present whenever it matched.
    const key = Buffer.from(match[2]!, 'base64');
    if (key.length !== keyBytes) throw new Error(`ENCRYPTION_KEYS: key version ${match[1]} is not 32 bytes`);
    keys.set(Number(match[1]), key);
  }
  if (keys.size === 0) throw new Error('ENCRYPTION_KEYS: no key given');
  return keys;
}

function macKey(key: Buffer, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), `mac:${purpose}`, keyBytes));
}

function macOf(key: Buffer, message: string, purpose: string): Buffer {
  return createHmac('sha256', macKey(key, purpose)).update(message, 'utf8').digest();
}

export function createKeyring(keys: Map<number, Buffer>, random: Random): Keyring {
  const current = Math.max(...keys.keys());
  return {
    mac(message, purpose) {
      // `current` is the newest version of `keys`, checked when the keyring was made.
      return `v${current}.${macOf(keys.get(current)!, message, purpose).toString('hex')}`;
    },
    macMatches(message, purpose, stored) {
      const match = /^v(\d{1,6})\.([0-9a-f]{64})$/.exec(stored);
      const key = match ? keys.get(Number(match[1])) : undefined;
      if (!match || !key) return false;
      return timingSafeEqual(macOf(key, message, purpose), Buffer.from(match[2]!, 'hex'));
    },
    seal(plaintext, associatedData) {
      const iv = random.bytes(ivBytes);
      // `current` is the newest version of `keys`, checked when the keyring was made.
      const cipher = createCipheriv('aes-256-gcm', keys.get(current)!, iv, { authTagLength: tagBytes });
      cipher.setAAD(Buffer.from(associatedData));
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return ['v' + current, iv, cipher.getAuthTag(), body]
        .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
        .join('.');
    },
    open(sealed, associatedData) {
      const [version, iv, tag, body] = sealed.split('.');
      const key = keys.get(Number(version?.slice(1)));
      if (!key || !iv || !tag || body === undefined) throw new Error('sealed value: unknown key version or malformed');
      const authTag = Buffer.from(tag, 'base64url');
      // A shortened tag would be far easier to forge: only the full 16 bytes are accepted.
      if (authTag.length !== tagBytes) throw new Error('sealed value: authentication tag is not 16 bytes');
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'), { authTagLength: tagBytes });
      decipher.setAAD(Buffer.from(associatedData));
      decipher.setAuthTag(authTag);
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
    },
  };
}
