import { AppError, type ErrorCode } from '../../errors.ts';
import type { StepRefusal } from '../../domain/approval.ts';

/** An expected refusal of a bulk file's step (house rule 11), pointing at a form field when it concerns one. */
export function refuse(code: ErrorCode, field?: string, params?: Record<string, string>): never {
  throw new AppError(code, { field, ...(params ? { params } : {}) });
}

/** The approval rules speak of transfers (src/domain/approval.ts); a file's pages name the same refusals as a file's. */
export const bulkRefusalOf: Record<StepRefusal, ErrorCode> = {
  TRANSFER_NOT_PERMITTED: 'BULK_NOT_PERMITTED',
  TRANSFER_ACCOUNT_NOT_USABLE: 'BULK_ACCOUNT_NOT_USABLE',
  TRANSFER_STATE_CONFLICT: 'BULK_STATE_CONFLICT',
  TRANSFER_OWN_ITEM: 'BULK_OWN_ITEM',
  TRANSFER_STEP_TAKEN: 'BULK_STEP_TAKEN',
  TRANSFER_PER_TRANSACTION_LIMIT: 'BULK_PER_FILE_LIMIT',
  TRANSFER_EXPIRED: 'BULK_TOO_LATE',
};

export function refuseStep(refusal: StepRefusal | undefined): void {
  if (refusal) refuse(bulkRefusalOf[refusal]);
}
