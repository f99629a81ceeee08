import { AppError, type ErrorCode } from '../../errors.ts';
import { normaliseYenText, parseYenInput, type YenInputProblem } from '../../domain/money.ts';
import { isValidDateText } from '../../domain/business-days.ts';
import { accountNumberDigits, isAccountType, isBankCode, isBranchCode, typedAccountNumber } from '../../domain/account-designation.ts';
import { sendBackReasonLengthMax } from '../../domain/approval.ts';
import { formText, sentValue } from '../../web/form-input.ts';
import type { Destination, TransferInput } from './service.ts';

/** R1.5, R2.3: the actor's confirmation password, read one way on every form (web/form-input.ts). */
export { confirmationPasswordField } from '../../web/form-input.ts';

/**
 * Reading the transfer forms. Each field is checked for its shape here (a string of the expected
 * form, in the field's own words when it is not); whether the account, payee, bank, branch, date
 * and amount are allowed is the transfers service's to judge (R8.2).
 */
export const field = {
  fromAccount: 'fromAccountId',
  destination: 'destination',
  payee: 'payeeId',
  bankCode: 'bankCode',
  branchCode: 'branchCode',
  accountType: 'accountType',
  accountNumber: 'accountNumber',
  nameInput: 'name',
  amount: 'amount',
  executionDate: 'executionDate',
  confirmationPassword: 'confirmationPassword',
  idempotencyKey: 'idempotencyKey',
  draft: 'draft',
  reason: 'reason',
  separatePayment: 'separatePayment',
} as const;

/** The text fields of the transfer form, shown again after an error. */
export const transferFormFields: readonly string[] = [
  field.fromAccount,
  field.destination,
  field.payee,
  field.bankCode,
  field.branchCode,
  field.accountType,
  field.accountNumber,
  field.nameInput,
  field.amount,
  field.executionDate,
];

/** The name as typed, before conversion to at most 30 Zengin kana; voiced marks may double it. */
export const nameInputLengthMax = 60;
/** Longer than any grouped ten-digit amount (`9,999,999,999`); longer input is judged without being parsed. */
export const amountTextLengthMax = 20;
/** The database's own pattern for idempotency keys (migration 0004). */
const idempotencyKeyPattern = /^[A-Za-z0-9_-]{16,64}$/;
const idPattern = /^[1-9][0-9]{0,8}$/;

export type DestinationInput = Destination;

/** What the transfer form asks for: everything of a transfer but its idempotency key. */
export type TransferFormInput = Omit<TransferInput, 'idempotencyKey'>;

function text(body: unknown, name: string, code: ErrorCode, maxLength: number): string {
  return formText(body, name, { maxLength, code });
}

function id(body: unknown, name: string, code: ErrorCode): number {
  const raw = text(body, name, code, 10);
  if (!idPattern.test(raw)) throw new AppError(code, { field: name });
  return Number(raw);
}

const amountCodes: Record<YenInputProblem, ErrorCode> = {
  empty: 'TRANSFER_PAGES_AMOUNT_EMPTY',
  not_a_number: 'TRANSFER_PAGES_AMOUNT_NOT_A_NUMBER',
  fraction: 'TRANSFER_PAGES_AMOUNT_FRACTION',
  not_positive: 'TRANSFER_PAGES_AMOUNT_ZERO',
  too_large: 'TRANSFER_PAGES_AMOUNT_TOO_LARGE',
};

/** R8.2: an amount in yen as typed (`1,234,000`, `１２３４０００円`), each problem with its own message. */
export function amountField(body: unknown): bigint {
  const raw = sentValue(body, field.amount);
  if (typeof raw !== 'string') throw new AppError(raw === undefined ? 'TRANSFER_PAGES_AMOUNT_EMPTY' : 'INPUT_INVALID', { field: field.amount });
  const trimmed = normaliseYenText(raw);
  if (trimmed.length > amountTextLengthMax) {
    const code = /^[0-9,]+$/.test(trimmed) ? 'TRANSFER_PAGES_AMOUNT_TOO_LARGE' : 'TRANSFER_PAGES_AMOUNT_NOT_A_NUMBER';
    throw new AppError(code, { field: field.amount });
  }
  const parsed = parseYenInput(trimmed);
  if (parsed.ok) return parsed.yen;
  // parseYenInput has one problem for zero and for a negative amount; the person is told which.
  const code = parsed.problem === 'not_positive' && trimmed.startsWith('-') ? 'TRANSFER_PAGES_AMOUNT_NEGATIVE' : amountCodes[parsed.problem];
  throw new AppError(code, { field: field.amount });
}

/** 'YYYY-MM-DD' as a date input sends it (or with slashes, as people type it). */
export function executionDateField(body: unknown): string {
  const raw = text(body, field.executionDate, 'TRANSFER_PAGES_DATE_INVALID', 10).replaceAll('/', '-');
  if (!isValidDateText(raw)) throw new AppError('TRANSFER_PAGES_DATE_INVALID', { field: field.executionDate });
  return raw;
}

export function accountNumberField(body: unknown): string {
  const raw = text(body, field.accountNumber, 'TRANSFER_PAGES_ACCOUNT_NUMBER_INVALID', accountNumberDigits);
  const accountNumber = typedAccountNumber(raw);
  if (accountNumber === undefined) throw new AppError('TRANSFER_PAGES_ACCOUNT_NUMBER_INVALID', { field: field.accountNumber });
  return accountNumber;
}

function destinationField(body: unknown): DestinationInput {
  const kind = sentValue(body, field.destination);
  if (kind === 'payee') return { payeeId: id(body, field.payee, 'TRANSFER_PAGES_PAYEE_REQUIRED') };
  if (kind !== 'adHoc') throw new AppError('TRANSFER_PAGES_DESTINATION_REQUIRED', { field: field.destination });
  const bankCode = text(body, field.bankCode, 'TRANSFER_PAGES_BANK_CODE_INVALID', 4);
  if (!isBankCode(bankCode)) throw new AppError('TRANSFER_PAGES_BANK_CODE_INVALID', { field: field.bankCode });
  const branchCode = text(body, field.branchCode, 'TRANSFER_PAGES_BRANCH_CODE_INVALID', 3);
  if (!isBranchCode(branchCode)) throw new AppError('TRANSFER_PAGES_BRANCH_CODE_INVALID', { field: field.branchCode });
  const accountType = sentValue(body, field.accountType);
  if (!isAccountType(accountType)) throw new AppError('TRANSFER_PAGES_ACCOUNT_TYPE_INVALID', { field: field.accountType });
  const accountNumber = accountNumberField(body);
  const nameInput = text(body, field.nameInput, 'TRANSFER_PAGES_NAME_REQUIRED', nameInputLengthMax);
  return { adHoc: { bankCode, branchCode, accountType, accountNumber, nameInput } };
}

/** The whole transfer form, field by field in the order the page shows them. */
export function transferFormInput(body: unknown): TransferFormInput {
  const fromAccountId = id(body, field.fromAccount, 'TRANSFER_PAGES_ACCOUNT_REQUIRED');
  const destination = destinationField(body);
  const amountYen = amountField(body);
  const executionDate = executionDateField(body);
  return { fromAccountId, destination, amountYen, executionDate };
}

/** R8.6: the key a money-moving form was rendered with; a retry of the same form carries the same one. */
export function idempotencyKeyField(body: unknown): string {
  const raw = sentValue(body, field.idempotencyKey);
  if (typeof raw !== 'string' || !idempotencyKeyPattern.test(raw)) throw new AppError('TRANSFER_PAGES_KEY_INVALID', { field: field.idempotencyKey });
  return raw;
}

export function isIdempotencyKey(raw: unknown): raw is string {
  return typeof raw === 'string' && idempotencyKeyPattern.test(raw);
}

/** R8.5: a send-back reason, shown to the creator and kept with the transfer. */
export function reasonField(body: unknown): string {
  return text(body, field.reason, 'TRANSFER_PAGES_REASON_INVALID', sendBackReasonLengthMax);
}

/** The transfer a page is about: a positive int8 in the path, or nothing there (NOT_FOUND). */
export function transferIdParam(params: unknown): bigint {
  const raw = sentValue(params, 'id');
  if (typeof raw !== 'string' || !/^[1-9][0-9]{0,17}$/.test(raw)) throw new AppError('NOT_FOUND');
  return BigInt(raw);
}
