import { AppError, type ErrorCode } from '../../errors.ts';

/** The form fields a transfer refusal can point at (the pages show the message next to it). */
export type TransferField =
  | 'fromAccountId'
  | 'payeeId'
  | 'bankCode'
  | 'branchCode'
  | 'accountType'
  | 'accountNumber'
  | 'name'
  | 'amount'
  | 'executionDate'
  | 'reason'
  | 'otp'
  | 'separatePayment';

/**
 * An expected refusal of a transfer step (house rule 11), with the values its message names (the
 * holiday, the character that has no Zengin form, the days ahead): pages pass `params` to the
 * translator with the message key.
 */
export class TransferRefusal extends AppError {
  constructor(code: ErrorCode, field?: TransferField, params: Record<string, string> = {}) {
    super(code, { field, params });
  }
}

export function refuse(code: ErrorCode, field?: TransferField, params?: Record<string, string>): never {
  throw new TransferRefusal(code, field, params);
}
