import type { Deps } from '../../deps.ts';
import type { Tx } from '../../db/transaction.ts';
import type { Transfer } from '../../db/schema-transfers.ts';
import { AppError, isAppError } from '../../errors.ts';
import { checkTokenCode, isTokenTwinRefusal, useCheckedToken, withCheckedToken, type CheckedToken } from '../../access/hardware-token/check.ts';
import { tokenRequirement } from '../../access/hardware-token/requirement.ts';
import { refuse } from './refusal.ts';
import { getTransfer } from './queries.ts';
import type { Actor, TransferQuote } from './types.ts';
import type { PendingStepAudit } from './audit.ts';

/**
 * R6.5: a transfer to an ad hoc destination [都度指定] is finalised with the password of the
 * person's hardware token, besides the confirmation password: with the approval function by the
 * final approver (with double approval the second), without it by the person who sends it — the
 * creator who sends at once, or the sender. A transfer to a registered payee needs none. Like the
 * email one-time password (./email-otp.ts), the code is checked before the step's transaction and
 * its time step spent in it (R6.8), past the step's twin gate.
 */
export type TokenStep = 'approve' | 'send';

/** Whether the step of a transfer in this state is the one that needs the token (R6.5). */
export function stepNeedsToken(transfer: Pick<Transfer, 'payee_id' | 'approvals_required'>, approvalsSoFar: number, step: TokenStep): boolean {
  if (transfer.payee_id !== null) return false;
  return step === 'approve' ? approvalsSoFar + 1 === transfer.approvals_required : transfer.approvals_required === 0;
}

/**
 * The token of a step, checked: not asked (the step needs none as the transfer stood, or the contract
 * has no token, or the person is in the grace period, R6.4) — `required` says whether a step found to
 * need it under the lock must be refused —, checked, or a refusal a twin of the request meets.
 */
export type FinalToken = { asked: false; required: boolean } | { asked: true; checked: CheckedToken } | { asked: true; deferred: AppError };

async function checked(deps: Deps, actor: Actor, code: unknown): Promise<FinalToken> {
  try {
    return { asked: true, checked: await checkTokenCode(deps, { user: actor.user, context: { ip: actor.ip, userAgent: actor.userAgent }, action: 'transfer' }, code) };
  } catch (error) {
    if (isTokenTwinRefusal(error)) return { asked: true, deferred: error };
    throw error;
  }
}

async function finalToken(deps: Deps, actor: Actor, needed: boolean, code: unknown): Promise<FinalToken> {
  const required = (await tokenRequirement(deps, actor.user, actor.contract)) === 'required';
  if (!needed || !required) return { asked: false, required };
  return checked(deps, actor, code);
}

/** R6.5: a transfer this confirmation sends at once, to an ad hoc destination. */
export function checkNewTransferToken(deps: Deps, actor: Actor, quote: TransferQuote, sendsNow: boolean, code: unknown): Promise<FinalToken> {
  return finalToken(deps, actor, sendsNow && quote.to.payeeId === null, code);
}

/** R6.5: the step of an existing transfer, as it stands now; a transfer the person may not see asks nothing (the step refuses it). */
export async function checkStepToken(deps: Deps, actor: Actor, transferId: bigint, step: TokenStep, code: unknown): Promise<FinalToken> {
  // A contract that never applied for tokens asks for none: no need to read the transfer first.
  if (!actor.contract.tokens_applied_at) return { asked: false, required: false };
  try {
    const detail = await getTransfer(deps, actor, transferId);
    const mayTake = step === 'approve' ? detail.mayApprove : detail.maySend;
    return await finalToken(deps, actor, mayTake && stepNeedsToken(detail.transfer, detail.approvals.length, step), code);
  } catch (error) {
    if (isAppError(error) && error.code === 'NOT_FOUND') return { asked: false, required: false };
    throw error;
  }
}

/** Whether the token, checked for this step, stands in for the email one-time password (the bank's setting for the contract, R6.5). */
export function tokenReplacesEmailOtp(actor: Actor, token: FinalToken): boolean {
  return actor.contract.token_replaces_email_otp && token.asked;
}

export function withFinalToken<T>(deps: Deps, token: FinalToken, step: () => Promise<T>): Promise<T> {
  return withCheckedToken(deps, 'checked' in token ? token.checked : undefined, step);
}

/**
 * In the step's transaction, under its lock and past its twin gate: when the step needs the token
 * (judged again on the locked transfer), the code is used, committing with the step; a step found to
 * need it that was not asked for it (the transfer moved on in between) is refused. Returns the
 * protection the transfer keeps (R9.1).
 */
export async function useFinalToken(deps: Deps, tx: Tx, token: FinalToken, neededNow: boolean, audit: PendingStepAudit): Promise<Record<string, unknown>> {
  if (!neededNow) return {};
  if (!token.asked) {
    if (token.required) refuse('TRANSFER_STATE_CONFLICT');
    return {};
  }
  if ('deferred' in token) throw token.deferred;
  // The record of the use goes into the step's own append, before the step's record (as the email
  // code's, ./email-otp.ts), so it is appended after any posting of the step.
  const used = await useCheckedToken(deps, tx, token.checked, (event) => audit.precede(event));
  return { token: { serial: used.serial, verifiedAt: used.verifiedAt.toISOString() } };
}
