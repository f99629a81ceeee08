import { randomBytes } from 'node:crypto';
import type { Deps } from '../../src/deps.ts';
import type { LiveSession } from '../../src/access/sessions.ts';
import type { TokenHash, TokenAssignReason } from '../../src/db/schema-tokens.ts';
import { inTransaction } from '../../src/db/transaction.ts';
import { isAppError } from '../../src/errors.ts';
import { codeAt, stepAt, tokenDriftWindowSteps } from '../../src/auth/token-totp.ts';
import { tokenSecretAssociatedData } from '../../src/access/hardware-token/secret.ts';
import { assignTokenInTx, type Assignment } from '../../src/modules/tokens/assign.ts';

/**
 * Pieces shared by the hardware-token tests: a token as the bank's import leaves it (its secret
 * sealed with the deps' keyring, the serial as associated data), its assignment by the operator, and
 * the code the token shows at a moment, computed from the secret as the device computes it.
 */
export interface TestToken {
  serial: string;
  secret: Buffer;
  hash: TokenHash;
}

export const tokenStepSeconds = 60;
export const tokenContext = { ip: '198.51.100.20', userAgent: 'token-test' };

let tokenCounter = 0;

/** A new unassigned token with a random secret, stored as an import stores it (src/modules/tokens/import.ts). */
export async function addToken(deps: Deps, options: { hash?: TokenHash; expires?: string } = {}): Promise<TestToken> {
  tokenCounter++;
  const serial = `T${process.pid}-${tokenCounter}`;
  const secret = randomBytes(20);
  const hash = options.hash ?? 'sha1';
  await deps.db
    .insertInto('hardware_token')
    .values({
      serial,
      secret_sealed: deps.keyring.seal(secret.toString('base64'), tokenSecretAssociatedData(serial)),
      hash,
      digits: 6,
      step_seconds: tokenStepSeconds,
      expires_on: options.expires ?? '2030-12-31',
      imported_at: deps.clock.now(),
      imported_by: 'operator:test',
    })
    .execute();
  return { serial, secret, hash };
}

/** The operator assigns the token to the contract (R6.2), in a transaction of its own. */
export function assignToken(deps: Deps, serial: string, contractId: string, reason: TokenAssignReason = 'new'): Promise<Assignment> {
  return inTransaction(deps.db, (tx) => assignTokenInTx(deps, tx, { serial, contractId, reason, by: { actor: 'operator:test' } }));
}

/** A new token, assigned to the contract. */
export async function assignedToken(deps: Deps, contractId: string): Promise<TestToken> {
  const token = await addToken(deps);
  await assignToken(deps, token.serial, contractId);
  return token;
}

/** The code the token shows at `at`, or `offsetSteps` steps later. */
export function codeOf(token: Pick<TestToken, 'secret' | 'hash'>, at: Date, offsetSteps = 0): string {
  return codeAt(token.secret, stepAt(at, tokenStepSeconds) + offsetSteps, { hash: token.hash, digits: 6, stepSeconds: tokenStepSeconds });
}

/** Six digits the token shows at no step the check accepts around `at`: a wrong code, never by chance a right one. */
export function wrongCodeOf(token: Pick<TestToken, 'secret' | 'hash'>, at: Date): string {
  const accepted = new Set<string>();
  for (let offset = -tokenDriftWindowSteps; offset <= tokenDriftWindowSteps; offset++) accepted.add(codeOf(token, at, offset));
  for (let n = 123_456; ; n = (n + 1) % 1_000_000) {
    const code = String(n).padStart(6, '0');
    if (!accepted.has(code)) return code;
  }
}

/** The error code a call is refused with, or 'accepted'. */
export async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (isAppError(error)) return error.code;
    throw error;
  }
  return 'accepted';
}

/** The person's row as it stands now (a check reads the stop and the activated token from it). */
export function userById(deps: Deps, ref: number) {
  return deps.db.selectFrom('users').selectAll().where('id', '=', ref).executeTakeFirstOrThrow();
}

export function tokenRow(deps: Deps, serial: string) {
  return deps.db.selectFrom('hardware_token').selectAll().where('serial', '=', serial).executeTakeFirstOrThrow();
}

/** A person as their session would present them to the use cases (which read no more of the session). */
export async function liveOf(deps: Deps, ref: number): Promise<LiveSession> {
  const user = await userById(deps, ref);
  const contract = await deps.db.selectFrom('contract').selectAll().where('id', '=', user.contract_id).executeTakeFirstOrThrow();
  const session = { id: `token-test-${ref}`, stage: 'active', user_ref: ref, contract_id: user.contract_id } as LiveSession['session'];
  return { session, user, contract, mayAdminister: user.role === 'master', needsOtpAddress: false, needsTokenActivation: false, heldSteps: [], shownChallenge: undefined };
}
