import type { Deps } from '../../deps.ts';
import type { Staff } from '../../db/schema.ts';
import type { Executor } from '../../db/transaction.ts';
import { inTransaction } from '../../db/transaction.ts';
import { AppError } from '../../errors.ts';
import { recordAudit } from '../../audit/audit-trail.ts';
import { verifyDecoy, verifySecret } from '../../auth/password-hash.ts';
import { admitLogonAttempt } from '../../access/logon-refusals.ts';
import { inFlightAfterOutcome, releaseAttempt, staffHolder } from '../../access/attempts.ts';
import { checkSecret, checkSecretKeeping } from '../../access/check-secret.ts';
import type { RequestContext } from '../../access/request-context.ts';
import { staffTotpAssociatedData } from './accounts.ts';
import { totpStepOf } from './totp.ts';
import { createStaffSession, endStaffSession, endStaffSessionsOf, type LiveStaffSession } from '../../access/staff-sessions.ts';

/**
 * The staff's logon: login ID and password, then a code from the authenticator app. As for the
 * customers (R2.3, decision 0001), every secret goes through checkSecret (an attempt reserved before
 * it is evaluated, seven consecutive wrong ones stop the member); every way of failing a step gives
 * the same answer and the audit trail keeps the real reason.
 */
export function staffActor(login: string): string {
  return `staff:${login}`;
}

function usable(staff: Staff): boolean {
  return staff.stopped_at === null && staff.disabled_at === null;
}

/** Step 1: login ID and password. A right password opens a pending session for the code. */
export async function checkStaffPassword(deps: Deps, input: { login: string; password: string }, context: RequestContext): Promise<{ token: string }> {
  await admitLogonAttempt(deps, 'staff', context);
  const now = deps.clock.now();
  const staff = await deps.db.selectFrom('staff').selectAll().where('login_id', '=', input.login).executeTakeFirst();
  const recordFailure = async (reason: string): Promise<void> => {
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
  };
  const fail = async (reason: string): Promise<never> => {
    await recordFailure(reason);
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
  const verdict = await checkSecret(deps, {
    holder: staffHolder(staff),
    context,
    verify: () => verifySecret(staff.password_hash, input.password),
    recordWrong: () => recordFailure('wrong_password'),
    recordBusy: recordFailure,
  });
  if (verdict === 'no_attempt_left') {
    await verifyDecoy(input.password);
    return fail('stopped');
  }
  if (verdict === 'wrong') throw new AppError('OPERATOR_LOGON_FAILED');
  const { token } = await createStaffSession(deps, deps.db, { staff, stage: 'totp', ip: context.ip });
  return { token };
}

/**
 * Step 2: the authenticator code. Its time step is consumed by one conditional statement (house
 * rule 4), which also resets the failure count: a code seen once (shoulder-surfed, replayed, or the
 * loser of a double submit) never opens a second session. A right code gives a fresh session id and
 * ends the member's other sessions.
 */
export async function answerStaffTotp(deps: Deps, live: LiveStaffSession, code: string, context: RequestContext): Promise<{ token: string; live: LiveStaffSession }> {
  const now = deps.clock.now();
  const { staff, session } = live;
  const auditBase = { at: now, contractId: null, userRef: null, actor: staffActor(staff.login_id), action: 'staff.logon', ip: context.ip, userAgent: context.userAgent };
  const recordFailure = async (reason: string): Promise<void> => {
    await recordAudit(deps.db, { ...auditBase, outcome: 'failure', reason, details: { step: 'totp' } });
  };
  const fail = async (reason: string): Promise<never> => {
    await recordFailure(reason);
    throw new AppError('OPERATOR_TOTP_FAILED');
  };
  const secret = deps.keyring.open(staff.totp_secret_sealed, staffTotpAssociatedData(staff.login_id));
  let step: number | undefined;
  const checked = await checkSecretKeeping(deps, {
    holder: staffHolder(staff),
    context,
    verify: () => (step = totpStepOf(secret, code, now)) !== undefined,
    recordWrong: () => recordFailure('wrong_totp'),
    recordBusy: recordFailure,
  });
  if (checked.verdict === 'no_attempt_left') return fail('stopped');
  if (checked.verdict === 'wrong' || step === undefined) throw new AppError('OPERATOR_TOTP_FAILED');
  // Consuming the time step resets the count and gives the attempt back (below); a step already used gives it back alone.
  const { reservation } = checked;
  const consumedStep = step;
  const done = await inTransaction(deps.db, async (tx) => {
    const consumed = await tx
      .updateTable('staff')
      .set({ totp_last_step: BigInt(consumedStep), failed_attempts: 0, attempts_in_flight: inFlightAfterOutcome(reservation) })
      .where('id', '=', staff.id)
      .where('totp_last_step', '<', BigInt(consumedStep))
      .where('stopped_at', 'is', null)
      .where('disabled_at', 'is', null)
      .returning('id')
      .executeTakeFirst();
    if (!consumed) return undefined;
    await endStaffSession(tx, session.id, 'rotated', now);
    await endStaffSessionsOf(tx, staff.id, 'superseded', now);
    const created = await createStaffSession(deps, tx, { staff, stage: 'active', ip: context.ip });
    await recordAudit(tx, { ...auditBase, outcome: 'success', details: { step: 'totp' } });
    return created;
  });
  if (done) return { token: done.token, live: { session: done.session, staff } };
  // A right code whose step was already used: refused, but it is not a wrong secret.
  await releaseAttempt(deps.db, reservation);
  return fail('totp_step_used');
}
