/**
 * A day as its readers read it, with its weekday: '2026年12月7日（月）' in Japanese, as banks
 * print dates on passbooks and notices, and '2026-12-07 (Mon)' in English, in ISO order so that
 * no reader mistakes the day for the month. Every page and email that shows a day (an execution
 * date, a statement's value date, a payment date) shows it through here, so all of them agree.
 * Pure: the day arrives as 'YYYY-MM-DD' (a Tokyo day, ./business-days.ts: tokyoDate).
 */
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
