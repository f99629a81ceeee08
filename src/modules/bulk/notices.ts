import type { Deps } from '../../deps.ts';
import type { Tx } from '../../db/transaction.ts';
import type { BulkFile } from '../../db/schema-bulk.ts';
import { composeNotice } from '../../mail/compose.ts';
import { formatYen } from '../../domain/money.ts';
import { enqueueEmail } from '../../outbox/enqueue.ts';
import type { Actor } from '../transfers/types.ts';
import { noticesAfterStep } from '../approvals/notices.ts';
import { fileItem } from './item.ts';

/**
 * R7.3, R8.4: what the people of a file are told by email, each in the transaction of the change it
 * reports (house rule 8): its creator when it is sent back, its creator and sender when it is
 * executed (the result, with the records returned) or could not be posted; those who may take its
 * next step, and its creator at its final approval.
 */

async function addressesOf(tx: Tx, userRefs: readonly (number | null)[]): Promise<string[]> {
  const refs = [...new Set(userRefs.filter((ref): ref is number => ref !== null))];
  if (refs.length === 0) return [];
  const rows = await tx.selectFrom('users').select('email').where('id', 'in', refs).where('status', '<>', 'deleted').execute();
  return [...new Set(rows.map((row) => row.email).filter((email): email is string => Boolean(email)))];
}

function fileParams(deps: Deps, file: BulkFile) {
  return {
    id: file.id.toString(),
    kind: { message: `bulk.kind.${file.type_code}` as const },
    count: String(file.record_count),
    total: formatYen(file.total_yen),
    date: { day: file.payment_date },
    url: `${deps.config.publicUrl}/bulk/files/${file.id}`,
  };
}

export async function notifyBulkSentBack(deps: Deps, tx: Tx, actor: Actor, file: BulkFile, reason: string, at: Date): Promise<void> {
  const notice = composeNotice(deps.config, {
    subject: 'bulk.mail.sentBack.subject',
    lines: [{ key: 'bulk.mail.sentBack', params: { ...fileParams(deps, file), by: `${actor.user.display_name} (${actor.user.user_id})`, reason, at: { moment: at } } }],
  });
  for (const recipient of await addressesOf(tx, [file.created_by])) await enqueueEmail(tx, { contractId: file.contract_id, recipient, ...notice }, at);
}

export async function mailBulkResult(deps: Deps, tx: Tx, file: BulkFile, result: { returnedCount: number; returnedYen: bigint }, at: Date): Promise<void> {
  const notice = composeNotice(deps.config, {
    subject: 'bulk.mail.result.subject',
    lines: [
      {
        key: result.returnedCount === 0 ? 'bulk.mail.result.all' : 'bulk.mail.result.returned',
        params: { ...fileParams(deps, file), returned: String(result.returnedCount), returnedTotal: formatYen(result.returnedYen), at: { moment: at } },
      },
    ],
  });
  for (const recipient of await addressesOf(tx, [file.created_by, file.sent_by])) await enqueueEmail(tx, { contractId: file.contract_id, recipient, ...notice }, at);
}

export async function mailBulkFailed(deps: Deps, tx: Tx, file: BulkFile, reason: 'insufficient_funds' | 'source_closed', at: Date): Promise<void> {
  const notice = composeNotice(deps.config, {
    subject: 'bulk.mail.failed.subject',
    lines: [{ key: 'bulk.mail.failed', params: { ...fileParams(deps, file), reason: { message: `bulk.failure.${reason}` as const }, at: { moment: at } } }],
  });
  for (const recipient of await addressesOf(tx, [file.created_by, file.sent_by])) await enqueueEmail(tx, { contractId: file.contract_id, recipient, ...notice }, at);
}

/**
 * R8.5 [承認依頼通知]: after a step, the people who may take the file's next step are asked to, and
 * its creator learns of its final approval, through the one notice module of waiting items.
 */
export function bulkNoticesAfterStep(deps: Deps, tx: Tx, step: string, file: BulkFile, at: Date): Promise<void> {
  return noticesAfterStep(deps, tx, step, file.status, async () => {
    const approvals = await tx.selectFrom('bulk_approval').select('approved_by').where('file_id', '=', file.id).orderBy('step').execute();
    return {
      id: file.id,
      contractId: file.contract_id,
      createdBy: file.created_by,
      accountId: file.from_account_id,
      subject: { kind: 'bulk', item: fileItem(file, approvals.map((a) => a.approved_by)) },
      money: { amountYen: file.total_yen, date: file.payment_date },
    };
  }, at);
}
