/**
 * Payees [振込先] (R8.2) under the contract's approval setting (R8.5): register, change, delete,
 * approve, send back (reject), withdraw, and what the pages read. Each change goes through runCommand
 * (src/command/pipeline.ts): judged before the confirmation password is asked (refused input costs
 * no attempt) and again inside the transaction that makes it, records it in the audit trail and mails
 * it (house rule 8); its rules are those of src/domain/approval.ts. Each lives in a file of its own;
 * this is the area's one entry.
 */
export { activePayee, activePayees, payeesAwaitingApproval, payeeRights, payeeList, payeePage, type ListFilter, type PayeePage } from './queries.ts';
export { admitPayeeForm, type PayeeAuditAction } from './judgement.ts';
export { reviewEntry } from './review.ts';
export { registerPayee, type RegisterOutcome } from './register.ts';
export { changePayee, type ChangeOutcome } from './change.ts';
export { deletePayee } from './delete.ts';
export { approvePayee, type ApproveOutcome } from './approve.ts';
export { rejectPayee } from './reject.ts';
export { withdrawPayee } from './withdraw.ts';
export { detailsOf } from './details.ts';
