import { AppError } from '../../errors.ts';
import type { TransferStatus } from '../../db/schema-transfers.ts';
import { sentValue } from '../../web/form-input.ts';
import { isBankCode, isBranchCode } from '../../domain/account-designation.ts';
import { field } from './form-input.ts';

/** What the transfer pages read from an address (a query string) or a form body besides the form's own fields. */

export const transferStatuses: readonly TransferStatus[] = ['awaiting_approval', 'awaiting_send', 'scheduled', 'completed', 'failed', 'withdrawn', 'sent_back'];

/** The list's status filter and page: one valid value each, or left out; anything else is refused. */
export function listFilter(query: unknown): { status: TransferStatus | undefined; page: number } {
  const status = sentValue(query, 'status') ?? '';
  const page = sentValue(query, 'page') ?? '1';
  if (typeof status !== 'string' || (status !== '' && !(transferStatuses as readonly string[]).includes(status))) {
    throw new AppError('TRANSFER_PAGES_FILTER_INVALID', { field: 'status' });
  }
  if (typeof page !== 'string' || !/^[1-9][0-9]{0,5}$/.test(page)) throw new AppError('TRANSFER_PAGES_FILTER_INVALID', { field: 'status' });
  return { status: status === '' ? undefined : (status as TransferStatus), page: Number(page) };
}

/**
 * What an address brings into the transfer form: the choice of an ad hoc payee and the codes picked
 * in the look-up. Only a starting point (the form is checked when sent), so anything else is left out.
 */
export function prefill(query: unknown): Record<string, string> {
  const values: Record<string, string> = {};
  const destination = sentValue(query, field.destination);
  if (destination === 'payee' || destination === 'adHoc') values[field.destination] = destination;
  const bankCode = sentValue(query, field.bankCode);
  if (isBankCode(bankCode)) values[field.bankCode] = bankCode;
  const branchCode = sentValue(query, field.branchCode);
  if (isBranchCode(branchCode)) values[field.branchCode] = branchCode;
  return values;
}

/** Search text is bounded; anything longer is cut, as a search box would. */
export const lookupQueryLengthMax = 40;

export function lookupText(query: unknown, name: string): string {
  const value = sentValue(query, name);
  return typeof value === 'string' ? value.slice(0, lookupQueryLengthMax) : '';
}
