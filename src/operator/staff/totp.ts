import { generateURI, verifySync } from 'otplib';
import type { Random } from '../../platform/random.ts';

/**
 * The bank's staff confirm their logon with an authenticator app: RFC 6238 TOTP, 6 digits, 30-second
 * steps, HMAC-SHA-1 (what every authenticator app supports). otplib computes and compares the codes;
 * the secret comes from our randomness and the time from the caller (house rule 6).
 */
export const totpDigits = 6;
export const totpPeriodSeconds = 30;
/** RFC 4226 §4 asks for at least 128 bits; 160 bits is the HMAC-SHA-1 block the apps expect. */
export const totpSecretBytes = 20;
/** RFC 6238 §5.2: one step either side absorbs a phone clock a little off and the time to type. */
export const totpDriftSteps = 1;

const base32Alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32 without padding, the form authenticator apps read. */
export function base32(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += base32Alphabet[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) out += base32Alphabet[(buffer << (5 - bits)) & 31];
  return out;
}

export function newTotpSecret(random: Random): string {
  return base32(random.bytes(totpSecretBytes));
}

/**
 * The time step (RFC 6238 T) a code belongs to, if it is right within the allowed drift; otherwise
 * undefined. The caller accepts each step at most once (house rule 4).
 */
export function totpStepOf(secret: string, code: string, now: Date): number | undefined {
  if (!new RegExp(`^[0-9]{${totpDigits}}$`).test(code)) return undefined;
  const result = verifySync({
    secret,
    token: code,
    digits: totpDigits,
    period: totpPeriodSeconds,
    epoch: Math.floor(now.getTime() / 1000),
    epochTolerance: totpDriftSteps * totpPeriodSeconds,
  });
  return result.valid && 'timeStep' in result ? result.timeStep : undefined;
}

/** The step a moment falls in: what an authenticator app shows at that moment. */
export function totpStepAt(now: Date): number {
  return Math.floor(now.getTime() / 1000 / totpPeriodSeconds);
}

/** The `otpauth://` URI an authenticator app imports (usually as a QR code). */
export function totpUri(options: { issuer: string; login: string; secret: string }): string {
  return generateURI({
    issuer: options.issuer,
    label: options.login,
    secret: options.secret,
    digits: totpDigits,
    period: totpPeriodSeconds,
  });
}
