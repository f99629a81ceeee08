import { sql } from 'kysely';
import type { Deps } from '../../deps.ts';
import type { Staff } from '../../db/schema.ts';
import type { Executor } from '../../db/transaction.ts';
import { inTransaction } from '../../db/transaction.ts';
import { AppError } from '../../errors.ts';
import { recordAudit } from '../../audit/audit-trail.ts';
import { verifyDecoy, verifySecret } from '../../auth/password-hash.ts';
import { hitRateLimit } from '../../modules/rate-limit.ts';
import { staffTotpAssociatedData } from './accounts.ts';
import { totpStepOf } from './totp.ts';
import { createStaffSession, endStaffSession, endStaffSessionsOf, type LiveStaffSession } from './sessions.ts';

/**
 * The staff's logon: login ID and password, then a code from the authenticator app. As for the
 * customers (R2.3, decision 0001), an attempt is reserved before a secret is evaluated and seven
 * consecutive wrong secrets stop the member; every way of failing a step gives the same answer and
 * the audit trail keeps the real reason.
 */
export const staffLockoutFailuresMax = 7;
const rateWindowSeconds = 60;

export interface StaffRequestContext {
  ip: string;
  userAgent?: string;
}

export function staffActor(login: string): string {
  return `staff:${login}`;
}

export async function reserveAttempt(executor: Executor, staffRef: number): Promise<number | undefined> {
  const row = await executor
    .updateTable('staff')
    .set({ failed_attempts: sql`failed_attempts + 1` })
    .where('id', '=', staffRef)
    .where('stopped_at', 'is', null)
    .where('disabled_at', 'is', null)
    .where('failed_attempts', '<', staffLockoutFailuresMax)
    .returning('failed_attempts')
    .executeTakeFirst();
  return row?.failed_attempts;
}

export async function releaseAttempt(executor: Executor, staffRef: number): Promise<void> {
  await executor.updateTable('staff').set({ failed_attempts: sql`greatest(failed_attempts - 1, 0)` }).where('id', '=', staffRef).execute();
}

/** The seventh consecutive wrong secret stops the member and ends their sessions, in one transaction. */
export async function stopIfExhausted(deps: Deps, staff: Staff, attempt: number, context: StaffRequestContext): Promise<void> {
  if (attempt < staffLockoutFailuresMax) return;
  const now = deps.clock.now();
  await inTransaction(deps.db, async (tx) => {
    const stopped = await tx.updateTable('staff').set({ stopped_at: now }).where('id', '=', staff.id).where('stopped_at', 'is', null).returning('id').executeTakeFirst();
    if (!stopped) return;
    await endStaffSessionsOf(tx, staff.id, 'stopped', now);
    await recordAudit(tx, {
      at: now,
      contractId: null,
      userRef: null,
      actor: 'system',
      action: 'staff.stop',
      outcome: 'info',
      reason: 'too_many_failures',
      ip: context.ip,
      userAgent: context.userAgent,
      details: { login: staff.login_id },
    });
  });
}

function usable(staff: Staff): boolean {
  return staff.stopped_at === null && staff.disabled_at === null;
}

/** Step 1: login ID and password. A right password opens a pending session for the code. */
export async function checkStaffPassword(deps: Deps, input: { login: string; password: string }, context: StaffRequestContext): Promise<{ token: string }> {
  const now = deps.clock.now();
  if (!(await hitRateLimit(deps.db, `staff-logon:${context.ip}`, deps.config.logonRatePerMinute, rateWindowSeconds, now))) {
    throw new AppError('AUTH_RATE_LIMITED');
  }
  const staff = await deps.db.selectFrom('staff').selectAll().where('login_id', '=', input.login).executeTakeFirst();
  const fail = async (reason: string): Promise<never> => {
    await recordAudit(deps.db, {
      at: now,
      contractId: null,
      userRef: null,
      actor: staff ? staffActor(staff.login_id) : 'anonymous',
      action: 'staff.logon',
      outcome: 'failure',
      reason,
      ip: context.ip,
      userAgent: context.userAgent,
      details: staff ? { step: 'password' } : { step: 'password', login: input.login },
    });
    throw new AppError('OPERATOR_LOGON_FAILED');
  };
  if (!staff) {
    await verifyDecoy(input.password);
    return fail('unknown_staff');
  }
  if (!usable(staff)) {
    await verifyDecoy(input.password);
    return fail(staff.disabled_at ? 'disabled' : 'stopped');
  }
  const attempt = await reserveAttempt(deps.db, staff.id);
  if (attempt === undefined) {
    await verifyDecoy(input.password);
    return fail('stopped');
  }
  if (!(await verifySecret(staff.password_hash, input.password))) {
    await stopIfExhausted(deps, staff, attempt, context);
    return fail('wrong_password');
  }
  await releaseAttempt(deps.db, staff.id);
  const { token } = await createStaffSession(deps, deps.db, { staff, stage: 'totp', ip: context.ip });
  return { token };
}

/**
 * Step 2: the authenticator code. Its time step is consumed by one conditional statement (house
 * rule 4), which also resets the failure count: a code seen once (shoulder-surfed, replayed, or the
 * loser of a double submit) never opens a second session. A right code gives a fresh session id and
 * ends the member's other sessions.
 */
export async function answerStaffTotp(deps: Deps, live: LiveStaffSession, code: string, context: StaffRequestContext): Promise<{ token: string }> {
  const now = deps.clock.now();
  const { staff, session } = live;
  const auditBase = { at: now, contractId: null, userRef: null, actor: staffActor(staff.login_id), action: 'staff.logon', ip: context.ip, userAgent: context.userAgent };
  const fail = async (reason: string): Promise<never> => {
    await recordAudit(deps.db, { ...auditBase, outcome: 'failure', reason, details: { step: 'totp' } });
    throw new AppError('OPERATOR_TOTP_FAILED');
  };
  const attempt = await reserveAttempt(deps.db, staff.id);
  if (attempt === undefined) return fail('stopped');
  const secret = deps.keyring.open(staff.totp_secret_sealed, staffTotpAssociatedData(staff.login_id));
  const step = totpStepOf(secret, code, now);
  if (step === undefined) {
    await stopIfExhausted(deps, staff, attempt, context);
    return fail('wrong_totp');
  }
  const done = await inTransaction(deps.db, async (tx) => {
    const consumed = await tx
      .updateTable('staff')
      .set({ totp_last_step: BigInt(step), failed_attempts: 0 })
      .where('id', '=', staff.id)
      .where('totp_last_step', '<', BigInt(step))
      .where('stopped_at', 'is', null)
      .where('disabled_at', 'is', null)
      .returning('id')
      .executeTakeFirst();
    if (!consumed) return undefined;
    await endStaffSession(tx, session.id, 'rotated', now);
    await endStaffSessionsOf(tx, staff.id, 'superseded', now);
    const created = await createStaffSession(deps, tx, { staff, stage: 'active', ip: context.ip });
    await recordAudit(tx, { ...auditBase, outcome: 'success', details: { step: 'totp' } });
    return created.token;
  });
  if (done) return { token: done };
  // A right code whose step was already used: refused, but it is not a wrong secret.
  await releaseAttempt(deps.db, staff.id);
  return fail('totp_step_used');
}
