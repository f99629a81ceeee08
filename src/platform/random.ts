import { randomBytes, randomInt } from 'node:crypto';

/** Randomness arrives as an argument (house rule 6) so tests can make it repeatable where they need to. */
export interface Random {
  bytes(length: number): Buffer;
  /** A uniform integer in [min, max). */
  int(min: number, max: number): number;
}

export const cryptoRandom: Random = {
  bytes: (length) => randomBytes(length),
  int: (min, max) => randomInt(min, max),
};

export function randomDigits(random: Random, length: number): string {
  let digits = '';
  for (let i = 0; i < length; i++) digits += String(random.int(0, 10));
  return digits;
}

/** URL-safe token of `bytes` random bytes. */
export function randomToken(random: Random, bytes = 32): string {
  return random.bytes(bytes).toString('base64url');
}
