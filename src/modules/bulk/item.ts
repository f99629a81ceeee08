import type { BulkFile } from '../../db/schema-bulk.ts';
import type { Item, ItemStatus } from '../../domain/approval.ts';

/** The statuses the approval rules know; a draft or a posted file waits for none of their steps. */
function itemStatus(status: BulkFile['status']): ItemStatus {
  if (status === 'draft' || status === 'discarded') return 'withdrawn';
  if (status === 'posted') return 'scheduled';
  return status;
}

/** R8.5: a file as the approval rules of src/domain/approval.ts see an item, with who approved it in step order. */
export function fileItem(file: BulkFile, approvedBy: readonly number[]): Item {
  return {
    createdBy: file.created_by,
    approvedBy,
    status: itemStatus(file.status),
    approvalsRequired: file.approvals_required ?? 0,
    amountYen: file.total_yen,
    executionDate: file.payment_date,
  };
}
