import type { Deps } from '../../deps.ts';
import type { Executor } from '../../db/transaction.ts';
import assert from 'node:assert/strict';
import { recordAudit, recordAudits, userActor, type AuditEvent } from '../../audit/audit-trail.ts';
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

/** A step taken, as the audit trail records it (house rule 8: in the transaction of the step): the item, its amount as text, the step. */
export function stepAuditEvent(
  deps: Deps,
  actor: Actor,
  step: AuditedStep,
  transfer: { id: bigint; amount_yen: bigint },
  extra: Record<string, unknown> = {},
): AuditEvent {
  return {
    at: deps.clock.now(),
    contractId: actor.contract.id,
    userRef: actor.user.id,
    actor: userActor(actor.contract.id, actor.user.user_id),
    action: `transfer.${step}`,
    outcome: 'success',
    ip: actor.ip,
    userAgent: actor.userAgent,
    details: { transferId: transfer.id.toString(), amountYen: transfer.amount_yen.toString(), step, protections: protectionsOf(actor), ...extra },
  };
}

/**
 * The audit record of a step, timed when the step was taken and written once in its transaction:
 * together with the execution's own record when the step posts the transfer (one statement for
 * both, ledger/execute.ts), otherwise by itself at the end of the step. Records of what the step
 * used on its way (its email one-time password) go before it, in the same append.
 */
export class PendingStepAudit {
  readonly #preceding: AuditEvent[] = [];
  readonly #event: AuditEvent;
  #written = false;

  constructor(event: AuditEvent) {
    this.#event = event;
  }

  /** A record of the step's transaction that happened before the step's own (the code used for it). */
  precede(event: AuditEvent): void {
    assert.ok(!this.#written, 'a record preceding the step is added before the step is written');
    this.#preceding.push(event);
  }

  /** For the execution to append before its own record; nothing once written. */
  take(): AuditEvent[] {
    if (this.#written) return [];
    this.#written = true;
    return [...this.#preceding, this.#event];
  }

  async writeIfPending(executor: Executor): Promise<void> {
    if (this.#written) return;
    this.#written = true;
    await recordAudits(executor, [...this.#preceding, this.#event]);
  }
}

/**
 * Refusals that say something about who is acting — a step or an account the person does not hold,
 * a limit passed, a second step on one item — are kept in the audit trail (in a transaction of their
 * own, as the step's was rolled back): they are what a stolen session would try. Mistyped input is not.
 */
const telling: ReadonlySet<string> = new Set([
  'TRANSFER_NOT_PERMITTED',
  'TRANSFER_ACCOUNT_NOT_USABLE',
  'TRANSFER_PER_TRANSACTION_LIMIT',
  'TRANSFER_DAILY_LIMIT',
  'TRANSFER_OWN_ITEM',
  'TRANSFER_STEP_TAKEN',
]);

export function auditedRefusals<T>(deps: Deps, actor: Actor, step: AuditedStep, details: Record<string, unknown>, work: () => Promise<T>): Promise<T> {
  return withTellingRefusalsAudited(deps, actor, { action: `transfer.${step}`, telling, details: { ...details, step } }, work);
}

/**
 * Runs a use case of money; a refusal among `telling` is recorded under `action`, in a transaction
 * of its own, with the protections of the session, and thrown on. Shared by every use case that
 * moves money (transfers, payments).
 */
export async function withTellingRefusalsAudited<T>(
  deps: Deps,
  actor: Actor,
  refusal: { action: string; telling: ReadonlySet<string>; details: Record<string, unknown> },
  work: () => Promise<T>,
): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (isAppError(error) && refusal.telling.has(error.code)) {
      await recordAudit(deps.db, {
        at: deps.clock.now(),
        contractId: actor.contract.id,
        userRef: actor.user.id,
        actor: userActor(actor.contract.id, actor.user.user_id),
        action: refusal.action,
        outcome: 'failure',
        reason: error.code.toLowerCase(),
        ip: actor.ip,
        userAgent: actor.userAgent,
        details: { ...refusal.details, protections: protectionsOf(actor) },
      });
    }
    throw error;
  }
}
