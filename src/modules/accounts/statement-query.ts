import { AppError } from '../../errors.ts';
import { addDays, isValidDateText } from '../../domain/business-days.ts';
import { dayMs } from '../../domain/tokyo-time.ts';
import { sentText, sentValue } from '../../web/form-input.ts';

/**
 * R8.1: the period and page of a statement, read from the query of the statement page and of its
 * CSV download. Dates are whole days in Tokyo ('YYYY-MM-DD', both included). Every refusal names
 * the field it is about, so the page can show the message next to it.
 */

/** Without a period asked for, the statement shows the last 30 days, today included. */
export const statementDefaultDays = 30;
/** The longest period one inquiry covers (a leap year's days), both ends included. */
export const statementRangeDaysMax = 366;
export const statementRowsPerPage = 50;
/** A page number beyond any statement the period limit allows; longer text is refused unread. */
const pageDigitsMax = 6;

export type CsvEncoding = 'utf-8' | 'shift_jis';
export const csvEncodings: readonly CsvEncoding[] = ['utf-8', 'shift_jis'];

export interface StatementPeriod {
  from: string;
  to: string;
}

export interface StatementQuery extends StatementPeriod {
  page: number;
}

/** What was asked for, as text, so a refused query can be shown again in its form. */
export interface AskedPeriod {
  from: string;
  to: string;
}

function text(query: unknown, name: string): string | undefined {
  const value = sentValue(query, name);
  if (value === undefined) return undefined;
  // A field given twice (?from=a&from=b) is not a date.
  if (typeof value !== 'string') throw new AppError(name === 'page' ? 'ACCOUNTS_PAGE_INVALID' : 'ACCOUNTS_DATE_INVALID', { field: name });
  return value.trim() === '' ? undefined : value.trim();
}

export function askedPeriod(query: unknown): AskedPeriod {
  const shown = (name: string) => sentText(query, name)?.slice(0, 20) ?? '';
  return { from: shown('from'), to: shown('to') };
}

/** Days from `from` to `to`, both included. */
function daysIncluded(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / dayMs) + 1;
}

/**
 * The period of a query. A missing end is today; a missing start is the default length before the
 * end. Refused: a date that is not a real day, a day after today (nothing is known of it yet), a
 * start after the end, and a period longer than the maximum.
 */
export function parsePeriod(query: unknown, today: string): StatementPeriod {
  const fromText = text(query, 'from');
  const toText = text(query, 'to');
  for (const [name, value] of [['from', fromText], ['to', toText]] as const) {
    if (value !== undefined && !isValidDateText(value)) throw new AppError('ACCOUNTS_DATE_INVALID', { field: name });
  }
  for (const [name, value] of [['from', fromText], ['to', toText]] as const) {
    if (value !== undefined && value > today) throw new AppError('ACCOUNTS_DATE_FUTURE', { field: name });
  }
  const to = toText ?? today;
  const from = fromText ?? addDays(to, 1 - statementDefaultDays);
  if (from > to) throw new AppError('ACCOUNTS_RANGE_ORDER', { field: 'from' });
  if (daysIncluded(from, to) > statementRangeDaysMax) throw new AppError('ACCOUNTS_RANGE_TOO_LONG', { field: 'from' });
  return { from, to };
}

/** The page asked for: a whole number from 1; beyond the last page is judged once the rows are counted. */
export function parsePage(query: unknown): number {
  const value = text(query, 'page');
  if (value === undefined) return 1;
  if (!new RegExp(`^[1-9][0-9]{0,${pageDigitsMax - 1}}$`).test(value)) throw new AppError('ACCOUNTS_PAGE_INVALID', { field: 'page' });
  return Number(value);
}

export function parseStatementQuery(query: unknown, today: string): StatementQuery {
  return { ...parsePeriod(query, today), page: parsePage(query) };
}

/** ?encoding= of a download: UTF-8 (the default, with a byte order mark for Excel) or Shift_JIS. */
export function parseEncoding(query: unknown): CsvEncoding {
  const value = sentValue(query, 'encoding');
  if (value === undefined || value === '') return 'utf-8';
  const asked = typeof value === 'string' ? csvEncodings.find((encoding) => encoding === value.toLowerCase()) : undefined;
  if (asked) return asked;
  throw new AppError('ACCOUNTS_ENCODING_INVALID', { field: 'encoding' });
}

export function pageCount(rows: number): number {
  return Math.max(1, Math.ceil(rows / statementRowsPerPage));
}
