import { sql } from 'kysely';
import type { Deps } from '../../deps.ts';
import type { Executor, Tx } from '../../db/transaction.ts';
import { inTransaction } from '../../db/transaction.ts';
import type { Payee, PayeeStatus } from '../../db/schema-payees.ts';
import { AppError } from '../../errors.ts';
import { recordAudit, userActor } from '../../audit/audit-trail.ts';
import { confirmWithConfirmationPassword } from '../../access/confirmation-password.ts';
import { masterEmail, notifySecurityChange } from '../../mail/security-notice.ts';
import type { LiveSession } from '../../access/sessions.ts';
import type { RequestContext } from '../../access/request-context.ts';
import type { MessageKey } from '../../web/i18n/index.ts';
import type { NoticeParam } from '../../mail/compose.ts';
import { findBank, findBranch } from '../../domain/bank-directory.ts';
import { ownBank } from './own-bank.ts';
import { checkDetails, type PayeeDetails, type PayeeEntry } from './form-input.ts';
import {
  approvalsOf,
  lockPayee,
  payeeOf,
  payeeRightsOf,
  payeesOf,
  pendingChangeOf,
  sameAccountRegistered,
  userLabel,
  type ApprovalRow,
  type PayeeListRow,
} from './repository.ts';
import {
  approvalsRequiredByMode,
  initialStatus,
  refusalToApprove,
  refusalToChange,
  refusalToDelete,
  refusalToReject,
  refusalToWithdraw,
  type PayeeFacts,
  type PayeeRefusal,
  type PayeeRights,
} from './rules.ts';

/**
 * Payees [振込先] (R8.2) under the contract's approval setting (R8.5): register, change, delete,
 * approve, reject, withdraw. Each is judged before the confirmation password is asked (refused
 * input costs no attempt) and again inside the transaction that makes it, records it in the audit
 * trail and mails it (house rule 8). Approvals pass one conditional update (house rule 4).
 */

/** R8.2: a payee a transfer may go to: registered for this contract and active (approved, not deleted). */
export function activePayee(executor: Executor, contractId: string, payeeId: number): Promise<Payee | undefined> {
  return executor.selectFrom('payee').selectAll()
    .where('id', '=', payeeId).where('contract_id', '=', contractId).where('status', '=', 'active')
    .executeTakeFirst();
}

/** The contract's active payees, by name: the choices of a transfer form. */
export function activePayees(executor: Executor, contractId: string): Promise<Payee[]> {
  return executor.selectFrom('payee').selectAll()
    .where('contract_id', '=', contractId).where('status', '=', 'active')
    .orderBy('name_kana').orderBy('id')
    .execute();
}

/** R8.5: the pending payees this person may approve (for the list of items waiting for them). */
export async function payeesAwaitingApproval(executor: Executor, contractId: string, userRef: number): Promise<Payee[]> {
  const rights = await payeeRightsOf(executor, userRef);
  if (!rights.approve) return [];
  return executor.selectFrom('payee').selectAll()
    .where('contract_id', '=', contractId).where('status', '=', 'pending').where('created_by', '<>', userRef)
    .where(({ not, exists, selectFrom }) =>
      not(exists(selectFrom('payee_approval').select('payee_id').whereRef('payee_approval.payee_id', '=', 'payee.id').where('payee_approval.approved_by', '=', userRef))))
    .orderBy('created_at').orderBy('id')
    .execute();
}

export type PayeeAuditAction = 'payee.register' | 'payee.change' | 'payee.delete' | 'payee.approve' | 'payee.reject' | 'payee.withdraw';

function auditBase(deps: Deps, live: LiveSession, context: RequestContext, at = deps.clock.now()) {
  return {
    at,
    contractId: live.user.contract_id,
    userRef: live.user.id,
    actor: userActor(live.user.contract_id, live.user.user_id),
    ip: context.ip,
    userAgent: context.userAgent,
  };
}

/**
 * A refusal judged outside the change's transaction is kept in the audit trail when it is about
 * permission (what a stolen session or a curious colleague would try); inside, it only rolls back.
 */
async function refuse(deps: Deps, executor: Executor, live: LiveSession, context: RequestContext, action: PayeeAuditAction, code: PayeeRefusal | 'FORBIDDEN', payeeId?: number): Promise<never> {
  const permission = code === 'FORBIDDEN' || code === 'PAYEES_REGISTER_FORBIDDEN' || code === 'PAYEES_APPROVE_FORBIDDEN';
  if (permission && !executor.isTransaction) {
    await recordAudit(deps.db, { ...auditBase(deps, live, context), action, outcome: 'failure', reason: code.toLowerCase(), details: { payeeId } });
  }
  throw new AppError(code);
}

/** The session's person's rights on payees; without the transfer business the pages are not theirs. */
export async function payeeRights(deps: Deps, live: LiveSession): Promise<PayeeRights> {
  const rights = await payeeRightsOf(deps.db, live.user.id);
  if (!rights.view) throw new AppError('FORBIDDEN');
  return rights;
}

/**
 * The first thing every payee form asks, before any input is read: whether the person holds the
 * transfer business at all (a refusal is recorded).
 */
export async function admitPayeeForm(deps: Deps, live: LiveSession, action: PayeeAuditAction, context: RequestContext, payeeId?: number): Promise<void> {
  const rights = await payeeRightsOf(deps.db, live.user.id);
  if (!rights.view) await refuse(deps, deps.db, live, context, action, 'FORBIDDEN', payeeId);
}

/** Which payees a list shows: those in use or waiting, or those that ended. */
export type ListFilter = 'current' | 'ended';
const listStatuses: Record<ListFilter, PayeeStatus[]> = {
  current: ['active', 'pending'],
  ended: ['rejected', 'withdrawn', 'deleted', 'replaced'],
};

export async function payeeList(deps: Deps, live: LiveSession, filter: ListFilter): Promise<{ rights: PayeeRights; payees: PayeeListRow[] }> {
  const rights = await payeeRights(deps, live);
  return { rights, payees: await payeesOf(deps.db, live.user.contract_id, listStatuses[filter]) };
}

export interface PayeePage {
  rights: PayeeRights;
  payee: Payee;
  registrant: { user_id: string };
  approvals: ApprovalRow[];
  /** The active payee this one changes, or the pending change of this one. */
  replaces: Payee | undefined;
  pendingChange: Payee | undefined;
  /** Why the session's person may not do each thing to it now (undefined: they may). */
  refused: Record<'approve' | 'reject' | 'withdraw' | 'change' | 'delete', PayeeRefusal | undefined>;
}

function factsOf(payee: Payee, approvals: readonly { approved_by: number }[]): PayeeFacts {
  return { status: payee.status, createdBy: payee.created_by, approvedBy: approvals.map((a) => a.approved_by) };
}

/** One payee of the contract (any other id does not exist here), with what the person may do to it. */
export async function payeePage(deps: Deps, live: LiveSession, payeeId: number): Promise<PayeePage> {
  const rights = await payeeRights(deps, live);
  const contractId = live.user.contract_id;
  const payee = await payeeOf(deps.db, contractId, payeeId);
  if (!payee) throw new AppError('NOT_FOUND');
  const approvals = await approvalsOf(deps.db, payee.id);
  const pendingChange = payee.status === 'active' ? await pendingChangeOf(deps.db, contractId, payee.id) : undefined;
  const replaces = payee.replaces_payee_id === null ? undefined : await payeeOf(deps.db, contractId, payee.replaces_payee_id);
  const facts = factsOf(payee, approvals);
  const me = live.user.id;
  return {
    rights,
    payee,
    registrant: await userLabel(deps.db, payee.created_by),
    approvals,
    replaces,
    pendingChange,
    refused: {
      approve: refusalToApprove(rights, facts, me),
      reject: refusalToReject(rights, facts, me),
      withdraw: refusalToWithdraw(facts, me),
      change: refusalToChange(rights, facts, pendingChange !== undefined),
      delete: refusalToDelete(rights, facts),
    },
  };
}

/** The payee's destination as a notice names it, in each language. */
async function describe(deps: Deps, executor: Executor, details: PayeeDetails): Promise<Record<string, NoticeParam>> {
  const own = ownBank(deps, executor);
  const bank = findBank(own, details.bankCode);
  const branch = await findBranch(own, details.bankCode, details.branchCode);
  return {
    name: details.nameKana,
    bank: `${details.bankCode} ${bank?.name ?? ''}`.trim(),
    branch: `${details.branchCode} ${branch?.name ?? ''}`.trim(),
    accountType: { message: `payees.accountType.${details.accountType}` as MessageKey },
    accountNumber: details.accountNumber,
  };
}

export function detailsOf(payee: Payee): PayeeDetails {
  return {
    bankCode: payee.bank_code,
    branchCode: payee.branch_code,
    accountType: payee.account_type,
    accountNumber: payee.account_number,
    nameKana: payee.name_kana,
    nickname: payee.nickname,
  };
}

function auditDetails(details: PayeeDetails): Record<string, unknown> {
  return { ...details };
}

/**
 * R7.3: a payee change is mailed to whoever made it, to the person who registered the item (when
 * someone else acts on it) and to the master, in the change's transaction.
 */
async function notify(
  deps: Deps,
  tx: Tx,
  live: LiveSession,
  context: RequestContext,
  at: Date,
  facts: { key: MessageKey; details: PayeeDetails; registrantRef: number; extra?: Record<string, NoticeParam> },
): Promise<void> {
  const registrant = await userLabel(tx, facts.registrantRef);
  await notifySecurityChange(deps, tx, {
    contractId: live.contract.id,
    companyName: live.contract.company_name,
    subjectUserId: registrant.user_id,
    actorLabel: live.user.user_id,
    what: { key: facts.key, params: { ...(await describe(deps, tx, facts.details)), ...facts.extra } },
    at,
    ip: context.ip,
    recipients: [live.user.email, registrant.email, await masterEmail(tx, live.contract.id)],
  });
}

/**
 * R8.5: the contract's approval setting, read under the contract's lock (one registration at a time,
 * so the duplicate check holds). FOR NO KEY UPDATE: rows referring to the contract (a transfer, an
 * audit record) are still inserted meanwhile, so this lock never waits on theirs in a cycle.
 */
async function lockedApprovalsRequired(tx: Tx, contractId: string): Promise<number> {
  const contract = await tx.selectFrom('contract').select('approval_mode').where('id', '=', contractId).forNoKeyUpdate().executeTakeFirstOrThrow();
  return approvalsRequiredByMode[contract.approval_mode];
}

export type RegisterOutcome = { payeeId: number; status: 'active' | 'pending' };

/** R8.2: a new payee; active at once without an approval setting, otherwise pending (R8.5). */
/** R1.4, R8.2: the register step, and an account not already registered for the contract. */
async function judgeRegistration(deps: Deps, executor: Executor, live: LiveSession, context: RequestContext, entry: PayeeDetails): Promise<void> {
  const action = 'payee.register';
  const rights = await payeeRightsOf(executor, live.user.id);
  if (!rights.view) await refuse(deps, executor, live, context, action, 'FORBIDDEN');
  if (!rights.register) await refuse(deps, executor, live, context, action, 'PAYEES_REGISTER_FORBIDDEN');
  await checkDetails(deps, executor, entry);
  if (await sameAccountRegistered(executor, live.user.contract_id, entry)) throw new AppError('PAYEES_DUPLICATE');
}

/** R8.2: the changed payee exists, is active, has no change waiting, and the person may change it. */
async function judgeChange(deps: Deps, executor: Executor, live: LiveSession, context: RequestContext, payeeId: number, entry: PayeeDetails): Promise<Payee> {
  const action = 'payee.change';
  const contractId = live.user.contract_id;
  const rights = await payeeRightsOf(executor, live.user.id);
  if (!rights.view) await refuse(deps, executor, live, context, action, 'FORBIDDEN', payeeId);
  const payee = executor.isTransaction ? await lockPayee(executor as Tx, contractId, payeeId) : await payeeOf(executor, contractId, payeeId);
  if (!payee) throw new AppError('NOT_FOUND');
  const pending = await pendingChangeOf(executor, contractId, payeeId);
  const refused = refusalToChange(rights, factsOf(payee, []), pending !== undefined);
  if (refused) await refuse(deps, executor, live, context, action, refused, payeeId);
  await checkDetails(deps, executor, entry);
  if (await sameAccountRegistered(executor, contractId, entry, payeeId)) throw new AppError('PAYEES_DUPLICATE');
  return payee;
}

/**
 * The form's step before the review: the same judgement as the registration or change itself, so a
 * refusal shows on the form rather than after the confirmation password.
 */
export async function reviewEntry(deps: Deps, live: LiveSession, entry: PayeeDetails, payeeId: number | undefined, context: RequestContext): Promise<'review' | 'unchanged'> {
  if (payeeId === undefined) {
    await judgeRegistration(deps, deps.db, live, context, entry);
    return 'review';
  }
  const payee = await judgeChange(deps, deps.db, live, context, payeeId, entry);
  return sameDetails(detailsOf(payee), entry) ? 'unchanged' : 'review';
}

/** R8.2: a new payee; active at once without an approval setting, otherwise pending (R8.5). */
export async function registerPayee(deps: Deps, live: LiveSession, entry: PayeeEntry, confirmationPassword: string, context: RequestContext): Promise<RegisterOutcome> {
  const contractId = live.user.contract_id;
  const action = 'payee.register';
  const judge = (executor: Executor) => judgeRegistration(deps, executor, live, context, entry);
  await judge(deps.db);
  await confirmWithConfirmationPassword(deps, live, confirmationPassword, context, action);
  const now = deps.clock.now();
  return inTransaction(deps.db, async (tx) => {
    const approvalsRequired = await lockedApprovalsRequired(tx, contractId);
    await judge(tx);
    const { created, status } = await insertPayeeVersion(tx, { contractId, entry, createdBy: live.user.id, now, approvalsRequired, replaces: null });
    await recordAudit(tx, {
      ...auditBase(deps, live, context, now),
      action,
      outcome: 'success',
      details: { payeeId: created.id, status, approvalsRequired, nameTyped: entry.nameTyped, ...auditDetails(entry) },
    });
    await notify(deps, tx, live, context, now, {
      key: status === 'active' ? 'payees.mail.registered' : 'payees.mail.registeredPending',
      details: entry,
      registrantRef: live.user.id,
    });
    return { payeeId: created.id, status };
  });
}

function sameDetails(a: PayeeDetails, b: PayeeDetails): boolean {
  return (['bankCode', 'branchCode', 'accountType', 'accountNumber', 'nameKana', 'nickname'] as const).every((key) => a[key] === b[key]);
}

/** A registration, or a change as a new version of the payee it replaces; active at once when no approval is needed. */
async function insertPayeeVersion(
  tx: Tx,
  input: { contractId: string; entry: PayeeEntry; createdBy: number; now: Date; approvalsRequired: number; replaces: number | null },
): Promise<{ created: { id: number }; status: ReturnType<typeof initialStatus> }> {
  const status = initialStatus(input.approvalsRequired);
  const created = await tx
    .insertInto('payee')
    .values({
      contract_id: input.contractId,
      ...toRow(input.entry),
      status,
      created_by: input.createdBy,
      created_at: input.now,
      replaces_payee_id: input.replaces,
      approvals_required: input.approvalsRequired,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { created, status };
}

function toRow(details: PayeeDetails) {
  return {
    bank_code: details.bankCode,
    branch_code: details.branchCode,
    account_type: details.accountType,
    account_number: details.accountNumber,
    name_kana: details.nameKana,
    nickname: details.nickname,
  };
}

export type ChangeOutcome = { payeeId: number; status: 'active' | 'pending' } | { payeeId: number; status: 'unchanged' };

/**
 * R8.2, R8.5: a change of an active payee is a new version. Without an approval setting it replaces
 * the old one at once; otherwise it waits, and the old one stays in use until it is approved.
 */
export async function changePayee(deps: Deps, live: LiveSession, payeeId: number, entry: PayeeEntry, confirmationPassword: string, context: RequestContext): Promise<ChangeOutcome> {
  const contractId = live.user.contract_id;
  const action = 'payee.change';
  const judge = (executor: Executor) => judgeChange(deps, executor, live, context, payeeId, entry);
  const before = await judge(deps.db);
  if (sameDetails(detailsOf(before), entry)) return { payeeId, status: 'unchanged' };
  await confirmWithConfirmationPassword(deps, live, confirmationPassword, context, action);
  const now = deps.clock.now();
  return inTransaction(deps.db, async (tx) => {
    const approvalsRequired = await lockedApprovalsRequired(tx, contractId);
    const old = await judge(tx);
    const { created, status } = await insertPayeeVersion(tx, { contractId, entry, createdBy: live.user.id, now, approvalsRequired, replaces: old.id });
    if (status === 'active') await replace(tx, contractId, old.id);
    await recordAudit(tx, {
      ...auditBase(deps, live, context, now),
      action,
      outcome: 'success',
      details: { payeeId: created.id, replacesPayeeId: old.id, status, approvalsRequired, nameTyped: entry.nameTyped, from: auditDetails(detailsOf(old)), to: auditDetails(entry) },
    });
    await notify(deps, tx, live, context, now, {
      key: status === 'active' ? 'payees.mail.changed' : 'payees.mail.changedPending',
      details: entry,
      registrantRef: live.user.id,
    });
    return { payeeId: created.id, status };
  });
}

/** The old version gives way to its approved change; it must still be active (R8.5). */
async function replace(tx: Tx, contractId: string, oldId: number): Promise<void> {
  const replaced = await tx
    .updateTable('payee')
    .set({ status: 'replaced' })
    .where('id', '=', oldId)
    .where('contract_id', '=', contractId)
    .where('status', '=', 'active')
    .returning('id')
    .executeTakeFirst();
  if (!replaced) throw new AppError('PAYEES_NOT_ACTIVE');
}

/** R8.2: an active payee is deleted at once; a change of it still waiting is withdrawn with it. */
export async function deletePayee(deps: Deps, live: LiveSession, payeeId: number, confirmationPassword: string, context: RequestContext): Promise<void> {
  const contractId = live.user.contract_id;
  const action = 'payee.delete';
  const judge = async (executor: Executor) => {
    const rights = await payeeRightsOf(executor, live.user.id);
    if (!rights.view) await refuse(deps, executor, live, context, action, 'FORBIDDEN', payeeId);
    const payee = await payeeOf(executor, contractId, payeeId);
    if (!payee) throw new AppError('NOT_FOUND');
    const refused = refusalToDelete(rights, factsOf(payee, []));
    if (refused) await refuse(deps, executor, live, context, action, refused, payeeId);
    return payee;
  };
  await judge(deps.db);
  await confirmWithConfirmationPassword(deps, live, confirmationPassword, context, action);
  const now = deps.clock.now();
  await inTransaction(deps.db, async (tx) => {
    // The payee's row first, then its waiting change's: the order an approval of that change takes them in.
    await lockPayee(tx, contractId, payeeId);
    const payee = await judge(tx);
    const withdrawn = await tx
      .updateTable('payee')
      .set({ status: 'withdrawn', decided_by: live.user.id, decided_at: now })
      .where('replaces_payee_id', '=', payeeId)
      .where('contract_id', '=', contractId)
      .where('status', '=', 'pending')
      .returning('id')
      .execute();
    const deleted = await tx
      .updateTable('payee')
      .set({ status: 'deleted', decided_by: live.user.id, decided_at: now })
      .where('id', '=', payeeId)
      .where('contract_id', '=', contractId)
      .where('status', '=', 'active')
      .returning('id')
      .executeTakeFirst();
    if (!deleted) throw new AppError('PAYEES_NOT_ACTIVE');
    await recordAudit(tx, {
      ...auditBase(deps, live, context, now),
      action,
      outcome: 'success',
      details: { payeeId, ...auditDetails(detailsOf(payee)), changesWithdrawn: withdrawn.map((row) => row.id) },
    });
    await notify(deps, tx, live, context, now, { key: 'payees.mail.deleted', details: detailsOf(payee), registrantRef: payee.created_by });
  });
}

export type ApproveOutcome = 'active' | 'pending';

/**
 * R8.5: an approval by a person with the approve step who is neither the registrant nor someone who
 * approved it already. The person's approval row (one per person: a second insert finds the first)
 * and the payee's count, raised only while the payee waits and needs more, are the race gate: two
 * approvals at once of a payee needing one record one.
 */
export async function approvePayee(deps: Deps, live: LiveSession, payeeId: number, confirmationPassword: string, context: RequestContext): Promise<ApproveOutcome> {
  await judgeApproval(deps, deps.db, live, context, payeeId);
  await confirmWithConfirmationPassword(deps, live, confirmationPassword, context, 'payee.approve');
  return recordApproval(deps, live, payeeId, context);
}

/**
 * The write of an approval, after the judgement and the confirmation password: judged again in its
 * transaction, then the race gate.
 */
export async function recordApproval(deps: Deps, live: LiveSession, payeeId: number, context: RequestContext): Promise<ApproveOutcome> {
  const contractId = live.user.contract_id;
  const me = live.user.id;
  const action = 'payee.approve';
  const now = deps.clock.now();
  return inTransaction(deps.db, async (tx) => {
    const payee = await judgeApproval(deps, tx, live, context, payeeId);
    const recorded = await tx
      .insertInto('payee_approval')
      .values({ payee_id: payeeId, approved_by: me, approved_at: now })
      .onConflict((conflict) => conflict.columns(['payee_id', 'approved_by']).doNothing())
      .returning('payee_id')
      .executeTakeFirst();
    if (!recorded) throw new AppError('PAYEES_ALREADY_APPROVED');
    // A change takes the row of the payee it replaces first, as a deletion of that payee does.
    if (payee.replaces_payee_id !== null) await lockPayee(tx, contractId, payee.replaces_payee_id);
    const counted = await tx
      .updateTable('payee')
      .set({
        approvals_given: sql<number>`approvals_given + 1`,
        status: sql<PayeeStatus>`CASE WHEN approvals_given + 1 >= approvals_required THEN 'active' ELSE 'pending' END`,
      })
      .where('id', '=', payeeId)
      .where('contract_id', '=', contractId)
      .where('status', '=', 'pending')
      .where('created_by', '<>', me)
      .whereRef('approvals_given', '<', 'approvals_required')
      .returning(['status', 'approvals_given', 'approvals_required', 'replaces_payee_id'])
      .executeTakeFirst();
    if (!counted) throw new AppError('PAYEES_NOT_PENDING');
    const status = counted.status === 'active' ? 'active' : 'pending';
    if (status === 'active' && counted.replaces_payee_id !== null) await replace(tx, contractId, counted.replaces_payee_id);
    await recordAudit(tx, {
      ...auditBase(deps, live, context, now),
      action,
      outcome: 'success',
      details: { payeeId, status, approvalsGiven: counted.approvals_given, approvalsRequired: counted.approvals_required, replacesPayeeId: counted.replaces_payee_id },
    });
    await notify(deps, tx, live, context, now, {
      key: status === 'active' ? 'payees.mail.approved' : 'payees.mail.approvalRecorded',
      details: detailsOf(payee),
      registrantRef: payee.created_by,
      extra: { given: counted.approvals_given, required: counted.approvals_required },
    });
    return status;
  });
}

async function judgeApproval(deps: Deps, executor: Executor, live: LiveSession, context: RequestContext, payeeId: number): Promise<Payee> {
  const me = live.user.id;
  const rights = await payeeRightsOf(executor, me);
  if (!rights.view) await refuse(deps, executor, live, context, 'payee.approve', 'FORBIDDEN', payeeId);
  const payee = await payeeOf(executor, live.user.contract_id, payeeId);
  if (!payee) throw new AppError('NOT_FOUND');
  const refused = refusalToApprove(rights, factsOf(payee, await approvalsOf(executor, payeeId)), me);
  if (refused) await refuse(deps, executor, live, context, 'payee.approve', refused, payeeId);
  return payee;
}

/** R8.5: an approver sends a pending payee back, with a reason the registrant reads. */
export async function rejectPayee(deps: Deps, live: LiveSession, payeeId: number, reason: string, context: RequestContext): Promise<void> {
  const contractId = live.user.contract_id;
  const me = live.user.id;
  const action = 'payee.reject';
  const judge = async (executor: Executor) => {
    const rights = await payeeRightsOf(executor, me);
    if (!rights.view) await refuse(deps, executor, live, context, action, 'FORBIDDEN', payeeId);
    const payee = await payeeOf(executor, contractId, payeeId);
    if (!payee) throw new AppError('NOT_FOUND');
    const refused = refusalToReject(rights, factsOf(payee, await approvalsOf(executor, payeeId)), me);
    if (refused) await refuse(deps, executor, live, context, action, refused, payeeId);
    return payee;
  };
  await judge(deps.db);
  const now = deps.clock.now();
  await inTransaction(deps.db, async (tx) => {
    const payee = await judge(tx);
    await endPending(tx, contractId, payeeId, 'rejected', { decided_by: me, decided_at: now, decision_reason: reason }, { is: '<>', ref: me });
    await recordAudit(tx, { ...auditBase(deps, live, context, now), action, outcome: 'success', details: { payeeId, reason } });
    await notify(deps, tx, live, context, now, { key: 'payees.mail.rejected', details: detailsOf(payee), registrantRef: payee.created_by, extra: { reason } });
  });
}

/** R8.5: the registrant takes back a payee before it is approved. */
export async function withdrawPayee(deps: Deps, live: LiveSession, payeeId: number, context: RequestContext): Promise<void> {
  const contractId = live.user.contract_id;
  const me = live.user.id;
  const action = 'payee.withdraw';
  const judge = async (executor: Executor) => {
    const rights = await payeeRightsOf(executor, me);
    if (!rights.view) await refuse(deps, executor, live, context, action, 'FORBIDDEN', payeeId);
    const payee = await payeeOf(executor, contractId, payeeId);
    if (!payee) throw new AppError('NOT_FOUND');
    const refused = refusalToWithdraw(factsOf(payee, []), me);
    if (refused) await refuse(deps, executor, live, context, action, refused, payeeId);
    return payee;
  };
  await judge(deps.db);
  const now = deps.clock.now();
  await inTransaction(deps.db, async (tx) => {
    const payee = await judge(tx);
    await endPending(tx, contractId, payeeId, 'withdrawn', { decided_by: me, decided_at: now }, { is: '=', ref: me });
    await recordAudit(tx, { ...auditBase(deps, live, context, now), action, outcome: 'success', details: { payeeId } });
    await notify(deps, tx, live, context, now, { key: 'payees.mail.withdrawn', details: detailsOf(payee), registrantRef: payee.created_by });
  });
}

/** A pending payee ends only while it still waits: one conditional update, whoever comes first. */
async function endPending(
  tx: Tx,
  contractId: string,
  payeeId: number,
  status: 'rejected' | 'withdrawn',
  decision: { decided_by: number; decided_at: Date; decision_reason?: string },
  registrant: { is: '=' | '<>'; ref: number },
): Promise<void> {
  const ended = await tx
    .updateTable('payee')
    .set({ status, ...decision })
    .where('id', '=', payeeId)
    .where('contract_id', '=', contractId)
    .where('status', '=', 'pending')
    .where('created_by', registrant.is, registrant.ref)
    .returning('id')
    .executeTakeFirst();
  if (!ended) throw new AppError('PAYEES_NOT_PENDING');
}
