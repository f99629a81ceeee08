import type { Deps } from '../../deps.ts';
import { inTransaction } from '../../db/transaction.ts';
import { AppError } from '../../errors.ts';
import { recordAudit } from '../../audit/audit-trail.ts';
import { hashSecret, verifySecret } from '../../auth/password-hash.ts';
import { secretsEqual } from '../../crypto/compare.ts';
import { staffActor } from './logon.ts';
import { releaseAttempt, staffHolder } from '../../access/attempts.ts';
import { checkSecretKeeping } from '../../access/check-secret.ts';
import type { RequestContext } from '../../access/request-context.ts';
import type { Staff } from '../../db/schema.ts';
import type { LiveStaffSession } from '../../access/staff-sessions.ts';

/**
 * A member replaces the initial password IT handed over with one only they know. Staff passwords
 * are longer than customers' (they open every contract); the current password is checked like a
 * logon secret, so wrong ones count towards the stop.
 */
export const staffPasswordLengthMin = 12;
export const staffPasswordLengthMax = 64;

/**
 * Whether the password in force is one the bank's IT issued (staff-add, staff-reset): IT has seen
 * it, so it must not open the console. As for a customer's reset password (R2.5), the member's
 * logon then leads to the password change and nothing else until it is done
 * (operator/console/page-route.ts).
 */
export function staffPasswordChangeDue(staff: Pick<Staff, 'password_changed_at'>): boolean {
  return staff.password_changed_at === null;
}

export function staffPasswordViolation(password: string, login: string): boolean {
  return (
    password.length < staffPasswordLengthMin ||
    password.length > staffPasswordLengthMax ||
    !/^[\x21-\x7e]+$/.test(password) ||
    !/[A-Za-z]/.test(password) ||
    !/[0-9]/.test(password) ||
    password.toLowerCase().includes(login.toLowerCase())
  );
}

export async function changeStaffPassword(
  deps: Deps,
  live: LiveStaffSession,
  input: { current: string; next: string; repeat: string },
  context: RequestContext,
): Promise<void> {
  const { staff } = live;
  // The new password is checked first: a typing mistake in it costs no attempt.
  if (staffPasswordViolation(input.next, staff.login_id)) throw new AppError('OPERATOR_PASSWORD_RULES', { field: 'next' });
  if (!secretsEqual(input.next, input.repeat)) throw new AppError('PASSWORD_REPEAT_MISMATCH', { field: 'repeat' });
  const now = deps.clock.now();
  const recordFailure = (reason: string) =>
    recordAudit(deps.db, { at: now, contractId: null, userRef: null, actor: staffActor(staff.login_id), action: 'staff.password_change', outcome: 'failure', reason, ip: context.ip, userAgent: context.userAgent });
  const checked = await checkSecretKeeping(deps, {
    holder: staffHolder(staff),
    context,
    verify: () => verifySecret(staff.password_hash, input.current),
    recordWrong: () => recordFailure('wrong_password'),
    recordBusy: recordFailure,
  });
  if (checked.verdict !== 'right') throw new AppError('OPERATOR_PASSWORD_CURRENT_WRONG', { field: 'current' });
  // Given back with the change below, or when the new password is refused.
  const { reservation } = checked;
  // The password IT issued (or any current one) cannot be kept under the name of a change.
  if (input.next === input.current) {
    await releaseAttempt(deps.db, reservation);
    throw new AppError('OPERATOR_PASSWORD_UNCHANGED', { field: 'next' });
  }
  const hash = await hashSecret(input.next);
  const changed = await inTransaction(deps.db, async (tx) => {
    // Only over the password just checked: a change or a staff-reset that came in between wins.
    const updated = await tx
      .updateTable('staff')
      .set({ password_hash: hash, password_changed_at: now })
      .where('id', '=', staff.id)
      .where('password_hash', '=', staff.password_hash)
      .returning('id')
      .executeTakeFirst();
    if (!updated) return false;
    await releaseAttempt(tx, reservation);
    await recordAudit(tx, {
      at: now,
      contractId: null,
      userRef: null,
      actor: staffActor(staff.login_id),
      action: 'staff.password_change',
      outcome: 'success',
      ip: context.ip,
      userAgent: context.userAgent,
      details: { initial: staffPasswordChangeDue(staff) },
    });
    return true;
  });
  if (!changed) {
    await releaseAttempt(deps.db, reservation);
    throw new AppError('OPERATOR_PASSWORD_CURRENT_WRONG', { field: 'current' });
  }
}
