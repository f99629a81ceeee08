import type { Transfer } from '../../db/schema-transfers.ts';
import type { Item } from '../../domain/approval.ts';

/** A transfer as the approval rules of domain/approval.ts see it (R8.5): its state, who made and approved it, its amount and date. */
export function itemOf(transfer: Transfer, approvedBy: number[]): Item {
  return {
    status: transfer.status,
    createdBy: transfer.created_by,
    approvalsRequired: transfer.approvals_required,
    approvedBy,
    amountYen: transfer.amount_yen,
    executionDate: transfer.execution_date,
  };
}
