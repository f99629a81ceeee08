import type { Deps } from '../../deps.ts';
import type { Executor } from '../../db/transaction.ts';
import { AppError } from '../../errors.ts';
import { mayAdminister, type Refused } from '../../domain/permissions.ts';
import { recordRefusal, type Refusal } from '../../command/pipeline.ts';
import type { LiveSession } from '../../access/sessions.ts';
import type { RequestContext } from '../../access/request-context.ts';
import { refusalField } from './form-input.ts';
import { personByRef, personByUserId, type PersonRecord } from './repository.ts';

/** The session's person as the rules see them, read afresh: permissions may have changed since logon. */
export async function actorOf(executor: Executor, live: LiveSession): Promise<PersonRecord> {
  const actor = await personByRef(executor, live.user.contract_id, live.user.id);
  if (!actor) throw new AppError('FORBIDDEN');
  return actor;
}

/**
 * R1.4: only the master and admin users reach the users pages. A refused change is kept in the
 * audit trail: it is what a stolen session or a curious colleague would try.
 */
export async function administrator(deps: Deps, live: LiveSession, attempt?: { action: string; context: RequestContext }): Promise<PersonRecord> {
  const actor = await actorOf(deps.db, live);
  if (mayAdminister(actor.person)) return actor;
  if (attempt) {
    await recordRefusal(deps, { live, context: attempt.context }, { action: attempt.action }, { code: 'FORBIDDEN', audit: {} });
  }
  throw new AppError('FORBIDDEN');
}

/** A person of the actor's own contract, by user ID; anyone else does not exist here. */
export async function subjectOf(executor: Executor, live: LiveSession, userId: string): Promise<PersonRecord> {
  const subject = await personByUserId(executor, live.user.contract_id, userId);
  if (!subject) throw new AppError('NOT_FOUND');
  return subject;
}

/**
 * A refusal of the permission rules (domain/permissions.ts), pointing at the form field it
 * concerns. It is kept in the audit trail (R1.4): it is what a stolen session or a curious
 * colleague would try.
 */
export function auditedRefusal(refused: Refused): { refused: Refusal } {
  return { refused: { code: refused.code, field: refusalField(refused), audit: {} } };
}
