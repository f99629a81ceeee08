import type { Deps } from '../../deps.ts';
import { AppError } from '../../errors.ts';
import { refusalToAct, refusalToRemoveLastAdministrator, type Person } from '../../domain/permissions.ts';
import { runCommand } from '../../command/pipeline.ts';
import { confirmationPassword as confirmWith, tokenPassword } from '../../command/confirmation.ts';
import { endSessionsOfUser, type LiveSession } from '../../access/sessions.ts';
import type { RequestContext } from '../../access/request-context.ts';
import type { MessageKey } from '../../web/i18n/index.ts';
import { actorOf, auditedRefusal, subjectOf } from './administrator.ts';
import { mailPersonChange } from './change-notice.ts';
import { lockContract, lockPerson, peopleOf, type PersonRecord } from './repository.ts';

export const statusActions = ['suspend', 'resume', 'delete'] as const;
export type StatusAction = (typeof statusActions)[number];

const statusChange: Record<StatusAction, { from: ('active' | 'suspended')[]; to: 'active' | 'suspended' | 'deleted'; mail: MessageKey }> = {
  suspend: { from: ['active'], to: 'suspended', mail: 'users.mail.suspended' },
  resume: { from: ['suspended'], to: 'active', mail: 'users.mail.resumed' },
  delete: { from: ['active', 'suspended'], to: 'deleted', mail: 'users.mail.deleted' },
};

/** Whether a person in this status can be suspended, resumed or deleted. */
export function statusAllows(act: StatusAction, status: string): boolean {
  return statusChange[act].from.some((from) => from === status);
}

/**
 * R1.4: suspend (no logon until resumed), resume, or delete (the row stays with status 'deleted' as
 * the record of who the person was, and the user ID is never given again). Suspending and deleting
 * end the person's sessions at once; deleting also withdraws a card request the bank has not met.
 * Judged before the actor's confirmation password is asked (R1.5) and again under the person's and
 * the contract's locks: the contract must keep someone able to administer.
 */
export async function setUserStatus(deps: Deps, live: LiveSession, userId: string, act: StatusAction, confirmationPassword: string, context: RequestContext, tokenCode = ''): Promise<void> {
  const contractId = live.user.contract_id;
  const change = statusChange[act];
  await runCommand<PersonRecord, void, void>(deps, { live, context }, {
    action: `user.${act}`,
    details: { userId },
    async judge(executor) {
      const actor = await actorOf(executor, live);
      const subject = await subjectOf(executor, live, userId);
      const refused = refusalToAct(actor.person, subject.person, act);
      if (refused) return auditedRefusal(refused);
      if (!statusAllows(act, subject.user.status)) return { refused: { code: 'USERS_STATUS_CONFLICT' } };
      const changed: Person = { ...subject.person, status: change.to };
      const lastAdministrator = refusalToRemoveLastAdministrator((await peopleOf(executor, contractId)).map((p) => p.person), changed);
      if (lastAdministrator) return auditedRefusal(lastAdministrator);
      return { go: subject };
    },
    // R6.5: changing a user, confirmed with the token too once the contract has tokens.
    confirm: () => [confirmWith(confirmationPassword), tokenPassword(tokenCode)],
    // The person before the contract: the order a stop (R2.3) takes them in, so the two never deadlock.
    async lock(tx) {
      await lockPerson(tx, contractId, userId);
      await lockContract(tx, contractId);
    },
    async write(tx, subject, _prepared, now) {
      const updated = await tx
        .updateTable('users')
        .set({ status: change.to })
        .where('id', '=', subject.user.id)
        .where('contract_id', '=', contractId)
        .where('status', 'in', change.from)
        .returning('id')
        .executeTakeFirst();
      if (!updated) throw new AppError('USERS_STATUS_CONFLICT');
      if (act !== 'resume') await endSessionsOfUser(tx, subject.user.id, 'stopped', now);
      const withdrawn =
        act === 'delete'
          ? await tx
              .updateTable('grid_card_request')
              .set({ cancelled_at: now })
              .where('user_ref', '=', subject.user.id)
              .where('fulfilled_at', 'is', null)
              .where('cancelled_at', 'is', null)
              .returning('id')
              .execute()
          : [];
      return {
        result: undefined,
        subjectRef: subject.user.id,
        details: { status: { from: subject.user.status, to: change.to }, cardRequestsWithdrawn: withdrawn.map((r) => r.id) },
      };
    },
    async notify(tx, subject, _written, now) {
      await mailPersonChange(deps, tx, live, context, now, { what: { key: change.mail }, subjectUserId: userId, recipients: [subject.user.email] });
    },
  });
}
