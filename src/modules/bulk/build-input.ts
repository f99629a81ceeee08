import type { BulkTypeCode } from '../../db/schema-bulk.ts';
import { AppError } from '../../errors.ts';
import { addDays, isValidDateText } from '../../domain/business-days.ts';
import { bulkPaymentDaysAheadMax, isSalaryType } from '../../domain/bulk-schedule.ts';
import { typeCodes } from '../../domain/zengin/fields.ts';
import { formChoice, formText, sentValue } from '../../web/form-input.ts';
import { isRowId } from '../transfers/holder.ts';
import { parseAmountYen, parseEmployeeNumber } from './build.ts';
import { refuse } from './refusal.ts';

/**
 * R8.4: the build form as sent — the kind, the paying account, the payment date, and per payee an
 * amount (blank: not paid) and for salaries an employee number — read without trusting its shape.
 * A payee is named by its ID in the field's name (`amount-<id>`), so a line is one field.
 */
export const buildField = {
  kind: 'kind',
  fromAccountId: 'fromAccountId',
  paymentDate: 'paymentDate',
  templateName: 'templateName',
  action: 'do',
} as const;

export const buildActions = ['make', 'download', 'save'] as const;
export type BuildAction = (typeof buildActions)[number];

export const templateNameLengthMax = 40;

export function amountField(payeeId: number): string {
  return `amount-${payeeId}`;
}

export function employeeField(payeeId: number): string {
  return `employee-${payeeId}`;
}

const lineFieldPattern = /^(amount|employee)-(.*)$/;

export interface BuildFormLine {
  payeeId: number;
  amountYen: bigint;
  employeeNumber: string;
}

export interface BuildForm {
  typeCode: BulkTypeCode;
  fromAccountId: number;
  lines: BuildFormLine[];
}

function ownNames(body: unknown): string[] {
  return body !== null && typeof body === 'object' ? Object.keys(body) : [];
}

function payeeIdOf(text: string): number {
  const id = /^[1-9][0-9]{0,9}$/.test(text) ? Number(text) : NaN;
  // A field no page of this contract offers: a payee that was never one of its own, or a tampered form.
  if (!isRowId(id)) refuse('BULK_BUILD_PAYEE_UNUSABLE');
  return id;
}

/** The kind, the account and the lines paid (the date is read apart: a template keeps none). */
export function readBuildForm(body: unknown): BuildForm {
  const typeCode = formChoice(body, buildField.kind, typeCodes);
  const account = sentValue(body, buildField.fromAccountId);
  const fromAccountId = typeof account === 'string' && /^[1-9][0-9]{0,9}$/.test(account) ? Number(account) : NaN;
  if (!isRowId(fromAccountId)) refuse('BULK_ACCOUNT_NOT_USABLE', buildField.fromAccountId);
  const lines: BuildFormLine[] = [];
  for (const name of ownNames(body)) {
    const match = lineFieldPattern.exec(name);
    if (!match || match[1] !== 'amount') continue;
    const payeeId = payeeIdOf(match[2]!);
    const typed = sentValue(body, name);
    if (typeof typed !== 'string') refuse('BULK_BUILD_AMOUNT_INVALID', name);
    const amountYen = parseAmountYen(typed);
    if (amountYen === null) refuse('BULK_BUILD_AMOUNT_INVALID', name);
    if (amountYen === undefined) continue;
    let employeeNumber = '';
    if (isSalaryType(typeCode)) {
      const sent = sentValue(body, employeeField(payeeId)) ?? '';
      const number = typeof sent === 'string' ? parseEmployeeNumber(sent) : null;
      if (number === null) refuse('INPUT_INVALID', employeeField(payeeId));
      employeeNumber = number;
    }
    lines.push({ payeeId, amountYen, employeeNumber });
  }
  if (lines.length === 0) refuse('BULK_BUILD_EMPTY');
  return { typeCode, fromAccountId, lines };
}

/**
 * 振込指定日 as the date input sends it. The header holds MMDD only, which the upload reads as the
 * next such day: a past date would become next year's, so only today up to the furthest date a
 * file may pay on is taken. Whether the day is a business day and still open is the file check's.
 */
export function readPaymentDate(body: unknown, today: string): string {
  const sent = sentValue(body, buildField.paymentDate);
  const date = typeof sent === 'string' ? sent.normalize('NFKC').trim() : '';
  if (!isValidDateText(date) || date < today || date > addDays(today, bulkPaymentDaysAheadMax)) refuse('BULK_BUILD_DATE_INVALID', buildField.paymentDate);
  return date;
}

/** A template's name: 1 to 40 characters (as the database counts them), no control characters. */
export function readTemplateName(body: unknown): string {
  const name = formText(body, buildField.templateName, { maxLength: templateNameLengthMax * 2, code: 'BULK_TEMPLATE_NAME_INVALID' });
  if ([...name].length > templateNameLengthMax) throw new AppError('BULK_TEMPLATE_NAME_INVALID', { field: buildField.templateName });
  return name;
}

/** What the page shows again after a refusal: every text field of the form, as typed. */
export function typedValues(body: unknown): Record<string, string> {
  const values: Record<string, string> = {};
  const names = [buildField.kind, buildField.fromAccountId, buildField.paymentDate, buildField.templateName, ...ownNames(body).filter((name) => lineFieldPattern.test(name))];
  for (const name of names) {
    const value = sentValue(body, name);
    if (typeof value === 'string') values[name] = value.slice(0, 100);
  }
  return values;
}
