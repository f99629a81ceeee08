import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * RFC 6238 TOTP for the hardware tokens (R6.1), with the parameters a token's PSKC file gives: the
 * hash, the digits and the time step. Written on node:crypto so that the same code checks the
 * RFC's own vectors (8 digits, 30 seconds, SHA-1/256/512) and the tokens (6 digits, 60 seconds).
 * Pure: the time is an argument (house rule 6).
 */
export type TotpHash = 'sha1' | 'sha256' | 'sha512';

export interface TotpParameters {
  hash: TotpHash;
  digits: number;
  stepSeconds: number;
}

/** R6.8: one step either side of the token's stored drift absorbs a clock a little off and the time to type. */
export const tokenDriftWindowSteps = 1;
/** How far the help desk searches for a drifting token's clock, in steps either side (±30 minutes at 60 s). */
export const resyncSearchSteps = 30;

/** The time step (RFC 6238 T) a moment falls in. */
export function stepAt(now: Date, stepSeconds: number): number {
  return Math.floor(now.getTime() / 1000 / stepSeconds);
}

/** RFC 4226 §5.3: HOTP of the counter, dynamically truncated, as `digits` decimal digits. */
export function codeAt(secret: Uint8Array, step: number, parameters: TotpParameters): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac(parameters.hash, secret).update(counter).digest();
  const offset = mac[mac.length - 1]! & 0x0f;
  const binary = (mac.readUInt32BE(offset) & 0x7fffffff) % 10 ** parameters.digits;
  return binary.toString().padStart(parameters.digits, '0');
}

function sameCode(expected: string, given: string): boolean {
  return expected.length === given.length && timingSafeEqual(Buffer.from(expected), Buffer.from(given));
}

/**
 * The step `code` belongs to, searched around `now` shifted by the token's drift, `windowSteps` either
 * side; undefined when no step in the window matches or the code is not `digits` digits. Every step of
 * the window is computed and compared, whichever matches, so the time taken says nothing of which.
 */
export function matchingStep(secret: Uint8Array, code: string, now: Date, parameters: TotpParameters, options: { driftSteps: number; windowSteps: number }): number | undefined {
  if (!new RegExp(`^[0-9]{${parameters.digits}}$`).test(code)) return undefined;
  const centre = stepAt(now, parameters.stepSeconds) + options.driftSteps;
  let found: number | undefined;
  for (let offset = -options.windowSteps; offset <= options.windowSteps; offset += 1) {
    const step = centre + offset;
    if (sameCode(codeAt(secret, step, parameters), code) && found === undefined) found = step;
  }
  return found;
}

/**
 * Resynchronisation: two codes read one after the other from the token, the second just now. The
 * drift is how many steps the token's clock is ahead of ours (the second code's step minus ours),
 * searched `resyncSearchSteps` either side. Undefined when no pair of consecutive steps fits, or
 * more than one does (the codes do not pin the clock down).
 */
export function driftOf(secret: Uint8Array, first: string, second: string, now: Date, parameters: TotpParameters): number | undefined {
  const pattern = new RegExp(`^[0-9]{${parameters.digits}}$`);
  if (!pattern.test(first) || !pattern.test(second)) return undefined;
  const centre = stepAt(now, parameters.stepSeconds);
  const fits: number[] = [];
  for (let drift = -resyncSearchSteps; drift <= resyncSearchSteps; drift += 1) {
    const step = centre + drift;
    if (sameCode(codeAt(secret, step - 1, parameters), first) && sameCode(codeAt(secret, step, parameters), second)) fits.push(drift);
  }
  return fits.length === 1 ? fits[0] : undefined;
}
