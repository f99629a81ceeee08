import type { Deps } from '../../deps.ts';
import type { Executor } from '../../db/transaction.ts';
import type { Payee } from '../../db/schema-payees.ts';
import type { ErrorCode } from '../../errors.ts';
import type { LiveSession } from '../../access/sessions.ts';
import type { RequestContext } from '../../access/request-context.ts';
import { judgeCommand, type Command, type CommandActor, type Judgement, type Refusal } from '../../command/pipeline.ts';
import type { Approver, PayeeItem } from '../../domain/approval.ts';
import { approvalsOf, payeeOf, payeeRightsOf } from './repository.ts';
import type { PayeeRefusal, PayeeRights } from './rules.ts';

/** What every payee change judges first, and how its refusals are answered. */

export type PayeeAuditAction = 'payee.register' | 'payee.change' | 'payee.delete' | 'payee.approve' | 'payee.reject' | 'payee.withdraw';

/** Refusals about permission: what a stolen session or a curious colleague would try. */
const permissionRefusals: ReadonlySet<ErrorCode> = new Set(['FORBIDDEN', 'PAYEES_REGISTER_FORBIDDEN', 'PAYEES_APPROVE_FORBIDDEN']);

/**
 * A payee change refused. One about permission is kept in the audit trail when it is judged before
 * the change (runCommand records it then); inside the change's transaction it only rolls back.
 */
export function refusal(code: PayeeRefusal | 'FORBIDDEN' | 'NOT_FOUND' | 'PAYEES_DUPLICATE'): { refused: Refusal } {
  return { refused: permissionRefusals.has(code) ? { code, audit: {} } : { code } };
}

/** A payee as the approval rules of src/domain/approval.ts see it. */
export function itemOf(payee: Payee, approvals: readonly { approved_by: number }[]): PayeeItem {
  return { status: payee.status, createdBy: payee.created_by, approvedBy: approvals.map((a) => a.approved_by) };
}

/**
 * The session's person's rights, read afresh (R1.4), and a payee of their contract: FORBIDDEN
 * without the transfer business, and any other id does not exist here (NOT_FOUND).
 */
export async function judgePayeeInReach(executor: Executor, live: LiveSession, payeeId: number): Promise<Judgement<{ rights: PayeeRights; payee: Payee }, never>> {
  const rights = await payeeRightsOf(executor, live.user.id);
  if (!rights.view) return refusal('FORBIDDEN');
  const payee = await payeeOf(executor, live.user.contract_id, payeeId);
  if (!payee) return refusal('NOT_FOUND');
  return { go: { rights, payee } };
}

/** A step on one payee: the payee in reach, then allowed by `rule` (which answers a refusal, or undefined). */
export async function judgePayeeStep(
  executor: Executor,
  live: LiveSession,
  payeeId: number,
  rule: (found: { rights: PayeeRights; payee: Payee }) => Promise<PayeeRefusal | undefined> | PayeeRefusal | undefined,
): Promise<Judgement<Payee, never>> {
  const found = await judgePayeeInReach(executor, live, payeeId);
  if (!('go' in found)) return found;
  const refused = await rule(found.go);
  return refused ? refusal(refused) : { go: found.go.payee };
}

/** An approver's step on a payee (approve, send back), judged on the payee with its approvals so far. */
export function judgeApproverStep(
  executor: Executor,
  live: LiveSession,
  payeeId: number,
  rule: (approver: Approver, item: PayeeItem) => PayeeRefusal | undefined,
): Promise<Judgement<Payee, never>> {
  return judgePayeeStep(executor, live, payeeId, async ({ rights, payee }) =>
    rule({ ref: live.user.id, canApprove: rights.approve }, itemOf(payee, await approvalsOf(executor, payeeId))),
  );
}

/** The part of a change that judges it: enough to judge it alone, before the confirmation password is asked. */
export type ChangeJudgement<Judged, Result> = Pick<Command<Judged, unknown, Result>, 'action' | 'details' | 'judge'>;

/**
 * The first thing every payee form asks, before any input is read: whether the person holds the
 * transfer business at all (a refusal is recorded).
 */
export async function admitPayeeForm(deps: Deps, live: LiveSession, action: PayeeAuditAction, context: RequestContext, payeeId?: number): Promise<void> {
  await judgeCommand<undefined, never>(deps, { live, context }, {
    action,
    details: { payeeId },
    async judge(executor) {
      const rights = await payeeRightsOf(executor, live.user.id);
      return rights.view ? { go: undefined } : refusal('FORBIDDEN');
    },
  });
}
