import type { Deps } from '../../deps.ts';
import type { User } from '../../db/schema.ts';
import { AppError } from '../../errors.ts';
import { runCommand } from '../../command/pipeline.ts';
import { confirmationPassword, tokenPassword } from '../../command/confirmation.ts';
import type { LiveSession } from '../../access/sessions.ts';
import type { RequestContext } from '../../access/request-context.ts';
import { notifyTokenChange } from '../../access/hardware-token/notices.ts';
import { tokenFailuresMax } from '../../access/hardware-token/check.ts';
import { actorKindOf, personOfContract } from './people.ts';

/** R6.7: why a token is revoked, as the person reports it. */
export const revokeReasons = ['lost', 'stolen', 'broken', 'other'] as const;
export type RevokeReason = (typeof revokeReasons)[number];

/** The master or an admin user acts on a person's token; a general user on nobody's (R6.6, R6.7). */
async function administeredPerson(executor: Parameters<typeof personOfContract>[0], live: LiveSession, userId: string) {
  const subject = await personOfContract(executor, live.contract.id, userId);
  const actorKind = await actorKindOf(executor, live.user);
  return { subject, allowed: actorKind !== 'general_user' };
}

/** A stop to lift: the stop itself, or five attempts spent that a failure elsewhere never gave back. */
function tokenUseBlocked(subject: User): boolean {
  return subject.token_stopped_at !== null || subject.token_failed_attempts >= tokenFailuresMax;
}

/**
 * R6.6 [利用停止解除]: the master or an admin user lifts the stop five wrong token passwords caused
 * on another person, confirmed with their confirmation password and token password; the person and
 * the master are told. Never one's own: whoever holds a stolen session and the confirmation password
 * could otherwise lift their own stop after every five guesses (the bank lifts it then, or another
 * administrator).
 */
export async function liftTokenStop(deps: Deps, live: LiveSession, userId: string, input: { confirmationPassword: string; tokenCode: string }, context: RequestContext): Promise<void> {
  await runCommand<{ subject: User }, void, void>(deps, { live, context }, {
    action: 'token.lift_stop',
    async judge(executor) {
      const { subject, allowed } = await administeredPerson(executor, live, userId);
      if (!allowed || subject.id === live.user.id) return { refused: { code: 'FORBIDDEN', subjectRef: subject.id, audit: { subjectUserId: subject.user_id } } };
      if (!tokenUseBlocked(subject)) return { refused: { code: 'TOKEN_NOT_STOPPED' } };
      return { go: { subject } };
    },
    confirm: () => [confirmationPassword(input.confirmationPassword), tokenPassword(input.tokenCode)],
    async write(tx, { subject }) {
      const lifted = await tx
        .updateTable('users')
        .set({ token_stopped_at: null, token_failed_attempts: 0 })
        .where('id', '=', subject.id)
        .where((eb) => eb.or([eb('token_stopped_at', 'is not', null), eb('token_failed_attempts', '>=', tokenFailuresMax)]))
        .returning('id')
        .executeTakeFirst();
      if (!lifted) throw new AppError('TOKEN_NOT_STOPPED');
      return { result: undefined, subjectRef: subject.id, details: { subjectUserId: subject.user_id } };
    },
    async notify(tx, { subject }, _written, now) {
      await notifyTokenChange(deps, tx, subject, { actorLabel: live.user.user_id, what: 'hardwareToken.notice.lifted', ip: context.ip, at: now });
    },
  });
}

/**
 * R6.7 [トークンの失効]: a lost or stolen token is revoked at once, for everyone who shares it: it
 * never works again, and each person who used it activates a new one (R6.3). Confirmed with the
 * actor's confirmation password and token password (R6.5); everyone who used it, and the master, is told.
 */
export async function revokePersonToken(
  deps: Deps,
  live: LiveSession,
  userId: string,
  input: { reason: RevokeReason; confirmationPassword: string; tokenCode: string },
  context: RequestContext,
): Promise<string> {
  return runCommand<{ subject: User; serial: string }, void, string>(deps, { live, context }, {
    action: 'token.revoke',
    async judge(executor) {
      const { subject, allowed } = await administeredPerson(executor, live, userId);
      if (!allowed) return { refused: { code: 'FORBIDDEN', subjectRef: subject.id, audit: { subjectUserId: subject.user_id } } };
      if (!subject.token_serial) return { refused: { code: 'TOKEN_NONE' } };
      return { go: { subject, serial: subject.token_serial } };
    },
    confirm: () => [confirmationPassword(input.confirmationPassword), tokenPassword(input.tokenCode)],
    async write(tx, { subject, serial }, _prepared, now) {
      const revoked = await tx
        .updateTable('hardware_token')
        .set({ revoked_at: now, revoke_reason: input.reason })
        .where('serial', '=', serial)
        .where('contract_id', '=', live.contract.id)
        .where('revoked_at', 'is', null)
        .returning('serial')
        .executeTakeFirst();
      if (!revoked) throw new AppError('TOKEN_NONE');
      const holders = await tx
        .updateTable('users')
        .set({ token_serial: null, token_activated_at: null })
        .where('token_serial', '=', serial)
        .returningAll()
        .execute();
      for (const holder of holders) {
        await notifyTokenChange(deps, tx, holder, { actorLabel: live.user.user_id, what: 'hardwareToken.notice.revoked', params: { serial }, ip: context.ip, at: now });
      }
      return { result: serial, subjectRef: subject.id, details: { subjectUserId: subject.user_id, serial, reason: input.reason, holders: holders.map((h) => h.user_id) } };
    },
  });
}
