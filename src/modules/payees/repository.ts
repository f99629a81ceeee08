import type { Executor, Tx } from '../../db/transaction.ts';
import type { Payee, PayeeStatus } from '../../db/schema-payees.ts';
import type { PayeeRights } from './rules.ts';
import type { PayeeDetails } from './form-input.ts';

/** Reading and writing payee rows, always within one contract. */

/** R1.4: a person's steps of the transfer business, read afresh (they may have changed since logon). */
export async function payeeRightsOf(executor: Executor, userRef: number): Promise<PayeeRights> {
  const grant = await executor
    .selectFrom('user_permission')
    .select(['can_register', 'can_approve'])
    .where('user_ref', '=', userRef)
    .where('business', '=', 'transfer')
    .executeTakeFirst();
  return { view: grant !== undefined, register: grant?.can_register === true, approve: grant?.can_approve === true };
}

export function payeeOf(executor: Executor, contractId: string, payeeId: number): Promise<Payee | undefined> {
  return executor.selectFrom('payee').selectAll().where('id', '=', payeeId).where('contract_id', '=', contractId).executeTakeFirst();
}

/** FOR NO KEY UPDATE: a transfer referring to the payee is still inserted meanwhile (its key share is compatible). */
export function lockPayee(tx: Tx, contractId: string, payeeId: number): Promise<Payee | undefined> {
  return tx.selectFrom('payee').selectAll().where('id', '=', payeeId).where('contract_id', '=', contractId).forNoKeyUpdate().executeTakeFirst();
}

export interface PayeeListRow extends Payee {
  registrant_user_id: string;
}

export function payeesOf(executor: Executor, contractId: string, statuses: readonly PayeeStatus[]): Promise<PayeeListRow[]> {
  return executor
    .selectFrom('payee')
    .innerJoin('users', 'users.id', 'payee.created_by')
    .selectAll('payee')
    .select('users.user_id as registrant_user_id')
    .where('payee.contract_id', '=', contractId)
    .where('payee.status', 'in', [...statuses])
    .orderBy('payee.name_kana')
    .orderBy('payee.id')
    .execute();
}

export interface ApprovalRow {
  approved_by: number;
  user_id: string;
  display_name: string;
  approved_at: Date;
}

export function approvalsOf(executor: Executor, payeeId: number): Promise<ApprovalRow[]> {
  return executor
    .selectFrom('payee_approval')
    .innerJoin('users', 'users.id', 'payee_approval.approved_by')
    .select(['payee_approval.approved_by', 'users.user_id', 'users.display_name', 'payee_approval.approved_at'])
    .where('payee_approval.payee_id', '=', payeeId)
    .orderBy('payee_approval.approved_at')
    .execute();
}

/** The pending change of an active payee, if one waits. */
export function pendingChangeOf(executor: Executor, contractId: string, payeeId: number): Promise<Payee | undefined> {
  return executor
    .selectFrom('payee')
    .selectAll()
    .where('contract_id', '=', contractId)
    .where('replaces_payee_id', '=', payeeId)
    .where('status', '=', 'pending')
    .executeTakeFirst();
}

/** Another active or pending payee of the contract with the same account (not the one being changed). */
export async function sameAccountRegistered(executor: Executor, contractId: string, details: PayeeDetails, except?: number): Promise<boolean> {
  let query = executor
    .selectFrom('payee')
    .select('id')
    .where('contract_id', '=', contractId)
    .where('bank_code', '=', details.bankCode)
    .where('branch_code', '=', details.branchCode)
    .where('account_type', '=', details.accountType)
    .where('account_number', '=', details.accountNumber)
    .where('status', 'in', ['active', 'pending']);
  if (except !== undefined) query = query.where('id', '<>', except).where((eb) => eb.or([eb('replaces_payee_id', 'is', null), eb('replaces_payee_id', '<>', except)]));
  return (await query.executeTakeFirst()) !== undefined;
}

export async function userLabel(executor: Executor, userRef: number): Promise<{ user_id: string; email: string | null }> {
  return executor.selectFrom('users').select(['user_id', 'email']).where('id', '=', userRef).executeTakeFirstOrThrow();
}
