import type { Deps } from '../../deps.ts';
import type { Executor } from '../../db/transaction.ts';
import type { Payee, PayeeStatus } from '../../db/schema-payees.ts';
import { AppError } from '../../errors.ts';
import type { LiveSession } from '../../access/sessions.ts';
import { refusalToApprovePayee, refusalToSendBackPayee, refusalToWithdrawPayee } from '../../domain/approval.ts';
import { itemOf } from './judgement.ts';
import { approvalsOf, payeeOf, payeeRightsOf, payeesOf, pendingChangeOf, userLabel, type ApprovalRow, type PayeeListRow } from './repository.ts';
import { refusalToChange, refusalToDelete, type PayeeRefusal, type PayeeRights } from './rules.ts';

/** What the payee pages and the transfer form read (R8.2, R8.5). */

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

/** The session's person's rights on payees; without the transfer business the pages are not theirs. */
export async function payeeRights(deps: Deps, live: LiveSession): Promise<PayeeRights> {
  const rights = await payeeRightsOf(deps.db, live.user.id);
  if (!rights.view) throw new AppError('FORBIDDEN');
  return rights;
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

/** One payee of the contract (any other id does not exist here), with what the person may do to it. */
export async function payeePage(deps: Deps, live: LiveSession, payeeId: number): Promise<PayeePage> {
  const rights = await payeeRights(deps, live);
  const contractId = live.user.contract_id;
  const payee = await payeeOf(deps.db, contractId, payeeId);
  if (!payee) throw new AppError('NOT_FOUND');
  const approvals = await approvalsOf(deps.db, payee.id);
  const pendingChange = payee.status === 'active' ? await pendingChangeOf(deps.db, contractId, payee.id) : undefined;
  const replaces = payee.replaces_payee_id === null ? undefined : await payeeOf(deps.db, contractId, payee.replaces_payee_id);
  const item = itemOf(payee, approvals);
  const approver = { ref: live.user.id, canApprove: rights.approve };
  return {
    rights,
    payee,
    registrant: await userLabel(deps.db, payee.created_by),
    approvals,
    replaces,
    pendingChange,
    refused: {
      approve: refusalToApprovePayee(approver, item),
      reject: refusalToSendBackPayee(approver, item),
      withdraw: refusalToWithdrawPayee(approver, item),
      change: refusalToChange(rights, item, pendingChange !== undefined),
      delete: refusalToDelete(rights, item),
    },
  };
}
