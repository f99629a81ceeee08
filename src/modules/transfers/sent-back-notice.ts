import type { Deps } from '../../deps.ts';
import type { Tx } from '../../db/transaction.ts';
import type { Transfer } from '../../db/schema-transfers.ts';
import { composeNotice } from '../../mail/compose.ts';
import { enqueueEmail } from '../../outbox/enqueue.ts';
import { formatYen } from '../../domain/money.ts';
import { findBank, findBranch } from '../../domain/bank-directory.ts';
import { ownBank } from '../payees/own-bank.ts';
import type { Actor } from './types.ts';

/**
 * R7.3, R8.5: the creator learns that their transfer was sent back, by whom and why, with the
 * send-back's transaction (house rule 8).
 */
export async function notifySentBack(deps: Deps, tx: Tx, actor: Actor, transfer: Transfer, reason: string, at: Date): Promise<void> {
  const creator = await tx.selectFrom('users').select('email').where('id', '=', transfer.created_by).executeTakeFirst();
  if (!creator?.email) return;
  const own = ownBank(deps, tx);
  const bank = findBank(own, transfer.to_bank_code);
  const branch = await findBranch(own, transfer.to_bank_code, transfer.to_branch_code);
  const notice = composeNotice(deps.config, {
    subject: 'transfers.mail.sentBack.subject',
    lines: [
      {
        key: 'transfers.mail.sentBack',
        params: {
          id: transfer.id.toString(),
          bank: bank?.name ?? transfer.to_bank_code,
          branch: branch?.name ?? transfer.to_branch_code,
          accountType: { message: `transfers.accountType.${transfer.to_account_type}` },
          accountNumber: transfer.to_account_number,
          name: transfer.to_name_kana,
          amount: formatYen(transfer.amount_yen),
          date: { day: transfer.execution_date },
          by: `${actor.user.display_name} (${actor.user.user_id})`,
          reason,
          at: { moment: at },
        },
      },
    ],
  });
  await enqueueEmail(tx, { contractId: transfer.contract_id, recipient: creator.email, ...notice }, at);
}
