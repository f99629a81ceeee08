/**
 * A day as its readers read it, with its weekday: '2026年12月7日（月）' in Japanese, as banks
 * print dates on passbooks and notices, and '2026-12-07 (Mon)' in English, in ISO order so that
 * no reader mistakes the day for the month. Every page and email that shows a day (an execution
 * date, a statement's value date, a payment date) shows it through here, so all of them agree.
 * A moment (a logon, a certificate's expiry, an approval) is its Tokyo day so, then the time to
 * the minute: '2026年12月7日（月） 14:05'. Machine-read text (CSV, the audit export) keeps ISO.
 * Pure: the day arrives as 'YYYY-MM-DD' (a Tokyo day, ./business-days.ts: tokyoDate), the moment
 * as a Date or its ISO text.
 */
import { tokyoOffsetMs } from './tokyo-time.ts';

export type DateLanguage = 'ja' | 'en';

const weekdays: Record<DateLanguage, readonly string[]> = {
  ja: ['日', '月', '火', '水', '木', '金', '土'],
  en: ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'],
};

/** '2026-12-07' → '2026年12月7日（月）' or '2026-12-07 (Mon)'; text that is not such a day is shown as it is. */
export function formatDay(day: string, language: DateLanguage): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!match) return day;
  const [, year, month, date] = match as unknown as [string, string, string, string];
  // The weekday of the calendar day itself: UTC midnight of that day, whatever the process's zone.
  const weekday = weekdays[language][new Date(Date.UTC(Number(year), Number(month) - 1, Number(date))).getUTCDay()];
  return language === 'ja' ? `${year}年${Number(month)}月${Number(date)}日（${weekday}）` : `${day} (${weekday})`;
}

/** A moment as its Tokyo day (formatDay) and its time to the minute: '2026年12月7日（月） 14:05' / '2026-12-07 (Mon) 14:05'. */
export function formatMoment(at: Date | string, language: DateLanguage): string {
  const moment = typeof at === 'string' ? new Date(at) : at;
  if (Number.isNaN(moment.getTime())) return String(at);
  // Japan time has no summer time: its wall clock is UTC moved by the fixed offset.
  const wall = new Date(moment.getTime() + tokyoOffsetMs).toISOString();
  return `${formatDay(wall.slice(0, 10), language)} ${wall.slice(11, 16)}`;
}
