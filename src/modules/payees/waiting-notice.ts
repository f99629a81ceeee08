import type { Deps } from '../../deps.ts';
import type { Tx } from '../../db/transaction.ts';
import { notifyWaiting } from '../approvals/notices.ts';

/**
 * R8.5 [承認依頼通知]: a payee registration or change that (still) waits for an approval asks the
 * approvers who may give it, in the transaction of the step (house rule 8). Its registrant is told of
 * each step by ./notice.ts.
 */
export async function notifyIfPayeeWaits(deps: Deps, tx: Tx, payeeId: number, at: Date): Promise<void> {
  const payee = await tx.selectFrom('payee').select(['id', 'contract_id', 'created_by', 'status']).where('id', '=', payeeId).executeTakeFirst();
  if (payee?.status !== 'pending') return;
  const approvals = await tx.selectFrom('payee_approval').select('approved_by').where('payee_id', '=', payeeId).orderBy('approved_at').execute();
  await notifyWaiting(
    deps,
    tx,
    { id: payee.id, contractId: payee.contract_id, createdBy: payee.created_by, subject: { kind: 'payee', item: { createdBy: payee.created_by, approvedBy: approvals.map((a) => a.approved_by), status: 'pending' } } },
    at,
  );
}
