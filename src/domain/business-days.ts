import holidayJp from '@holiday-jp/holiday_jp';
import { dayMs, tokyoOffsetMs } from './tokyo-time.ts';

/**
 * R8.2: transfers execute on the bank's business days — not Saturdays, Sundays, Japanese national
 * holidays, nor the banks' year-end and new-year closing (December 31 to January 3). Dates are
 * 'YYYY-MM-DD' in Asia/Tokyo, where the bank's day begins and ends.
 */

/** The calendar date in Tokyo at an instant. */
export function tokyoDate(now: Date): string {
  return new Date(now.getTime() + tokyoOffsetMs).toISOString().slice(0, 10);
}

export function isValidDateText(date: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return false;
  const parsed = new Date(`${date}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === date;
}

/** The date a whole number of days later, on 'YYYY-MM-DD' text (for a moment, a Date, see addDaysTo in ./tokyo-time.ts). */
export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * dayMs).toISOString().slice(0, 10);
}

export function holidayName(date: string): string | undefined {
  return (holidayJp.holidays as Record<string, { name: string } | undefined>)[date]?.name;
}

export function isBankBusinessDay(date: string): boolean {
  const weekday = new Date(`${date}T00:00:00Z`).getUTCDay();
  if (weekday === 0 || weekday === 6) return false;
  const monthDay = date.slice(5);
  if (monthDay === '12-31' || monthDay === '01-01' || monthDay === '01-02' || monthDay === '01-03') return false;
  return holidayName(date) === undefined;
}

/** The first business day on or after a date. */
export function businessDayOnOrAfter(date: string): string {
  let day = date;
  while (!isBankBusinessDay(day)) day = addDays(day, 1);
  return day;
}
