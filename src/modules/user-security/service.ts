import type { Deps } from '../../deps.ts';
import type { Tx } from '../../db/transaction.ts';
import type { User } from '../../db/schema.ts';
import { AppError, type ErrorCode } from '../../errors.ts';
import { hashSecret } from '../../auth/password-hash.ts';
import { passwordRuleViolation } from '../../auth/password-rules.ts';
import { liftRefusal, resetRefusal, type ActorKind, type Releaser } from '../../domain/lock-modes.ts';
import { runCommand, type Refusal } from '../../command/pipeline.ts';
import { confirmationPassword, tokenPassword } from '../../command/confirmation.ts';
import { liftStopInTx } from '../../access/lockout.ts';
import { endSessionsOfUser, type LiveSession } from '../../access/sessions.ts';
import { masterEmail, notifySecurityChange, type SecurityChange } from '../../mail/security-notice.ts';
import type { RequestContext } from '../../access/request-context.ts';
import type { PasswordKind } from '../settings/password-service.ts';
import { actorKindOf, personOfContract } from './people.ts';
import { tokenAsk, type TokenAsk } from '../../access/hardware-token/requirement.ts';

/**
 * R2.3, R2.5: the master (or an admin user) lifts a user's stop and resets a user's forgotten
 * password. Each is authorised by the rules of src/domain/lock-modes.ts before the actor's
 * confirmation password is asked (R1.5; a refused action costs no attempt) and again inside the
 * transaction that commits the change, its audit record and its emails (house rule 8).
 */

const passwordKindKey = { login: 'password.kind.login', confirmation: 'password.kind.confirmation' } as const;

export interface SubjectView {
  subject: User;
  subjectKind: ActorKind;
  actorKind: ActorKind;
  liftRefusal: ReturnType<typeof liftRefusal>;
  resetRefusal: ReturnType<typeof resetRefusal>;
  /** R6.5: whether the actor's token password is asked for the changes of this page. */
  tokenAsk: TokenAsk;
  /** The actor looks at their own page. */
  self: boolean;
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
    tokenAsk: await tokenAsk(deps, live.user, live.contract),
    self: subject.id === live.user.id,
  };
}

interface Attempt {
  deps: Deps;
  live: LiveSession;
  context: RequestContext;
  action: string;
}

/**
 * A refused administrative action is itself a security event, recorded with its reason against the
 * person it was aimed at (their history shows who tried).
 */
function refusedOn(subject: User, code: ErrorCode): { refused: Refusal } {
  return { refused: { code, subjectRef: subject.id, audit: { subjectUserId: subject.user_id } } };
}

/** R7.3: the person it concerns and the master are told, in the change's transaction. */
async function mailSubjectChange(attempt: Attempt, tx: Tx, subject: User, what: SecurityChange['what'], at: Date): Promise<void> {
  const { deps, live, context } = attempt;
  await notifySecurityChange(deps, tx, {
    contractId: live.contract.id,
    companyName: live.contract.company_name,
    subjectUserId: subject.user_id,
    actorLabel: live.user.user_id,
    what,
    at,
    ip: context.ip,
    recipients: [subject.email, await masterEmail(tx, live.contract.id)],
  });
}

/**
 * R2.3 (not linked): the master or an admin user lifts a user's stop [利用中止解除]. The rule is
 * checked before the confirmation password is asked (a refused lift costs no attempt) and again
 * under lock in the transaction, so a lock-mode change in between cannot be overtaken.
 */
export async function liftUserStop(deps: Deps, live: LiveSession, userId: string, password: string, context: RequestContext, tokenCode = ''): Promise<void> {
  const attempt: Attempt = { deps, live, context, action: 'person.lift_stop' };
  await runCommand<{ subject: User; releaser: Releaser }, void, void>(deps, { live, context }, {
    action: attempt.action,
    async judge(executor) {
      const subject = await personOfContract(executor, live.contract.id, userId);
      const actorKind = await actorKindOf(executor, live.user);
      const refusal = liftRefusal(live.contract.lock_mode, subject.role, actorKind);
      if (refusal || actorKind === 'general_user') return refusedOn(subject, refusal ?? 'FORBIDDEN');
      if (!subject.stopped_at) return { refused: { code: 'STOP_NOT_STOPPED' } };
      return { go: { subject, releaser: actorKind } };
    },
    // R6.5: a change to another person, confirmed with the token too once the contract has tokens.
    confirm: () => [confirmationPassword(password), tokenPassword(tokenCode)],
    async write(tx, { subject, releaser }) {
      // liftStopInTx locks the person, then the contract, and judges the lock mode on what it locked.
      const outcome = await liftStopInTx(tx, subject, releaser);
      if (outcome.refused) throw new AppError('STOP_LIFT_OPERATOR_ONLY');
      if (!outcome.personLifted) throw new AppError('STOP_NOT_STOPPED');
      return {
        result: undefined,
        subjectRef: subject.id,
        details: { subjectUserId: subject.user_id, by: releaser, lockMode: outcome.contract.lock_mode, contractLifted: outcome.contractLifted },
      };
    },
    async notify(tx, { subject }, _written, now) {
      await mailSubjectChange(attempt, tx, subject, { key: 'userSecurity.mail.lifted', params: { userId: subject.user_id } }, now);
    },
  });
}

export interface ResetInput {
  kind: PasswordKind;
  temporary: string;
  temporaryRepeat: string;
  confirmationPassword: string;
  /** R6.5: the actor's token password, once the contract has tokens. */
  tokenCode: string;
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
  const attempt: Attempt = { deps, live, context, action: `person.password_reset.${input.kind}` };
  await runCommand<{ subject: User; actorKind: ActorKind }, string, void>(deps, { live, context }, {
    action: attempt.action,
    async judge(executor) {
      const subject = await personOfContract(executor, live.contract.id, userId);
      const actorKind = await actorKindOf(executor, live.user);
      const refusal = resetRefusal({ kind: actorKind, ref: live.user.id }, { role: subject.role, ref: subject.id });
      if (refusal) return refusedOn(subject, refusal);
      if (!subject.login_password_hash || !subject.confirmation_password_hash) return { refused: { code: 'PASSWORD_RESET_NOT_SET_UP' } };
      return { go: { subject, actorKind } };
    },
    async prepare({ subject }) {
      const violation = passwordRuleViolation(input.temporary, { userId: subject.user_id, contractId: subject.contract_id });
      if (violation) throw new AppError(violation, { field: 'temporary' });
      if (input.temporary !== input.temporaryRepeat) throw new AppError('PASSWORD_REPEAT_MISMATCH', { field: 'temporaryRepeat' });
      return hashSecret(input.temporary);
    },
    confirm: () => [confirmationPassword(input.confirmationPassword), tokenPassword(input.tokenCode)],
    async write(tx, { subject, actorKind }, hash, now) {
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
      return { result: undefined, subjectRef: subject.id, details: { subjectUserId: subject.user_id, kind: input.kind, by: actorKind } };
    },
    async notify(tx, { subject }, _written, now) {
      await mailSubjectChange(attempt, tx, subject, { key: 'userSecurity.mail.reset', params: { userId: subject.user_id, kind: { message: passwordKindKey[input.kind] } } }, now);
    },
  });
}
