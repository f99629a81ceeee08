import type { Deps } from '../../deps.ts';
import type { User } from '../../db/schema.ts';
import { inTransaction } from '../../db/transaction.ts';
import { AppError } from '../../errors.ts';
import { recordAudit, userActor } from '../../audit/audit-trail.ts';
import { hashSecret } from '../../auth/password-hash.ts';
import { passwordRuleViolation } from '../../auth/password-rules.ts';
import { liftRefusal, resetRefusal, type ActorKind, type Releaser } from '../../domain/lock-modes.ts';
import { confirmWithConfirmationPassword } from '../../access/confirmation-password.ts';
import { liftStopInTx } from '../../access/lockout.ts';
import { endSessionsOfUser, type LiveSession } from '../../access/sessions.ts';
import { masterEmail, notifySecurityChange } from '../../mail/security-notice.ts';
import type { RequestContext } from '../../access/request-context.ts';
import type { PasswordKind } from '../settings/password-service.ts';
import { actorKindOf, personOfContract } from './people.ts';

/**
 * R2.3, R2.5: the master (or an admin user) lifts a user's stop and resets a user's forgotten
 * password. Each is authorised by the rules of src/domain/lock-modes.ts, confirmed with the
 * actor's confirmation password (R1.5), and commits its change, audit record and emails in one
 * transaction (house rule 8).
 */

const passwordKindKey = { login: 'password.kind.login', confirmation: 'password.kind.confirmation' } as const;

export interface SubjectView {
  subject: User;
  subjectKind: ActorKind;
  actorKind: ActorKind;
  liftRefusal: ReturnType<typeof liftRefusal>;
  resetRefusal: ReturnType<typeof resetRefusal>;
}

/** What the actor may do to one person of the contract; a general user administers nobody. */
export async function subjectView(deps: Deps, live: LiveSession, userId: string): Promise<SubjectView> {
  const subject = await personOfContract(deps.db, live.contract.id, userId);
  const actorKind = await actorKindOf(deps.db, live.user);
  if (actorKind === 'general_user') throw new AppError('FORBIDDEN');
  return {
    subject,
    subjectKind: await actorKindOf(deps.db, subject),
    actorKind,
    liftRefusal: liftRefusal(live.contract.lock_mode, subject.role, actorKind),
    resetRefusal: resetRefusal({ kind: actorKind, ref: live.user.id }, { role: subject.role, ref: subject.id }),
  };
}

/** A refused administrative action is itself a security event: it is audited with its reason. */
async function refuse(deps: Deps, live: LiveSession, subject: User, action: string, code: AppError['code'], context: RequestContext): Promise<never> {
  await recordAudit(deps.db, {
    at: deps.clock.now(),
    contractId: live.contract.id,
    userRef: subject.id,
    actor: userActor(live.contract.id, live.user.user_id),
    action,
    outcome: 'failure',
    reason: code.toLowerCase(),
    ip: context.ip,
    userAgent: context.userAgent,
    details: { subjectUserId: subject.user_id },
  });
  throw new AppError(code);
}

/**
 * R2.3 (not linked): the master or an admin user lifts a user's stop [利用中止解除]. The rule is
 * checked before the confirmation password is asked (a refused lift costs no attempt) and again
 * under lock in the transaction, so a lock-mode change in between cannot be overtaken.
 */
export async function liftUserStop(deps: Deps, live: LiveSession, userId: string, confirmationPassword: string, context: RequestContext): Promise<void> {
  const action = 'person.lift_stop';
  const subject = await personOfContract(deps.db, live.contract.id, userId);
  const actorKind = await actorKindOf(deps.db, live.user);
  const refusal = liftRefusal(live.contract.lock_mode, subject.role, actorKind);
  if (refusal || actorKind === 'general_user') return refuse(deps, live, subject, action, refusal ?? 'FORBIDDEN', context);
  if (!subject.stopped_at) throw new AppError('STOP_NOT_STOPPED');
  await confirmWithConfirmationPassword(deps, live, confirmationPassword, context, action);

  const releaser: Releaser = actorKind;
  const now = deps.clock.now();
  await inTransaction(deps.db, async (tx) => {
    const outcome = await liftStopInTx(tx, subject, releaser);
    if (outcome.refused) throw new AppError('STOP_LIFT_OPERATOR_ONLY');
    if (!outcome.personLifted) throw new AppError('STOP_NOT_STOPPED');
    await recordAudit(tx, {
      at: now,
      contractId: live.contract.id,
      userRef: subject.id,
      actor: userActor(live.contract.id, live.user.user_id),
      action,
      outcome: 'success',
      ip: context.ip,
      userAgent: context.userAgent,
      details: { subjectUserId: subject.user_id, by: releaser, lockMode: outcome.contract.lock_mode, contractLifted: outcome.contractLifted },
    });
    await notifySecurityChange(deps, tx, {
      contractId: live.contract.id,
      companyName: live.contract.company_name,
      subjectUserId: subject.user_id,
      actorLabel: live.user.user_id,
      what: { key: 'userSecurity.mail.lifted', params: { userId: subject.user_id } },
      at: now,
      ip: context.ip,
      recipients: [subject.email, await masterEmail(tx, live.contract.id)],
    });
  });
}

export interface ResetInput {
  kind: PasswordKind;
  temporary: string;
  temporaryRepeat: string;
  confirmationPassword: string;
}

/**
 * R2.5: a user's forgotten login or confirmation password is replaced by a temporary one that the
 * actor hands over out of band; the user must set a new one of that kind at next logon
 * (src/modules/setup). The temporary password follows the rules of R2.7 but is deliberately not
 * compared with the user's other password or history: a refusal would tell the actor something
 * about the user's secrets. It goes into the history, so the user cannot keep it. The user's live
 * sessions end: they were opened with the old password.
 */
export async function resetUserPassword(deps: Deps, live: LiveSession, userId: string, input: ResetInput, context: RequestContext): Promise<void> {
  const action = `person.password_reset.${input.kind}`;
  const subject = await personOfContract(deps.db, live.contract.id, userId);
  const actorKind = await actorKindOf(deps.db, live.user);
  const refusal = resetRefusal({ kind: actorKind, ref: live.user.id }, { role: subject.role, ref: subject.id });
  if (refusal) return refuse(deps, live, subject, action, refusal, context);
  if (!subject.login_password_hash || !subject.confirmation_password_hash) throw new AppError('PASSWORD_RESET_NOT_SET_UP');
  const violation = passwordRuleViolation(input.temporary, { userId: subject.user_id, contractId: subject.contract_id });
  if (violation) throw new AppError(violation, { field: 'temporary' });
  if (input.temporary !== input.temporaryRepeat) throw new AppError('PASSWORD_REPEAT_MISMATCH', { field: 'temporaryRepeat' });
  await confirmWithConfirmationPassword(deps, live, input.confirmationPassword, context, action);

  const hash = await hashSecret(input.temporary);
  const now = deps.clock.now();
  await inTransaction(deps.db, async (tx) => {
    const changed = await tx
      .updateTable('users')
      .set(
        input.kind === 'login'
          ? { login_password_hash: hash, login_password_changed_at: now, must_change_login: true }
          : { confirmation_password_hash: hash, confirmation_password_changed_at: now, must_change_confirmation: true },
      )
      .where('id', '=', subject.id)
      .where('contract_id', '=', live.contract.id)
      .where('role', '=', 'user')
      .where('status', '<>', 'deleted')
      .where('login_password_hash', 'is not', null)
      .returning('id')
      .executeTakeFirst();
    if (!changed) throw new AppError('NOT_FOUND');
    await tx.insertInto('password_history').values({ user_ref: subject.id, kind: input.kind, hash, created_at: now }).execute();
    await endSessionsOfUser(tx, subject.id, 'credentials', now);
    await recordAudit(tx, {
      at: now,
      contractId: live.contract.id,
      userRef: subject.id,
      actor: userActor(live.contract.id, live.user.user_id),
      action,
      outcome: 'success',
      ip: context.ip,
      userAgent: context.userAgent,
      details: { subjectUserId: subject.user_id, kind: input.kind, by: actorKind },
    });
    await notifySecurityChange(deps, tx, {
      contractId: live.contract.id,
      companyName: live.contract.company_name,
      subjectUserId: subject.user_id,
      actorLabel: live.user.user_id,
      what: { key: 'userSecurity.mail.reset', params: { userId: subject.user_id, kind: { message: passwordKindKey[input.kind] } } },
      at: now,
      ip: context.ip,
      recipients: [subject.email, await masterEmail(tx, live.contract.id)],
    });
  });
}
