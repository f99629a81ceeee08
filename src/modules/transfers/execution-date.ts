import { addDays, holidayName, isBankBusinessDay, isValidDateText } from '../../domain/business-days.ts';
import { refuse } from './refusal.ts';

/**
 * R8.2: a transfer executes today or on a later business day of the bank (Japanese holidays and the
 * year-end closing respected), and is booked at most this far ahead.
 */
export const executionDaysAheadMax = 60;

/** Refuses a date that is not a valid day, has passed, lies too far ahead or is not a business day. */
export function checkExecutionDate(date: string, today: string): void {
  if (typeof date !== 'string' || !isValidDateText(date)) refuse('TRANSFER_DATE_INVALID', 'executionDate');
  if (date < today) refuse('TRANSFER_DATE_PAST', 'executionDate');
  if (date > addDays(today, executionDaysAheadMax)) refuse('TRANSFER_DATE_TOO_FAR', 'executionDate', { days: String(executionDaysAheadMax) });
  if (!isBankBusinessDay(date)) {
    const holiday = holidayName(date);
    if (holiday !== undefined) refuse('TRANSFER_DATE_HOLIDAY', 'executionDate', { holiday });
    refuse('TRANSFER_DATE_NOT_BUSINESS_DAY', 'executionDate');
  }
}
