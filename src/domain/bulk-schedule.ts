import { addDays, holidayName, isBankBusinessDay, isValidDateText } from './business-days.ts';
import { tokyoOffsetMs } from './tokyo-time.ts';

/**
 * R8.4: when a bulk file pays and until when it may be sent. Pure rules: today, the time of day and
 * the bank's settings arrive as arguments.
 */

/** A bulk file's payment date lies at most this far ahead (as a transfer's, R8.2). */
export const bulkPaymentDaysAheadMax = 60;

/** 給与振込 and 賞与振込, whose money must reach the employees' banks days ahead (全銀 rules). */
export function isSalaryType(typeCode: string): boolean {
  return typeCode === '11' || typeCode === '12';
}

export type PaymentDateRefusal =
  | { reason: 'invalid' }
  | { reason: 'too_far'; days: number }
  | { reason: 'holiday'; holiday: string }
  | { reason: 'not_business_day' };

/**
 * The header holds MMDD only: the payment date is the next such day on or after today (a date that
 * has passed this year is next year's). Refused when it is no date, lies too far ahead or is not a
 * business day of the bank.
 */
export function paymentDateOf(mmdd: string, today: string): { date: string } | PaymentDateRefusal {
  if (!/^[0-9]{4}$/.test(mmdd)) return { reason: 'invalid' };
  const year = Number(today.slice(0, 4));
  const thisYear = `${year}-${mmdd.slice(0, 2)}-${mmdd.slice(2)}`;
  const nextYear = `${year + 1}-${mmdd.slice(0, 2)}-${mmdd.slice(2)}`;
  // 0229 is a date only in a leap year: the nearest year that has it.
  const candidates = [thisYear, nextYear].filter((date) => isValidDateText(date) && date >= today);
  const date = candidates[0];
  if (date === undefined) return { reason: 'invalid' };
  if (date > addDays(today, bulkPaymentDaysAheadMax)) return { reason: 'too_far', days: bulkPaymentDaysAheadMax };
  if (!isBankBusinessDay(date)) {
    const holiday = holidayName(date);
    return holiday === undefined ? { reason: 'not_business_day' } : { reason: 'holiday', holiday };
  }
  return { date };
}

/** The n-th business day before a date (n = 0: the date itself). */
export function businessDaysBefore(date: string, n: number): string {
  let day = date;
  for (let left = n; left > 0; ) {
    day = addDays(day, -1);
    if (isBankBusinessDay(day)) left--;
  }
  return day;
}

export interface SendDeadlineRules {
  /** 'HH:MM' Asia/Tokyo: the last moment a file may be sent for the same day. */
  cutoffTime: string;
  salaryBusinessDays: number;
}

/**
 * The last moment a file may be sent: a 総合振込 file by the cut-off time of its payment date; a
 * 給与・賞与 file by the cut-off time of the business day `salaryBusinessDays` before it.
 */
export function sendDeadline(typeCode: string, paymentDate: string, rules: SendDeadlineRules): Date {
  const day = isSalaryType(typeCode) ? businessDaysBefore(paymentDate, rules.salaryBusinessDays) : paymentDate;
  return new Date(Date.parse(`${day}T${rules.cutoffTime}:00Z`) - tokyoOffsetMs);
}

/** Whether a file may still be sent (or registered, approved: each step before the send) at `now`. */
export function beforeSendDeadline(typeCode: string, paymentDate: string, now: Date, rules: SendDeadlineRules): boolean {
  return now.getTime() < sendDeadline(typeCode, paymentDate, rules).getTime();
}
