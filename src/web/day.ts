import { formatDay, formatMoment, type DateLanguage } from '../domain/display-date.ts';
import type { Translate } from './i18n/index.ts';

/** A day on a page, in the page's language (src/domain/display-date.ts); the catalogue says which. */
export function dayText(t: Translate, day: string): string {
  return formatDay(day, dateLanguage(t));
}

/** A moment on a page: its day as dayText shows it, then the time to the minute (Japan time). */
export function momentText(t: Translate, at: Date | string): string {
  return formatMoment(at, dateLanguage(t));
}

function dateLanguage(t: Translate): DateLanguage {
  return t('app.dateLanguage') === 'en' ? 'en' : 'ja';
}
