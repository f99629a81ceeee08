/**
 * Time as the bank keeps it: days and Japan time (Asia/Tokyo). Japan has kept UTC+9 all year since
 * 1951, with no summer time, so Japan time is a fixed offset from UTC and every day is as long.
 * Pure: the moment to show or count from always arrives as an argument.
 */

/** A day in milliseconds. */
export const dayMs = 86_400_000;

/** A day in seconds, for lifetimes given in seconds (cookie max-age, HSTS, cache-control). */
export const daySeconds = 86_400;

/** Japan time ahead of UTC, in milliseconds. */
export const tokyoOffsetMs = 9 * 3_600_000;

/**
 * The moment a whole number of days later (earlier, when negative). For a 'YYYY-MM-DD' date in
 * text, see addDays in ./business-days.ts.
 */
export function addDaysTo(at: Date, days: number): Date {
  return new Date(at.getTime() + days * dayMs);
}

/** Whole days from `since` to `now`, for a password's age. */
export function daysBetween(since: Date, now: Date): number {
  return Math.max(0, Math.floor((now.getTime() - since.getTime()) / dayMs));
}

/** Japan time as it reads on a clock in Tokyo, in ISO form ('2026-04-02T00:00:00.000Z', where the Z is not true). */
function tokyoWallClock(at: Date): string {
  return new Date(at.getTime() + tokyoOffsetMs).toISOString();
}

/*
 * The forms of Japan time in text. A person reads a moment on a page, in an email or on the console
 * through formatMoment in ./display-date.ts (the day with its weekday, then HH:MM), so that every
 * screen agrees. These remain for text fixed before its reader's language is known (a refusal's
 * parameters) and for machines:
 * - formatJstIso '2026-04-02 00:00:00 JST', formatJstJapanese '2026/4/2 0:00:00 (JST)',
 *   formatJstMinute '2026-04-02 00:00 JST': unambiguous in either language.
 * - isoWithJstOffset '2026-04-02T00:00:00.000+09:00': machine-readable ISO 8601 with the offset,
 *   for the audit trail export, to the millisecond.
 */

/** '2026-04-02 00:00:00 JST': Japan time in ISO order, unambiguous in either language (the customer's pages). */
export function formatJstIso(at: Date): string {
  return at.toLocaleString('sv-SE', { timeZone: 'Asia/Tokyo', hour12: false }) + ' JST';
}

/** Made once: building a formatter per call is costly, and every email shows a time. */
const japaneseFormat = new Intl.DateTimeFormat('ja-JP', {
  timeZone: 'Asia/Tokyo',
  hour12: false,
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  hour: 'numeric',
  minute: 'numeric',
  second: 'numeric',
});

/** '2026/4/2 0:00:00 (JST)': Japan time as Japanese writes it (emails, as the customer reads them, and the transfer detail). */
export function formatJstJapanese(at: Date): string {
  return japaneseFormat.format(at) + ' (JST)';
}

/** '2026-04-02 00:00 JST': Japan time to the minute, as the bank's staff read it (operator console). */
export function formatJstMinute(at: Date): string {
  return `${tokyoWallClock(at).slice(0, 16).replace('T', ' ')} JST`;
}

/** '2026-04-02T00:00:00.000+09:00': ISO 8601 in Japan time with its offset, to the millisecond (audit export). */
export function isoWithJstOffset(at: Date): string {
  return tokyoWallClock(at).replace('Z', '+09:00');
}
