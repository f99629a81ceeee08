import type { Deps } from '../../deps.ts';
import type { Executor } from '../../db/transaction.ts';
import { recordAudit, userActor } from '../../audit/audit-trail.ts';
import { isAppError } from '../../errors.ts';
import type { Actor } from './types.ts';

/** The steps of a transfer as the audit trail names them (`transfer.<step>`). */
export type AuditedStep = 'register' | 'approve' | 'send' | 'send_back' | 'withdraw';

/**
 * R9.1: which protections were in force for a step — the grid card at every logon, and a client
 * certificate when the session was opened with one — kept on the transfer and in the audit trail,
 * so a claim of unauthorised use can be judged.
 */
export function protectionsOf(actor: Actor): { gridCard: true; certificate: boolean } {
  return { gridCard: true, certificate: actor.protections?.certificate === true };
}

/** A step taken, in the transaction of the step (house rule 8): the item, its amount as text, the step. */
export async function auditStep(
  deps: Deps,
  executor: Executor,
  actor: Actor,
  step: AuditedStep,
  transfer: { id: bigint; amount_yen: bigint },
  extra: Record<string, unknown> = {},
): Promise<void> {
  await recordAudit(executor, {
    at: deps.clock.now(),
    contractId: actor.contract.id,
    userRef: actor.user.id,
    actor: userActor(actor.contract.id, actor.user.user_id),
    action: `transfer.${step}`,
    outcome: 'success',
    ip: actor.ip,
    userAgent: actor.userAgent,
    details: { transferId: transfer.id.toString(), amountYen: transfer.amount_yen.toString(), step, protections: protectionsOf(actor), ...extra },
  });
}

/**
 * Refusals that say something about who is acting — a step or an account the person does not hold,
 * a limit passed, a second step on one item — are kept in the audit trail (in a transaction of their
 * own, as the step's was rolled back): they are what a stolen session would try. Mistyped input is not.
 */
const telling = new Set([
  'TRANSFER_NOT_PERMITTED',
  'TRANSFER_ACCOUNT_NOT_USABLE',
  'TRANSFER_PER_TRANSACTION_LIMIT',
  'TRANSFER_DAILY_LIMIT',
  'TRANSFER_OWN_ITEM',
  'TRANSFER_STEP_TAKEN',
]);

export async function auditedRefusals<T>(deps: Deps, actor: Actor, step: AuditedStep, details: Record<string, unknown>, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (isAppError(error) && telling.has(error.code)) {
      await recordAudit(deps.db, {
        at: deps.clock.now(),
        contractId: actor.contract.id,
        userRef: actor.user.id,
        actor: userActor(actor.contract.id, actor.user.user_id),
        action: `transfer.${step}`,
        outcome: 'failure',
        reason: error.code.toLowerCase(),
        ip: actor.ip,
        userAgent: actor.userAgent,
        details: { ...details, step, protections: protectionsOf(actor) },
      });
    }
    throw error;
  }
}
