import { totpAlgorithm } from './names.ts';
import { readPskc, type PskcKey, type PskcKeys } from './read.ts';
import { PskcRefusal, type PskcReason } from './refusal.ts';

/** A hardware TOTP token as the bank takes it in: one kind only, so that verifying needs no options. */
export interface HardwareTokenSeed {
  serial: string;
  secret: Buffer;
  hash: 'sha1' | 'sha256' | 'sha512';
  digits: 6;
  timeStepSeconds: 60;
  /** 'YYYY-MM-DD' */
  expires: string;
}

export const hardwareTokensPerFileMax = 10_000;
/** RFC 4226 §4 (R6): the shared secret is at least 128 bits. */
export const hardwareTokenSecretBytesMin = 16;
export const hardwareTokenTimeStepSeconds = 60;
export const hardwareTokenDigits = 6;

/** Printed on the token and typed by operators: letters, digits and hyphens. */
const serialPattern = /^[A-Za-z0-9-]{1,32}$/;

/** AlgorithmParameters/Suite (RFC 6030 §4); RFC 6238 §1.2 lets TOTP use HMAC-SHA-256 or -512 as well as HMAC-SHA-1. */
const hashBySuite: ReadonlyMap<string, HardwareTokenSeed['hash']> = new Map([
  ['HMAC-SHA1', 'sha1'],
  ['HMAC-SHA256', 'sha256'],
  ['HMAC-SHA512', 'sha512'],
]);

/**
 * The bank's import of a vendor's PSKC file of hardware tokens, all or nothing: one key that breaks
 * a rule refuses the whole file (PskcRefusal naming that key's serial), so a batch is never half
 * imported and a corrected file can simply be imported again.
 */
export function hardwareTokensFromPskc(text: string, keys: PskcKeys): HardwareTokenSeed[] {
  const found = readPskc(text, keys);
  if (found.length === 0) throw new PskcRefusal('empty', undefined, 'the file holds no key');
  if (found.length > hardwareTokensPerFileMax) {
    throw new PskcRefusal('too_many_keys', undefined, `more than ${hardwareTokensPerFileMax} keys in one file`);
  }
  const serials = new Set<string>();
  return found.map((key) => {
    const seed = seedOf(key);
    if (serials.has(seed.serial)) throw new PskcRefusal('duplicate_serial', seed.serial, 'the serial is in the file twice');
    serials.add(seed.serial);
    return seed;
  });
}

function seedOf(key: PskcKey): HardwareTokenSeed {
  const { serial } = key;
  const refuse = (reason: PskcReason, detail: string) => new PskcRefusal(reason, serial, detail);
  if (key.algorithm !== totpAlgorithm) throw refuse('not_totp', 'only TOTP keys are taken');
  if (serial === undefined || serial === '') throw refuse('serial_missing', 'the key has no device serial number');
  if (!serialPattern.test(serial)) throw refuse('serial_invalid', 'a serial is 1 to 32 letters, digits or hyphens');
  // An absent TimeInterval leaves TOTP's default of 30 seconds (RFC 6238 §5.2), which is not ours either.
  if (key.timeStepSeconds !== hardwareTokenTimeStepSeconds) throw refuse('time_step', `the time step must be ${hardwareTokenTimeStepSeconds} seconds`);
  if (key.digits !== hardwareTokenDigits) throw refuse('digits', `a code must have ${hardwareTokenDigits} digits`);
  if (key.encoding !== undefined && key.encoding !== 'DECIMAL') throw refuse('encoding', 'a code must be decimal');
  const hash = key.suite === undefined ? 'sha1' : hashBySuite.get(key.suite.toUpperCase());
  if (!hash) throw refuse('suite', 'the suite must be HMAC-SHA1, HMAC-SHA256 or HMAC-SHA512');
  if (!key.secret || key.secret.length === 0) throw refuse('secret_missing', 'the key has no secret');
  if (key.secret.length < hardwareTokenSecretBytesMin) {
    throw refuse('secret_too_short', `a secret must have at least ${hardwareTokenSecretBytesMin} bytes`);
  }
  if (key.expires === undefined) throw refuse('expiry_missing', 'the key has no expiry date');
  return { serial, secret: key.secret, hash, digits: 6, timeStepSeconds: 60, expires: key.expires };
}
