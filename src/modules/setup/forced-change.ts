import type { Deps } from '../../deps.ts';
import { inTransaction, type Executor } from '../../db/transaction.ts';
import { AppError } from '../../errors.ts';
import { recordAudit, userActor } from '../../audit/audit-trail.ts';
import { hashSecret } from '../../auth/password-hash.ts';
import { passwordRuleViolation } from '../../auth/password-rules.ts';
import type { RequestContext } from '../../access/request-context.ts';
import type { LiveSession } from '../../access/sessions.ts';
import { checkCurrentPassword, checkNewPasswordAllowed, type PasswordKind } from '../settings/password-checks.ts';
import { notifySecurityChange } from '../../mail/security-notice.ts';
import { pendingSetupStep, type SetupStep } from '../../access/setup-steps.ts';

const passwordKindKey = { login: 'password.kind.login', confirmation: 'password.kind.confirmation' } as const;

/** The kind of password a forced change is waiting for, if any. */
export function forcedKind(step: SetupStep): PasswordKind | undefined {
  return step === 'change_login' ? 'login' : step === 'change_confirmation' ? 'confirmation' : undefined;
}

/**
 * Once nothing is left to do, the session becomes a normal one. Conditional on the session still
 * being live, so a session ended meanwhile (a stop, a new logon) stays ended; a session already
 * active (held at the setup by its person's step, access/page-stage.ts) just stays so.
 * Returns where the person goes next.
 */
export async function finishSetupIfDone(executor: Executor, sessionId: string, userRef: number): Promise<'/status' | '/setup'> {
  const user = await executor.selectFrom('users').selectAll().where('id', '=', userRef).executeTakeFirstOrThrow();
  if (pendingSetupStep(user) !== 'done') return '/setup';
  const activated = await executor
    .updateTable('session')
    .set({ stage: 'active' })
    .where('id', '=', sessionId)
    .where('stage', 'in', ['setup', 'active'])
    .where('ended_at', 'is', null)
    .returning('id')
    .executeTakeFirst();
  if (!activated) throw new AppError('SESSION_REQUIRED');
  return '/status';
}

/**
 * R2.5: after a reset the person sets a new password of that kind. As any change (R2.7) it needs the
 * current password — here the temporary one the administrator handed over, which counts towards
 * the stop when wrong (R2.3) — and the new one must differ from the other kind (R2.1) and from the
 * last three, the temporary one included, which the administrator knows. The flag is cleared by
 * one conditional statement, so a double submit changes the password once; the change, its audit
 * record, its notice and (when nothing else is pending) the session's promotion commit together.
 */
export async function completeForcedChange(
  deps: Deps,
  live: LiveSession,
  input: { kind: PasswordKind; current: string; next: string; nextRepeat: string },
  context: RequestContext,
): Promise<'/status' | '/setup'> {
  const { user, session, contract } = live;
  if (forcedKind(pendingSetupStep(user)) !== input.kind) throw new AppError('INPUT_INVALID', { field: 'kind' });
  const violation = passwordRuleViolation(input.next, { userId: user.user_id, contractId: user.contract_id });
  if (violation) throw new AppError(violation, { field: 'next' });
  if (input.next !== input.nextRepeat) throw new AppError('PASSWORD_REPEAT_MISMATCH', { field: 'nextRepeat' });

  const action = `password.forced_change.${input.kind}`;
  await checkCurrentPassword(deps, user, input.kind, input.current, context, { action, reason: 'wrong_temporary_password' });
  await checkNewPasswordAllowed(deps, user, input.kind, input.next);

  const nextHash = await hashSecret(input.next);
  const now = deps.clock.now();
  return inTransaction(deps.db, async (tx) => {
    const changed = await (input.kind === 'login'
      ? tx
          .updateTable('users')
          .set({ login_password_hash: nextHash, login_password_changed_at: now, must_change_login: false })
          .where('id', '=', user.id)
          .where('must_change_login', '=', true)
      : tx
          .updateTable('users')
          .set({ confirmation_password_hash: nextHash, confirmation_password_changed_at: now, must_change_confirmation: false })
          .where('id', '=', user.id)
          .where('must_change_confirmation', '=', true)
    )
      .returning('id')
      .executeTakeFirst();
    if (!changed) throw new AppError('INPUT_INVALID', { field: 'kind' });
    await tx.insertInto('password_history').values({ user_ref: user.id, kind: input.kind, hash: nextHash, created_at: now }).execute();
    await recordAudit(tx, {
      at: now,
      contractId: contract.id,
      userRef: user.id,
      actor: userActor(contract.id, user.user_id),
      action,
      outcome: 'success',
      ip: context.ip,
      userAgent: context.userAgent,
    });
    await notifySecurityChange(deps, tx, {
      contractId: contract.id,
      companyName: contract.company_name,
      subjectUserId: user.user_id,
      actorLabel: user.user_id,
      what: { key: 'userSecurity.mail.newPasswordSet', params: { userId: user.user_id, kind: { message: passwordKindKey[input.kind] } } },
      at: now,
      ip: context.ip,
      recipients: [user.email],
    });
    return finishSetupIfDone(tx, session.id, user.id);
  });
}
