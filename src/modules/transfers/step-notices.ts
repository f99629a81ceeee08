import type { Deps } from '../../deps.ts';
import type { Tx } from '../../db/transaction.ts';
import type { Transfer } from '../../db/schema-transfers.ts';
import { noticesAfterStep } from '../approvals/notices.ts';
import { itemOf } from './item.ts';

/**
 * R7.3, R8.5 [承認依頼通知]: after a step, in its transaction (house rule 8), the people who may take
 * the transfer's next step are asked to, and the registrant learns of its final approval. A send
 * back mails its own notice (./sent-back-notice.ts) and the result of the execution is mailed by the
 * ledger (modules/ledger/result-email.ts).
 */
export function transferNoticesAfterStep(deps: Deps, tx: Tx, step: string, transfer: Transfer, at: Date): Promise<void> {
  return noticesAfterStep(deps, tx, step, transfer.status, async () => {
    const approvals = await tx.selectFrom('transfer_approval').select('approved_by').where('transfer_id', '=', transfer.id).orderBy('step').execute();
    return {
      id: transfer.id,
      contractId: transfer.contract_id,
      createdBy: transfer.created_by,
      accountId: transfer.from_account_id,
      subject: { kind: 'transfer', item: itemOf(transfer, approvals.map((a) => a.approved_by)) },
      money: { amountYen: transfer.amount_yen, date: transfer.execution_date },
    };
  }, at);
}
