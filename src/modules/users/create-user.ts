import type { Deps } from '../../deps.ts';
import { AppError } from '../../errors.ts';
import { recordAudit, userActor } from '../../audit/audit-trail.ts';
import { hashSecret } from '../../auth/password-hash.ts';
import { passwordRuleViolation, registrationPasswordValidDays } from '../../auth/password-rules.ts';
import { addDaysTo } from '../../domain/tokyo-time.ts';
import { refusalToCreate } from '../../domain/permissions.ts';
import { runCommand } from '../../command/pipeline.ts';
import { confirmationPassword, tokenPassword } from '../../command/confirmation.ts';
import type { LiveSession } from '../../access/sessions.ts';
import type { RequestContext } from '../../access/request-context.ts';
import { actorOf, auditedRefusal } from './administrator.ts';
import { mailPersonChange } from './change-notice.ts';
import { sendEmailCode } from '../settings/email-service.ts';
import { describeGrants, type PermissionsInput } from './grant-details.ts';
import { lockContract, replaceAccounts, replaceGrants, userIdTaken, type PersonRecord } from './repository.ts';

export interface CreateUserInput extends PermissionsInput {
  userId: string;
  displayName: string;
  email: string;
  initialPassword: string;
  initialPasswordRepeat: string;
  confirmationPassword: string;
  /** R6.5: the actor's token password, once the contract has tokens. */
  tokenCode: string;
}

interface Created {
  userRef: number;
  cardRequestId: number;
}

/**
 * R1.2, R1.4: a new user with an initial password the actor hands over out of band. It is stored as
 * the person's one-time registration password, so the first logon (R1.3) applies: with it and their
 * own grid card, the user sets their own passwords. The card is asked of the bank (R3.3). The grants
 * are judged before the actor's confirmation password is asked (R1.5), so refused input costs no
 * attempt, and again under the contract's lock: a free user ID is then judged on rows nobody else
 * is changing. The address the actor gives is sent a code and waits for the user to enter it at the
 * first logon (./address.ts); the master is told of the new user (R7.3).
 */
export async function createUser(deps: Deps, live: LiveSession, input: CreateUserInput, context: RequestContext): Promise<void> {
  const contractId = live.user.contract_id;
  await runCommand<PersonRecord, string, Created>(deps, { live, context }, {
    action: 'user.create',
    details: { userId: input.userId },
    async judge(executor) {
      const actor = await actorOf(executor, live);
      const refused = refusalToCreate(actor.person, input.grants, input.accountIds);
      if (refused) return auditedRefusal(refused);
      if (await userIdTaken(executor, contractId, input.userId)) return { refused: { code: 'USERS_USER_ID_TAKEN', field: 'userId' } };
      return { go: actor };
    },
    async prepare() {
      const violation = passwordRuleViolation(input.initialPassword, { userId: input.userId, contractId });
      if (violation) throw new AppError(violation, { field: 'initialPassword' });
      if (input.initialPassword !== input.initialPasswordRepeat) throw new AppError('PASSWORD_REPEAT_MISMATCH', { field: 'initialPasswordRepeat' });
      return hashSecret(input.initialPassword);
    },
    confirm: () => [confirmationPassword(input.confirmationPassword), tokenPassword(input.tokenCode)],
    lock: (tx) => lockContract(tx, contractId),
    async write(tx, actor, registrationHash, now) {
      const expiresAt = addDaysTo(now, registrationPasswordValidDays);
      const created = await tx
        .insertInto('users')
        .values({
          contract_id: contractId,
          user_id: input.userId,
          display_name: input.displayName,
          role: 'user',
          // R7.3: the address waits for its owner's code (./address.ts); no notice goes to it before.
          email: null,
          unconfirmed_email: input.email,
          registration_password_hash: registrationHash,
          registration_password_expires_at: expiresAt,
          created_at: now,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await replaceGrants(tx, created.id, input.grants);
      await replaceAccounts(tx, created.id, input.accountIds);
      const request = await tx
        .insertInto('grid_card_request')
        .values({ user_ref: created.id, requested_by: actor.user.id, reason: 'new_user', requested_at: now })
        .returning('id')
        .executeTakeFirstOrThrow();
      return {
        result: { userRef: created.id, cardRequestId: request.id },
        subjectRef: created.id,
        details: {
          displayName: input.displayName,
          email: input.email,
          grants: describeGrants(input.grants),
          accountIds: input.accountIds,
          registrationPasswordExpiresAt: expiresAt,
        },
      };
    },
    async notify(tx, _actor, { result }, now) {
      // R3.3: the card asked of the bank is recorded after the person it is for, in the same transaction.
      await recordAudit(tx, {
        at: now,
        contractId,
        userRef: result.userRef,
        actor: userActor(contractId, live.user.user_id),
        action: 'grid_card.request',
        outcome: 'success',
        reason: 'new_user',
        ip: context.ip,
        userAgent: context.userAgent,
        details: { requestId: result.cardRequestId },
      });
      await mailPersonChange(deps, tx, live, context, now, {
        what: { key: 'users.mail.created', params: { name: input.displayName } },
        subjectUserId: input.userId,
        recipients: [],
      });
      await sendEmailCode(deps, tx, {
        owner: { id: result.userRef, contract_id: contractId, user_id: input.userId },
        newEmail: input.email,
        setBy: { userId: live.user.user_id, companyName: live.contract.company_name },
        context,
      });
    },
  });
}
