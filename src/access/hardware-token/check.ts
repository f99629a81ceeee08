import { sql } from 'kysely';
import type { Deps } from '../../deps.ts';
import type { User } from '../../db/schema.ts';
import type { HardwareToken } from '../../db/schema-tokens.ts';
import { inTransaction, type Tx } from '../../db/transaction.ts';
import { AppError } from '../../errors.ts';
import { recordAudit, userActor, type AuditEvent } from '../../audit/audit-trail.ts';
import { matchingStep, tokenDriftWindowSteps } from '../../auth/token-totp.ts';
import type { RequestContext } from '../request-context.ts';
import { refuseAsBusy } from '../attempts-busy.ts';
import { tokenSecretAssociatedData, totpParametersOf } from './secret.ts';
import { tokenExpired } from './standing.ts';
import { notifyTokenStop } from './notices.ts';

/** R6.6: five wrong token passwords stop the person's token use. */
export const tokenFailuresMax = 5;

/** A token code accepted: the token and the time step it spent (R6.8). */
export interface AcceptedCode {
  serial: string;
  step: number;
}

/** What a code was entered for: the person, where from, and the action the audit trail names. */
export interface TokenEntry {
  user: User;
  context: RequestContext;
  action: string;
}

function refuse(code: 'TOKEN_CODE_FORMAT' | 'TOKEN_CODE_WRONG' | 'TOKEN_CODE_USED' | 'TOKEN_STOPPED' | 'TOKEN_BUSY' | 'TOKEN_NOT_ACTIVE' | 'TOKEN_REVOKED' | 'TOKEN_EXPIRED', params?: Record<string, string>): never {
  throw new AppError(code, { field: 'tokenCode', ...(params ? { params } : {}) });
}

/**
 * The code of a token, matched in constant time against the steps around the token's clock; the
 * secret is opened only here and never leaves this function.
 */
export function codeStep(deps: Deps, token: HardwareToken, code: string, now: Date): number | undefined {
  const secret = Buffer.from(deps.keyring.open(token.secret_sealed, tokenSecretAssociatedData(token.serial)), 'base64');
  return matchingStep(secret, code, now, totpParametersOf(token), { driftSteps: token.drift_steps, windowSteps: tokenDriftWindowSteps });
}

/**
 * R6.8, house rule 4: a step is spent by one conditional UPDATE on the token, shared by everyone
 * who uses it — a code is accepted at most once, and never one older than the last accepted.
 */
export async function spendStep(tx: Tx, serial: string, step: number, now: Date): Promise<boolean> {
  const spent = await tx
    .updateTable('hardware_token')
    .set({ last_step: BigInt(step), last_used_at: now })
    .where('serial', '=', serial)
    .where('last_step', '<', BigInt(step))
    .where('revoked_at', 'is', null)
    .returning('serial')
    .executeTakeFirst();
  return spent !== undefined;
}

/** The token a person activated, as it stands; refused when there is none usable (R6.4, R6.7). */
export async function usableTokenOf(deps: Deps, user: User): Promise<HardwareToken> {
  if (user.token_stopped_at) refuse('TOKEN_STOPPED');
  if (!user.token_serial) refuse('TOKEN_NOT_ACTIVE');
  const token = await deps.db.selectFrom('hardware_token').selectAll().where('serial', '=', user.token_serial).executeTakeFirst();
  if (!token || token.contract_id !== user.contract_id) refuse('TOKEN_NOT_ACTIVE');
  if (token.revoked_at) refuse('TOKEN_REVOKED');
  if (tokenExpired(token, deps.clock.now())) refuse('TOKEN_EXPIRED');
  return token;
}

/**
 * R6.5, R6.6, R6.8: the token password that confirms an operation. An attempt is reserved before the
 * code is evaluated (house rule 5: however many arrive at once, at most five are evaluated between
 * right ones); a right code spends its step and clears the count; a wrong one is recorded, and the
 * fifth stops the person's token use, told to them and the master. A refusal because every attempt
 * is in flight says so (busy), never "wrong" or "stopped".
 */
export async function confirmWithToken(deps: Deps, entry: TokenEntry, code: unknown): Promise<AcceptedCode> {
  const token = await usableTokenOf(deps, entry.user);
  if (typeof code !== 'string' || !/^[0-9]{6}$/.test(code)) refuse('TOKEN_CODE_FORMAT');
  const now = deps.clock.now();
  const attempt = await reserveTokenAttempt(deps, entry);
  const step = await evaluated(deps, entry.user, () => codeStep(deps, token, code, now));
  if (step === undefined) return refuseWrong(deps, entry, token.serial, attempt, 'TOKEN_CODE_WRONG');
  await acceptStep(deps, entry, token.serial, step, 'token.verify');
  return { serial: token.serial, step };
}

/**
 * House rule 5: one of the person's five attempts, reserved before a code is evaluated; refused as
 * stopped, or as busy (recorded, decision 0022) when the attempts left are all being evaluated at
 * this moment.
 */
export async function reserveTokenAttempt(deps: Deps, entry: TokenEntry): Promise<number> {
  const { user } = entry;
  const reserved = await deps.db
    .updateTable('users')
    .set({ token_failed_attempts: sql<number>`token_failed_attempts + 1` })
    .where('id', '=', user.id)
    .where('token_stopped_at', 'is', null)
    .where('token_failed_attempts', '<', tokenFailuresMax)
    .returning('token_failed_attempts')
    .executeTakeFirst();
  if (reserved) return reserved.token_failed_attempts;
  const standing = await deps.db.selectFrom('users').select('token_stopped_at').where('id', '=', user.id).executeTakeFirstOrThrow();
  if (standing.token_stopped_at) refuse('TOKEN_STOPPED');
  return refuseAsBusy('TOKEN_BUSY', (reason) => recordAudit(deps.db, { ...tokenAuditEvent(entry, deps.clock.now(), 'token.busy', 'failure', {}), reason }), 'tokenCode');
}

/** Gives a reserved attempt back (a right code not used, an evaluation that failed for another reason). */
export async function releaseTokenAttempt(deps: Deps, user: User): Promise<void> {
  await deps.db
    .updateTable('users')
    .set({ token_failed_attempts: sql<number>`greatest(token_failed_attempts - 1, 0)` })
    .where('id', '=', user.id)
    .execute();
}

/** The evaluation of a code under a reserved attempt; if it fails (not a wrong code: an error), the attempt is given back. */
export async function evaluated<T>(deps: Deps, user: User, evaluate: () => T): Promise<T> {
  try {
    return evaluate();
  } catch (error) {
    await releaseTokenAttempt(deps, user);
    throw error;
  }
}

function tokenAudit(tx: Tx, entry: TokenEntry, now: Date, action: string, outcome: 'success' | 'failure', details: Record<string, unknown>) {
  return recordAudit(tx, tokenAuditEvent(entry, now, action, outcome, details));
}

function tokenAuditEvent(entry: TokenEntry, now: Date, action: string, outcome: 'success' | 'failure', details: Record<string, unknown>): AuditEvent {
  return {
    at: now,
    contractId: entry.user.contract_id,
    userRef: entry.user.id,
    actor: userActor(entry.user.contract_id, entry.user.user_id),
    action,
    outcome,
    ip: entry.context.ip,
    userAgent: entry.context.userAgent,
    details: { for: entry.action, ...details },
  };
}

/**
 * A right code: its step is spent on the token (R6.8) and the person's count cleared, with the audit
 * record and `then` (an activation's own write) in one transaction. A step spent already (a replay,
 * or the same code entered by someone sharing the token) gives the attempt back and is refused.
 */
export async function acceptStep(deps: Deps, entry: TokenEntry, serial: string, step: number, action: string, then?: (tx: Tx, now: Date) => Promise<void>): Promise<void> {
  const now = deps.clock.now();
  const spent = await inTransaction(deps.db, async (tx) => {
    const ok = await spendStep(tx, serial, step, now);
    await tx
      .updateTable('users')
      .set({ token_failed_attempts: ok ? 0 : sql<number>`greatest(token_failed_attempts - 1, 0)` })
      .where('id', '=', entry.user.id)
      .execute();
    await tokenAudit(tx, entry, now, ok ? action : 'token.replay', ok ? 'success' : 'failure', { serial, ...(ok ? {} : { reason: 'code already accepted' }) });
    if (ok) await then?.(tx, now);
    return ok;
  });
  if (!spent) refuse('TOKEN_CODE_USED');
}

/** A wrong entry, its attempt spent: recorded, and the fifth stops the person's token use (R6.6). */
export async function refuseWrong(deps: Deps, entry: TokenEntry, serial: string | undefined, attempt: number, code: 'TOKEN_CODE_WRONG' | 'TOKEN_ACTIVATION_FAILED'): Promise<never> {
  const now = deps.clock.now();
  const stopped = await inTransaction(deps.db, async (tx) => {
    // The person's row is written before the records' append locks the contract's audit head: the
    // order a code's send takes (the person, then the head; decisions 0026, 0031), so the two never
    // wait for each other in opposite orders. The records keep their order: the wrong code, then the stop.
    const stops = attempt >= tokenFailuresMax && (await stoppedTokenUse(tx, entry, now));
    await tokenAudit(tx, entry, now, 'token.wrong', 'failure', { ...(serial ? { serial } : {}), attempt, attemptsLeft: tokenFailuresMax - attempt });
    if (stops) await recordTokenStop(deps, tx, entry, serial, now);
    return stops;
  });
  if (stopped || attempt >= tokenFailuresMax) refuse('TOKEN_STOPPED');
  throw new AppError(code, { field: 'tokenCode', params: { left: String(tokenFailuresMax - attempt) } });
}

/** R6.6: the fifth wrong code stops the person's token use, once: true when this one stopped it. */
async function stoppedTokenUse(tx: Tx, entry: TokenEntry, now: Date): Promise<boolean> {
  const stopped = await tx
    .updateTable('users')
    .set({ token_stopped_at: now })
    .where('id', '=', entry.user.id)
    .where('token_stopped_at', 'is', null)
    .returning('id')
    .executeTakeFirst();
  return stopped !== undefined;
}

/** The stop's record, and the person and the master told (R6.6). */
async function recordTokenStop(deps: Deps, tx: Tx, entry: TokenEntry, serial: string | undefined, now: Date): Promise<void> {
  await tokenAudit(tx, entry, now, 'token.stop', 'failure', { ...(serial ? { serial } : {}), reason: 'five wrong token passwords' });
  await notifyTokenStop(deps, tx, entry.user, entry.context, now);
}

/**
 * A right code checked before an operation's transaction, its attempt still reserved: the operation
 * spends its step in its own transaction (useCheckedToken), so the code is used exactly when the
 * operation commits, and a refused operation leaves it good (withCheckedToken gives the attempt back).
 */
export interface CheckedToken {
  readonly entry: TokenEntry;
  readonly serial: string;
  readonly step: number;
  /** Set when the operation's transaction spent the step; read once that transaction has ended. */
  used: boolean;
}

/** R6.5, R6.6: checks a code for an operation that will use it in its own transaction. */
export async function checkTokenCode(deps: Deps, entry: TokenEntry, code: unknown): Promise<CheckedToken> {
  const token = await usableTokenOf(deps, entry.user);
  if (typeof code !== 'string' || !/^[0-9]{6}$/.test(code)) refuse('TOKEN_CODE_FORMAT');
  const attempt = await reserveTokenAttempt(deps, entry);
  const step = await evaluated(deps, entry.user, () => codeStep(deps, token, code, deps.clock.now()));
  if (step === undefined) return refuseWrong(deps, entry, token.serial, attempt, 'TOKEN_CODE_WRONG');
  return { entry, serial: token.serial, step, used: false };
}

/**
 * In the operation's transaction: the step is spent (R6.8, one conditional UPDATE), the count
 * cleared and the use recorded, or TOKEN_CODE_USED when it was spent meanwhile (by a request
 * submitted twice, or someone sharing the token).
 *
 * The record of the use (R9.1) is appended at once, or, with `recordWith`, handed to the operation,
 * which appends it with its own records in the same transaction: an operation that posts to the
 * ledger appends after its posting, so the contract's audit head is locked after the ledger
 * accounts (decision 0026), as a transfer's PendingStepAudit does.
 */
export async function useCheckedToken(deps: Deps, tx: Tx, checked: CheckedToken, recordWith?: (event: AuditEvent) => void): Promise<{ serial: string; verifiedAt: Date }> {
  const now = deps.clock.now();
  if (!(await spendStep(tx, checked.serial, checked.step, now))) refuse('TOKEN_CODE_USED');
  await tx.updateTable('users').set({ token_failed_attempts: 0 }).where('id', '=', checked.entry.user.id).execute();
  const record = tokenAuditEvent(checked.entry, now, 'token.verify', 'success', { serial: checked.serial });
  if (recordWith) recordWith(record);
  else await recordAudit(tx, record);
  checked.used = true;
  return { serial: checked.serial, verifiedAt: now };
}

/** Runs the operation; unless it committed a use of the code, the code's reserved attempt is given back. */
export async function withCheckedToken<T>(deps: Deps, checked: CheckedToken | undefined, operation: () => Promise<T>): Promise<T> {
  let committed = false;
  try {
    const result = await operation();
    committed = checked?.used === true;
    return result;
  } finally {
    if (checked && !committed) await releaseTokenAttempt(deps, checked.entry.user);
  }
}

/** Refusals a request submitted twice meets from its twin (the step spent, or its attempts in flight): said only if it is no twin. */
export function isTokenTwinRefusal(error: unknown): error is AppError {
  return error instanceof AppError && (error.code === 'TOKEN_CODE_USED' || error.code === 'TOKEN_BUSY');
}
