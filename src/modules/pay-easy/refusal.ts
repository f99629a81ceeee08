import { AppError, type ErrorCode } from '../../errors.ts';

/** The form fields a payment refusal can point at (the pages show the message next to it). */
export type PayEasyField =
  | 'billerNumber'
  | 'number'
  | 'confirmationNumber'
  | 'paymentClass'
  | 'fromAccountId'
  | 'draft'
  | 'idempotencyKey'
  | 'otp';

/** An expected refusal of a payment (house rule 11). */
export function refuse(code: ErrorCode, field?: PayEasyField): never {
  throw new AppError(code, { field });
}
