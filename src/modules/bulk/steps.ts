import { sql } from 'kysely';
import type { Deps } from '../../deps.ts';
import type { Tx } from '../../db/transaction.ts';
import { inTransaction } from '../../db/transaction.ts';
import { bulkFileColumns, type BulkFile } from '../../db/schema-bulk.ts';
import { tokyoDate } from '../../domain/business-days.ts';
import { beforeSendDeadline } from '../../domain/bulk-schedule.ts';
import {
  approvalsRequiredByMode,
  isValidSendBackReason,
  nextAfterApproval,
  nextAtRegistration,
  refusalToApprove,
  refusalToRegister,
  refusalToSend,
  refusalToSendBack,
  refusalToWithdraw,
  type Item,
} from '../../domain/approval.ts';
import { recordAudit, userActor } from '../../audit/audit-trail.ts';
import { AppError, isAppError } from '../../errors.ts';
import { protectionsOf } from '../transfers/audit.ts';
import { releaseDailyUsage, reserveDailyUsageSql } from '../transfers/daily-usage.ts';
import { isIdempotencyKey } from '../transfers/request-hash.ts';
import type { Actor } from '../transfers/types.ts';
import { bulkBusiness, bulkHolderOf, type BulkHolder } from './holder.ts';
import { bulkNoticesAfterStep, notifyBulkSentBack } from './notices.ts';
import { fileItem } from './item.ts';
import { postBulkFile } from './post.ts';
import { refuse, refuseStep } from './refusal.ts';

/**
 * R8.4, R8.5: a file's steps after its upload — register, approve, send, withdraw, send back, and
 * discarding a draft — each in one transaction that claims the request's idempotency key first
 * (R8.6), locks the file's row, judges the step by the rules of src/domain/approval.ts on what it
 * finds, writes it and records it in the audit trail. Approving and sending are confirmed with the
 * acting person's confirmation password before they get here (the routes). A file that is sent on
 * its payment date is posted in the same transaction (./post.ts): a retry finds it done.
 */
export type BulkStep = 'register' | 'approve' | 'send' | 'withdraw' | 'send_back' | 'discard';

interface Locked {
  file: BulkFile;
  item: Item;
  holder: BulkHolder;
  today: string;
  now: Date;
}

export interface BulkStepResult {
  file: BulkFile;
  replayed: boolean;
}

async function lockFile(tx: Tx, actor: Actor, fileId: bigint, now: Date): Promise<Locked> {
  const file = await tx.selectFrom('bulk_file').select(bulkFileColumns).where('id', '=', fileId).where('contract_id', '=', actor.contract.id).forUpdate().executeTakeFirst();
  if (!file) throw new AppError('NOT_FOUND');
  const approvals = await tx.selectFrom('bulk_approval').select('approved_by').where('file_id', '=', fileId).orderBy('step').execute();
  const holder = await bulkHolderOf(tx, actor, { accountId: file.from_account_id, usageDate: file.payment_date });
  return { file, item: fileItem(file, approvals.map((a) => a.approved_by)), holder, today: tokyoDate(now), now };
}

/** R8.4: every step before the money goes out must be taken while the file can still be sent. */
function requireBeforeDeadline(deps: Deps, file: BulkFile, now: Date): void {
  const rules = { cutoffTime: deps.config.bulkCutoffTime, salaryBusinessDays: deps.config.salaryCutoffBusinessDays };
  if (!beforeSendDeadline(file.type_code, file.payment_date, now, rules)) refuse('BULK_TOO_LATE');
}

function checkKey(key: unknown): asserts key is string {
  if (!isIdempotencyKey(key)) refuse('BULK_KEY_INVALID');
}

/** R8.6: the key is claimed first; a retry of a step carried out returns the file as it now stands. */
async function claimKey(tx: Tx, actor: Actor, key: string, requestHash: string, now: Date): Promise<'fresh' | bigint> {
  const { rows } = await sql<{ claimed: number }>`
    INSERT INTO idempotency_record (user_ref, key, request_hash, result, created_at)
    VALUES (${actor.user.id}, ${key}, ${requestHash}, NULL, ${now})
    ON CONFLICT (user_ref, key) DO NOTHING
    RETURNING 1 AS claimed`.execute(tx);
  if (rows.length === 1) return 'fresh';
  const earlier = await tx.selectFrom('idempotency_record').select(['request_hash', 'result']).where('user_ref', '=', actor.user.id).where('key', '=', key).executeTakeFirstOrThrow();
  if (earlier.request_hash !== requestHash) refuse('BULK_IDEMPOTENCY_MISMATCH');
  const fileId = (earlier.result as { bulkFileId?: string } | null)?.bulkFileId;
  if (fileId === undefined) refuse('BULK_STATE_CONFLICT');
  return BigInt(fileId);
}

async function runStep(
  deps: Deps,
  actor: Actor,
  step: BulkStep,
  fileId: bigint,
  key: unknown,
  work: (tx: Tx, locked: Locked) => Promise<{ file: BulkFile; details?: Record<string, unknown> }>,
  hashExtra = '',
): Promise<BulkStepResult> {
  checkKey(key);
  if (typeof fileId !== 'bigint' || fileId <= 0n || fileId > 9_223_372_036_854_775_807n) throw new AppError('NOT_FOUND');
  const requestHash = `bulk.${step}:${fileId}:${hashExtra}`;
  try {
    return await inTransaction(deps.db, async (tx) => {
      const now = deps.clock.now();
      const claim = await claimKey(tx, actor, key, requestHash, now);
      if (claim !== 'fresh') {
        const file = await tx.selectFrom('bulk_file').select(bulkFileColumns).where('id', '=', claim).where('contract_id', '=', actor.contract.id).executeTakeFirstOrThrow();
        return { file, replayed: true };
      }
      const locked = await lockFile(tx, actor, fileId, now);
      const { file, details } = await work(tx, locked);
      // R8.5 [承認依頼通知]: who may take the next step is told, with this step (house rule 8).
      await bulkNoticesAfterStep(deps, tx, step, file, now);
      await recordAudit(tx, stepAudit(actor, step, file, now, details));
      await tx.updateTable('idempotency_record').set({ result: JSON.stringify({ bulkFileId: file.id.toString() }) }).where('user_ref', '=', actor.user.id).where('key', '=', key).execute();
      return { file, replayed: false };
    });
  } catch (error) {
    // R9.1: a refused step is on the record too, with its reason.
    if (isAppError(error)) await recordAudit(deps.db, { ...stepAudit(actor, step, { id: fileId }, deps.clock.now()), outcome: 'failure', reason: error.code });
    throw error;
  }
}

function stepAudit(actor: Actor, step: BulkStep, file: { id: bigint; total_yen?: bigint; status?: string }, at: Date, details: Record<string, unknown> = {}) {
  return {
    at,
    contractId: actor.contract.id,
    userRef: actor.user.id,
    actor: userActor(actor.contract.id, actor.user.user_id),
    action: `bulk.${step}`,
    outcome: 'success' as const,
    ip: actor.ip,
    userAgent: actor.userAgent,
    details: { bulkFileId: file.id.toString(), ...(file.total_yen === undefined ? {} : { totalYen: file.total_yen.toString(), status: file.status }), protections: protectionsOf(actor), ...details },
  };
}

async function setStatus(tx: Tx, file: BulkFile, status: BulkFile['status'], now: Date, extra: Partial<Record<'status_reason' | 'approvals_required', unknown>> = {}): Promise<BulkFile> {
  return tx
    .updateTable('bulk_file')
    .set({ status, updated_at: now, ...(extra as object) })
    .where('id', '=', file.id)
    .returning(bulkFileColumns)
    .executeTakeFirstOrThrow();
}

/**
 * R8.5: the file goes out: 'scheduled', and posted at once when its payment date is today (a
 * shortfall refuses the send whole: nothing changes and the person is told).
 */
async function sendInTx(deps: Deps, tx: Tx, actor: Actor, file: BulkFile, today: string, now: Date): Promise<BulkFile> {
  const scheduled = await tx
    .updateTable('bulk_file')
    .set({ status: 'scheduled', sent_by: actor.user.id, sent_at: now, updated_at: now, protections: sql<string>`protections || ${JSON.stringify(protectionsOf(actor))}::jsonb` })
    .where('id', '=', file.id)
    .returning(bulkFileColumns)
    .executeTakeFirstOrThrow();
  if (scheduled.payment_date > today) return scheduled;
  const posted = await postBulkFile(deps, tx, scheduled.id, now);
  if (posted.outcome === 'insufficient_funds') refuse('BULK_INSUFFICIENT_FUNDS');
  if (posted.outcome === 'source_closed') refuse('BULK_ACCOUNT_NOT_USABLE');
  return posted.file;
}

/**
 * R8.4, R8.5: the uploader registers their draft: they hold the register step and the account, the
 * total is within their limit per file and, with what they registered for that payment date, within
 * their daily limit (reserved in the write, house rule 5); a file matching an earlier one needs their
 * word that it is a payment of its own. Under no approval setting it goes out at once when they hold
 * the send step and confirmed it with their confirmation password (`sendConfirmed`).
 */
export function registerFile(deps: Deps, actor: Actor, fileId: bigint, key: unknown, options: { duplicateConfirmed: boolean; sendConfirmed: boolean }): Promise<BulkStepResult> {
  return runStep(deps, actor, 'register', fileId, key, async (tx, { file, holder, today, now }) => {
    if (file.created_by !== actor.user.id) throw new AppError('NOT_FOUND');
    if (file.status !== 'draft') refuse('BULK_STATE_CONFLICT');
    refuseStep(refusalToRegister(holder, file.total_yen));
    requireBeforeDeadline(deps, file, now);
    if (file.duplicate_of !== null && !options.duplicateConfirmed) refuse('BULK_DUPLICATE_UNCONFIRMED', 'duplicateConfirmed');
    const reserved = await reserveDailyUsageSql(actor.user.id, file.payment_date, file.total_yen, bulkBusiness).execute(tx);
    if (reserved.rows.length === 0) refuse('BULK_DAILY_LIMIT');
    const approvalsRequired = approvalsRequiredByMode[holder.approvalMode];
    const next = nextAtRegistration(approvalsRequired, holder);
    const registered = await tx
      .updateTable('bulk_file')
      .set({
        status: next === 'awaiting_approval' ? 'awaiting_approval' : 'awaiting_send',
        approvals_required: approvalsRequired,
        duplicate_confirmed: file.duplicate_of !== null,
        registered_at: now,
        updated_at: now,
        protections: JSON.stringify(protectionsOf(actor)),
      })
      .where('id', '=', file.id)
      .where('status', '=', 'draft')
      .returning(bulkFileColumns)
      .executeTakeFirstOrThrow();
    if (next === 'send' && options.sendConfirmed) return { file: await sendInTx(deps, tx, actor, registered, today, now), details: { sent: true } };
    return { file: registered };
  }, `${options.duplicateConfirmed}:${options.sendConfirmed}`);
}

/**
 * R8.5: one approval, never of one's own file nor twice by one person (the keys of bulk_approval
 * refuse a concurrent second approval of a step); the final approval sends the file when the approver
 * holds the send step.
 */
export function approveFile(deps: Deps, actor: Actor, fileId: bigint, key: unknown): Promise<BulkStepResult> {
  return runStep(deps, actor, 'approve', fileId, key, async (tx, { file, item, holder, today, now }) => {
    refuseStep(refusalToApprove(holder, item, today));
    requireBeforeDeadline(deps, file, now);
    const step = item.approvedBy.length + 1;
    const { rows } = await sql<{ step: number }>`
      INSERT INTO bulk_approval (file_id, step, approved_by, approved_at)
      VALUES (${file.id}, ${step}, ${actor.user.id}, ${now}::timestamptz)
      ON CONFLICT DO NOTHING RETURNING step`.execute(tx);
    if (rows.length === 0) refuse('BULK_STATE_CONFLICT');
    const next = nextAfterApproval(holder, item);
    if (next === 'send') return { file: await sendInTx(deps, tx, actor, file, today, now), details: { step, sent: true } };
    return { file: await setStatus(tx, file, next, now), details: { step } };
  });
}

/** R8.5: after the approvals, anyone holding the send step sends the file (the registrant included). */
export function sendFile(deps: Deps, actor: Actor, fileId: bigint, key: unknown): Promise<BulkStepResult> {
  return runStep(deps, actor, 'send', fileId, key, async (tx, { file, item, holder, today, now }) => {
    refuseStep(refusalToSend(holder, item, today));
    requireBeforeDeadline(deps, file, now);
    return { file: await sendInTx(deps, tx, actor, file, today, now) };
  });
}

/** R8.5: the creator takes their file back before its final approval; the daily usage is given back (R1.4). */
export function withdrawFile(deps: Deps, actor: Actor, fileId: bigint, key: unknown): Promise<BulkStepResult> {
  return runStep(deps, actor, 'withdraw', fileId, key, async (tx, { file, item, holder, now }) => {
    refuseStep(refusalToWithdraw(holder, item));
    const withdrawn = await setStatus(tx, file, 'withdrawn', now);
    await releaseDailyUsage(tx, file.created_by, file.payment_date, file.total_yen, bulkBusiness);
    return { file: withdrawn };
  });
}

/** R8.5: an approver sends the file back to its creator with a reason; the creator's usage is given back and they are told. */
export function sendBackFile(deps: Deps, actor: Actor, fileId: bigint, reason: unknown, key: unknown): Promise<BulkStepResult> {
  if (typeof reason !== 'string' || !isValidSendBackReason(reason)) refuse('BULK_REASON_INVALID', 'reason');
  const trimmed = reason.trim();
  return runStep(deps, actor, 'send_back', fileId, key, async (tx, { file, item, holder, now }) => {
    refuseStep(refusalToSendBack(holder, item));
    const sentBack = await setStatus(tx, file, 'sent_back', now, { status_reason: trimmed });
    await releaseDailyUsage(tx, file.created_by, file.payment_date, file.total_yen, bulkBusiness);
    await notifyBulkSentBack(deps, tx, actor, sentBack, trimmed, now);
    return { file: sentBack, details: { reason: trimmed } };
  }, trimmed);
}

/** The uploader throws a draft away (nothing was reserved for it). */
export function discardDraft(deps: Deps, actor: Actor, fileId: bigint, key: unknown): Promise<BulkStepResult> {
  return runStep(deps, actor, 'discard', fileId, key, async (tx, { file, now }) => {
    if (file.created_by !== actor.user.id) throw new AppError('NOT_FOUND');
    if (file.status !== 'draft') refuse('BULK_STATE_CONFLICT');
    return { file: await setStatus(tx, file, 'discarded', now) };
  });
}
