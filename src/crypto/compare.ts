import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Compares two secrets in constant time (house rule 7). Both sides are hashed first so that neither
 * their contents nor their lengths show in the timing.
 */
export function secretsEqual(a: string, b: string): boolean {
  return timingSafeEqual(sha256(a), sha256(b));
}

export function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

export function sha256Hex(text: string): string {
  return sha256(text).toString('hex');
}

/** SHA-256 of bytes as they are (a file's digest). */
export function sha256HexBytes(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
