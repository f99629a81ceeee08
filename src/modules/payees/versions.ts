import type { Tx } from '../../db/transaction.ts';
import { AppError } from '../../errors.ts';
import { approvalsRequiredByMode, payeeStatusAtRegistration } from '../../domain/approval.ts';
import { detailColumns } from './details.ts';
import type { PayeeEntry } from './form-input.ts';

/**
 * The writes of payee rows (decision 0012) and the contract's setting they are written under: a
 * registration, or a change as a new version of the payee it replaces; the old version giving way; a
 * deletion; a pending one ending. Each change of status is one conditional statement, so whoever
 * comes second finds the row no longer as they judged it (house rule 4).
 */

/**
 * R8.5: the contract's row, locked before a registration or change is judged again: one at a time
 * per contract, so the duplicate check holds, and the approval setting stays as read. FOR NO KEY
 * UPDATE: rows referring to the contract (a transfer, an audit record) are still inserted meanwhile,
 * so this lock never waits on theirs in a cycle.
 */
export async function lockContract(tx: Tx, contractId: string): Promise<void> {
  await tx.selectFrom('contract').select('id').where('id', '=', contractId).forNoKeyUpdate().executeTakeFirstOrThrow();
}

/** R8.5: the approvals the contract's setting asks for now; read under the contract's lock. */
export async function approvalsRequiredNow(tx: Tx, contractId: string): Promise<number> {
  const contract = await tx.selectFrom('contract').select('approval_mode').where('id', '=', contractId).executeTakeFirstOrThrow();
  return approvalsRequiredByMode[contract.approval_mode];
}

/** A registration, or a change as a new version of the payee it replaces; active at once when no approval is needed. */
export async function insertPayeeVersion(
  tx: Tx,
  input: { contractId: string; entry: PayeeEntry; createdBy: number; now: Date; approvalsRequired: number; replaces: number | null },
): Promise<{ id: number; status: 'active' | 'pending' }> {
  const status = payeeStatusAtRegistration(input.approvalsRequired);
  const created = await tx
    .insertInto('payee')
    .values({
      contract_id: input.contractId,
      ...detailColumns(input.entry),
      status,
      created_by: input.createdBy,
      created_at: input.now,
      replaces_payee_id: input.replaces,
      approvals_required: input.approvalsRequired,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { id: created.id, status };
}

/** The old version gives way to its approved change; it must still be active (R8.5). */
export async function replaceVersion(tx: Tx, contractId: string, oldId: number): Promise<void> {
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

/**
 * R8.2: an active payee ends as deleted, and a change of it still waiting as withdrawn; returns the
 * changes withdrawn. The payee must still be active.
 */
export async function deleteActive(tx: Tx, contractId: string, payeeId: number, decision: { decided_by: number; decided_at: Date }): Promise<number[]> {
  const decide = (status: 'withdrawn' | 'deleted') => tx.updateTable('payee').set({ status, ...decision }).where('contract_id', '=', contractId);
  const withdrawn = await decide('withdrawn').where('replaces_payee_id', '=', payeeId).where('status', '=', 'pending').returning('id').execute();
  const deleted = await decide('deleted').where('id', '=', payeeId).where('status', '=', 'active').returning('id').executeTakeFirst();
  if (!deleted) throw new AppError('PAYEES_NOT_ACTIVE');
  return withdrawn.map((row) => row.id);
}

/** A pending payee ends only while it still waits: one conditional update, whoever comes first. */
export async function endPending(
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
