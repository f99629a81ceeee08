import Encoding from 'encoding-japanese';
import { toCsv, type CsvField } from '../../audit/csv.ts';
import type { Translate } from '../../web/i18n/index.ts';
import type { AccountBalance, StatementLine } from './repository.ts';
import type { CsvEncoding, StatementPeriod } from './statement-query.ts';

/**
 * R8.1: a statement as a CSV file for a spreadsheet or an accounting program. RFC 4180 (CRLF, quoted
 * where needed) through audit/csv.ts, which also neutralises a text a spreadsheet would run as a
 * formula (= + - @ …) with a leading apostrophe: a description [摘要] can carry a name someone else
 * typed (a payer's, a payee's). Amounts are plain digits, without grouping, for programs to read;
 * dates stay 'YYYY-MM-DD', not the pages' weekday form. The transfer number, as on the statement
 * page, is the last column, so that a program reading the columns by position finds the others
 * where they were.
 */
const byteOrderMark = '\uFEFF';

export function statementCsvText(t: Translate, lines: readonly StatementLine[]): string {
  const header: CsvField[] = [
    t('accounts.col.date'),
    t('accounts.col.description'),
    t('accounts.col.withdrawal'),
    t('accounts.col.deposit'),
    t('accounts.col.balance'),
    t('accounts.col.transferNumber'),
  ];
  const rows = lines.map((line): CsvField[] => [
    line.valueDate,
    line.description,
    line.amountYen < 0n ? (-line.amountYen).toString() : null,
    line.amountYen > 0n ? line.amountYen.toString() : null,
    line.balanceAfterYen.toString(),
    line.transferId === null ? null : line.transferId.toString(),
  ]);
  return toCsv([header, ...rows]);
}

/**
 * The file's bytes. UTF-8 starts with a byte order mark, without which Excel reads Japanese as
 * mojibake; Shift_JIS (Windows' code page 932) is what older accounting programs take. The Zengin
 * yen sign (U+00A5) is Shift_JIS byte 0x5C, which Japanese Windows shows as ¥; any other character
 * Shift_JIS cannot hold becomes '?'.
 */
export function encodeCsv(text: string, encoding: CsvEncoding): Buffer {
  if (encoding === 'utf-8') return Buffer.from(byteOrderMark + text, 'utf8');
  const codes = Encoding.stringToCode(text.replaceAll('\u00A5', '\\'));
  return Buffer.from(Encoding.convert(codes, { to: 'SJIS', from: 'UNICODE', type: 'array' }));
}

export function csvContentType(encoding: CsvEncoding): string {
  return encoding === 'utf-8' ? 'text/csv; charset=utf-8' : 'text/csv; charset=Shift_JIS';
}

/**
 * The download's file name, made only of digits, letters and hyphens from values the inquiry has
 * already checked, so the Content-Disposition header needs no escaping.
 */
export function statementFileName(account: AccountBalance, period: StatementPeriod): string {
  const compact = (date: string) => date.replaceAll('-', '');
  const name = `statement-${account.branchCode}-${account.accountNumber}-${compact(period.from)}-${compact(period.to)}.csv`;
  return name.replace(/[^A-Za-z0-9.-]/g, '');
}
