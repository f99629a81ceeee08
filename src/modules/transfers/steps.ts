import assert from 'node:assert/strict';
import { sql } from 'kysely';
import type { Deps } from '../../deps.ts';
import type { Tx } from '../../db/transaction.ts';
import { inTransaction } from '../../db/transaction.ts';
import type { Transfer } from '../../db/schema-transfers.ts';
import { tokyoDate } from '../../domain/business-days.ts';
import {
  isValidSendBackReason,
  nextAfterApproval,
  refusalToApprove,
  refusalToSend,
  refusalToSendBack,
  refusalToWithdraw,
  type Item,
} from '../../domain/approval.ts';
import { AppError } from '../../errors.ts';
import { auditedRefusals, PendingStepAudit, stepAuditEvent, type AuditedStep } from './audit.ts';
import { releaseDailyUsage } from './daily-usage.ts';
import { holderOf, type Holder } from './holder.ts';
import { claimIdempotencyKey, completeIdempotencyKey } from './idempotency.ts';
import { perTransactionLimitParams } from './limit-refusal.ts';
import { refuse } from './refusal.ts';
import { checkIdempotencyKey, stepHash, type LaterStep } from './request-hash.ts';
import { notifySentBack } from './sent-back-notice.ts';
import { transferNoticesAfterStep } from './step-notices.ts';
import { sendInTx } from './send.ts';
import type { Actor, StepResult } from './types.ts';
import { itemOf } from './item.ts';
import { checkFinalStep, finalCodeProtection, replacedByToken, useFinalCode, withFinalCode, type FinalCode, type FinalStep } from './email-otp.ts';
import { checkStepToken, stepNeedsToken, tokenReplacesEmailOtp, useFinalToken, withFinalToken, type FinalToken } from './token.ts';

/**
 * R8.5: the steps after registration — approve, send, send back, withdraw — each in one transaction
 * that claims the request's idempotency key first (R8.6), locks the item's row, judges the step by
 * the rules of domain/approval.ts on what it finds, writes it, records it in the audit trail and
 * keeps its result for a retry.
 */
interface Locked {
  transfer: Transfer;
  item: Item;
  holder: Holder;
  today: string;
}

async function runStep(
  deps: Deps,
  actor: Actor,
  step: LaterStep,
  transferId: bigint,
  idempotencyKey: string,
  work: (tx: Tx, locked: Locked, audit: PendingStepAudit, code: FinalCode | undefined, token: FinalToken) => Promise<Transfer>,
  options: { reason?: string; finalStep?: { step: FinalStep; emailOtp: unknown; tokenCode: unknown } } = {},
): Promise<StepResult> {
  const { reason, finalStep } = options;
  checkIdempotencyKey(idempotencyKey);
  if (typeof transferId !== 'bigint' || transferId <= 0n || transferId > 9_223_372_036_854_775_807n) throw new AppError('NOT_FOUND');
  const requestHash = stepHash(step, transferId, reason);
  return auditedRefusals(deps, actor, step as AuditedStep, { transferId: transferId.toString() }, async () => {
    // R5.2: a step that would finalise the transfer needs its email one-time password, checked here
    // and used in the step's transaction, under the lock that shows the transfer is still the version
    // the code was bound to. A retry of a step already taken replays before any code is used.
    // R6.5: the step that finalises a transfer to an ad hoc destination needs the token password too
    // (or, where the bank set the contract so, instead of the email code), checked and used the same way.
    const token: FinalToken = finalStep ? await checkStepToken(deps, actor, transferId, finalStep.step, finalStep.tokenCode) : { asked: false, required: false };
    // The email code is checked within the token's hold, so a refused email code gives the token's attempt back.
    return withFinalToken(deps, token, async () => {
      const code = !finalStep ? undefined : tokenReplacesEmailOtp(actor, token) ? replacedByToken : await checkFinalStep(deps, actor, transferId, finalStep.step, finalStep.emailOtp);
      return withFinalCode(deps, code, () => inTransaction(deps.db, async (tx) => {
        const now = deps.clock.now();
        const claim = await claimIdempotencyKey(tx, actor.user.id, idempotencyKey, requestHash, now);
        if (!claim.fresh) return { transfer: claim.transfer, replayed: true };
        const locked = await lockItem(tx, actor, transferId, tokyoDate(now));
        // Locks are taken in one order everywhere — ledger accounts, the day's usage, the contract's
        // audit head (decisions 0026, 0031) — so steps wait for each other instead of deadlocking. The step's record,
        // with those of the token and the code it used, is written last: with the execution's when
        // the step posts the transfer (its append comes after the posting), otherwise by itself, after
        // any daily usage given back.
        const extra = { ...(reason === undefined ? {} : { reason }), ...finalCodeProtection(deps, code), ...tokenProtectionNow(deps, token) };
        const audit = new PendingStepAudit(stepAuditEvent(deps, actor, step as AuditedStep, locked.transfer, extra));
        const transfer = await work(tx, locked, audit, code, token);
        // R8.5 [承認依頼通知]: who may take the next step is told, with this step (house rule 8).
        await transferNoticesAfterStep(deps, tx, step, transfer, now);
        await audit.writeIfPending(tx);
        await completeIdempotencyKey(tx, actor.user.id, idempotencyKey, transfer);
        return { transfer, replayed: false };
      }));
    });
  });
}

/** R9.1: the token's protection as the step records it, once the code is used now. */
function tokenProtectionNow(deps: Deps, token: FinalToken): Record<string, unknown> {
  return 'checked' in token ? { token: { serial: token.checked.serial, verifiedAt: deps.clock.now().toISOString() } } : {};
}

/**
 * R6.5: in the step's transaction, after its own judgement: the token of a step that needs one is
 * used (a step that sends with the email code replaced by the token must have used it).
 */
async function useStepToken(deps: Deps, tx: Tx, token: FinalToken, code: FinalCode | undefined, audit: PendingStepAudit, neededNow: boolean, sends: boolean): Promise<Record<string, unknown>> {
  const used = await useFinalToken(deps, tx, token, neededNow, audit);
  if (sends && code && 'replacedByToken' in code && !('token' in used)) refuse('TRANSFER_STATE_CONFLICT');
  return used;
}

/** The item under its row lock (so the steps of one item happen one after another), with its approvals. */
async function lockItem(tx: Tx, actor: Actor, transferId: bigint, today: string): Promise<Locked> {
  const transfer = await tx
    .selectFrom('transfer')
    .selectAll()
    .where('id', '=', transferId)
    .where('contract_id', '=', actor.contract.id)
    .forUpdate()
    .executeTakeFirst();
  if (!transfer) throw new AppError('NOT_FOUND');
  const approvals = await tx.selectFrom('transfer_approval').select('approved_by').where('transfer_id', '=', transferId).orderBy('step').execute();
  const holder = await holderOf(tx, actor, transfer.from_account_id);
  return { transfer, item: itemOf(transfer, approvals.map((a) => a.approved_by)), holder, today };
}


/**
 * R8.5: one approval. Step n is inserted only while the item waits for approval and n is the number
 * of approvals so far plus one; the primary key (item, step) and UNIQUE (item, approver) refuse a
 * concurrent second approval of the same step or by the same person. The final approval sends the
 * item when the approver holds the send step, otherwise it waits for someone who does.
 */
export function approveTransfer(deps: Deps, actor: Actor, transferId: bigint, idempotencyKey: string, emailOtp?: unknown, tokenCode?: unknown): Promise<StepResult> {
  const finalStep = { step: 'approve' as const, emailOtp, tokenCode };
  return runStep(deps, actor, 'approve', transferId, idempotencyKey, async (tx, { transfer, item, holder, today }, audit, code, token) => {
    const refusal = refusalToApprove(holder, item, today);
    if (refusal) refuse(refusal, refusal === 'TRANSFER_PER_TRANSACTION_LIMIT' ? 'amount' : undefined, perTransactionLimitParams(holder.perTransactionLimitYen));
    const step = item.approvedBy.length + 1;
    const now = deps.clock.now();
    const { rows } = await sql<{ step: number }>`
      INSERT INTO transfer_approval (transfer_id, step, approved_by, approved_at)
      SELECT t.id, ${step}, ${actor.user.id}, ${now}::timestamptz FROM transfer t
      WHERE t.id = ${transfer.id} AND t.status = 'awaiting_approval'
        AND (SELECT count(*) FROM transfer_approval a WHERE a.transfer_id = t.id) = ${step - 1}
      ON CONFLICT DO NOTHING
      RETURNING step`.execute(tx);
    if (rows.length === 0) refuse('TRANSFER_STATE_CONFLICT');
    const next = nextAfterApproval(holder, item);
    const tokenUsed = await useStepToken(deps, tx, token, code, audit, stepNeedsToken(transfer, item.approvedBy.length, 'approve'), next === 'send');
    if (next === 'send') return sendInTx(deps, tx, transfer.id, actor.user.id, today, audit, { ...(await useFinalCode(deps, tx, code, audit, transfer)), ...tokenUsed });
    return updateStatus(tx, transfer.id, next, now, undefined, tokenUsed);
  }, { finalStep });
}

/** R8.5: after the approvals, an item waiting to be sent is sent by anyone holding the send step, the registrant included. */
export function sendTransfer(deps: Deps, actor: Actor, transferId: bigint, idempotencyKey: string, emailOtp?: unknown, tokenCode?: unknown): Promise<StepResult> {
  return runStep(deps, actor, 'send', transferId, idempotencyKey, async (tx, { transfer, item, holder, today }, audit, code, token) => {
    const refusal = refusalToSend(holder, item, today);
    if (refusal) refuse(refusal);
    const tokenUsed = await useStepToken(deps, tx, token, code, audit, stepNeedsToken(transfer, item.approvedBy.length, 'send'), true);
    return sendInTx(deps, tx, transfer.id, actor.user.id, today, audit, { ...(await useFinalCode(deps, tx, code, audit, transfer)), ...tokenUsed });
  }, { finalStep: { step: 'send', emailOtp, tokenCode } });
}

/**
 * R8.5: an approver sends the item back to its creator with a reason (1–100 characters), before it
 * is sent; the creator's daily usage is given back (R1.4) and the creator is told by email (R7.3).
 */
export async function sendBackTransfer(deps: Deps, actor: Actor, transferId: bigint, reason: string, idempotencyKey: string): Promise<StepResult> {
  if (typeof reason !== 'string' || !isValidSendBackReason(reason)) refuse('TRANSFER_REASON_INVALID', 'reason');
  const trimmed = reason.trim();
  return runStep(
    deps,
    actor,
    'send_back',
    transferId,
    idempotencyKey,
    async (tx, { transfer, item, holder }) => {
      const refusal = refusalToSendBack(holder, item);
      if (refusal) refuse(refusal);
      const now = deps.clock.now();
      const updated = await updateStatus(tx, transfer.id, 'sent_back', now, trimmed);
      await releaseDailyUsage(tx, transfer.created_by, transfer.execution_date, transfer.amount_yen);
      await notifySentBack(deps, tx, actor, updated, trimmed, now);
      return updated;
    },
    { reason: trimmed },
  );
}

/** R8.5: the creator takes their item back before its final approval; the daily usage is given back (R1.4). */
export function withdrawTransfer(deps: Deps, actor: Actor, transferId: bigint, idempotencyKey: string): Promise<StepResult> {
  return runStep(deps, actor, 'withdraw', transferId, idempotencyKey, async (tx, { transfer, item, holder }) => {
    const refusal = refusalToWithdraw(holder, item);
    if (refusal) refuse(refusal);
    const updated = await updateStatus(tx, transfer.id, 'withdrawn', deps.clock.now());
    await releaseDailyUsage(tx, transfer.created_by, transfer.execution_date, transfer.amount_yen);
    return updated;
  });
}

/** Moves a locked item on from a state a step may leave (the lock makes the condition hold; it is asserted). */
async function updateStatus(
  tx: Tx,
  transferId: bigint,
  status: 'awaiting_approval' | 'awaiting_send' | 'sent_back' | 'withdrawn',
  now: Date,
  reason?: string,
  protections: Record<string, unknown> = {},
): Promise<Transfer> {
  const updated = await tx
    .updateTable('transfer')
    // R9.1: the final approver's token joins the protections of the transfer it approved.
    .set({
      status,
      updated_at: now,
      ...(reason === undefined ? {} : { status_reason: reason }),
      ...(Object.keys(protections).length === 0 ? {} : { protections: sql<string>`protections || ${JSON.stringify(protections)}::jsonb` }),
    })
    .where('id', '=', transferId)
    .where('status', 'in', ['awaiting_approval', 'awaiting_send'])
    .returningAll()
    .executeTakeFirst();
  assert.ok(updated, 'the locked item was in a state this step leaves');
  return updated;
}
