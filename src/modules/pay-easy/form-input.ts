import { AppError, type ErrorCode } from '../../errors.ts';
import { formText, sentValue } from '../../web/form-input.ts';
import type { BillQuery, Biller } from './collector/collector.ts';

/**
 * Reading the Pay-easy forms (R8.3). The numbers are typed from a bill, where they are often printed
 * in groups: spaces and hyphens between the digits are dropped; anything else that is not a
 * half-width digit is refused with the field's own message.
 */
export const field = {
  billerNumber: 'billerNumber',
  number: 'number',
  confirmationNumber: 'confirmationNumber',
  paymentClass: 'paymentClass',
  fromAccount: 'fromAccountId',
  draft: 'draft',
  idempotencyKey: 'idempotencyKey',
  confirmationPassword: 'confirmationPassword',
  otp: 'otp',
} as const;

/** The text fields of the bill form, shown again after an error. */
export const billFormFields: readonly string[] = [field.number, field.confirmationNumber, field.paymentClass, field.fromAccount];

/** R8.3, Pay-easy's own widths: 収納機関番号 5, お客様番号 up to 20, 納付番号 up to 16, 確認番号 up to 6, 納付区分 up to 6 digits. */
export const billerNumberDigits = 5;
export const customerNumberDigitsMax = 20;
export const paymentNumberDigitsMax = 16;
export const confirmationNumberDigitsMax = 6;
export const paymentClassDigitsMax = 6;
/** Room for the separators a bill prints between groups of digits. */
const typedLengthMax = 40;

function digits(body: unknown, name: string, code: ErrorCode, widthMax: number, widthMin = 1): string {
  const raw = formText(body, name, { maxLength: typedLengthMax, code }).replace(/[\s-]/g, '');
  if (raw.length < widthMin || raw.length > widthMax || !/^[0-9]+$/.test(raw)) throw new AppError(code, { field: name });
  return raw;
}

/** 収納機関番号: five half-width digits. */
export function billerNumberField(body: unknown): string {
  return digits(body, field.billerNumber, 'PAY_EASY_BILLER_NUMBER_INVALID', billerNumberDigits, billerNumberDigits);
}

/** The biller named in a page's address (the bill form is per biller). */
export function billerNumberParam(query: unknown): string | undefined {
  const raw = sentValue(query, field.billerNumber);
  return typeof raw === 'string' && /^[0-9]{5}$/.test(raw) ? raw : undefined;
}

/** The numbers of a bill, by the biller's kind, and the account to pay from. */
export function billFormInput(body: unknown, biller: Biller): { query: BillQuery; fromAccountId: number } {
  const isPrivate = biller.kind === 'private';
  const number = isPrivate
    ? digits(body, field.number, 'PAY_EASY_CUSTOMER_NUMBER_INVALID', customerNumberDigitsMax)
    : digits(body, field.number, 'PAY_EASY_PAYMENT_NUMBER_INVALID', paymentNumberDigitsMax);
  const confirmationNumber = digits(body, field.confirmationNumber, 'PAY_EASY_CONFIRMATION_NUMBER_INVALID', confirmationNumberDigitsMax);
  const paymentClass = isPrivate ? '' : digits(body, field.paymentClass, 'PAY_EASY_PAYMENT_CLASS_INVALID', paymentClassDigitsMax);
  const account = sentValue(body, field.fromAccount);
  if (typeof account !== 'string' || !/^[1-9][0-9]{0,8}$/.test(account)) throw new AppError('PAY_EASY_ACCOUNT_REQUIRED', { field: field.fromAccount });
  return { query: { billerNumber: biller.number, number, confirmationNumber, paymentClass }, fromAccountId: Number(account) };
}

/** R8.6: the key the confirmation page was rendered with; a retry of the same form carries the same one. */
export function idempotencyKeyField(body: unknown): string {
  const raw = sentValue(body, field.idempotencyKey);
  if (typeof raw !== 'string' || !/^[A-Za-z0-9_-]{16,64}$/.test(raw)) throw new AppError('PAY_EASY_KEY_INVALID', { field: field.idempotencyKey });
  return raw;
}

export function isIdempotencyKey(raw: unknown): raw is string {
  return typeof raw === 'string' && /^[A-Za-z0-9_-]{16,64}$/.test(raw);
}

/** A payment named in a page's path: a positive int8, or nothing there. */
export function paymentIdParam(params: unknown): bigint {
  const raw = sentValue(params, 'id');
  if (typeof raw !== 'string' || !/^[1-9][0-9]{0,17}$/.test(raw)) throw new AppError('NOT_FOUND');
  return BigInt(raw);
}
