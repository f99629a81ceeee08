import { formatDay } from '../domain/display-date.ts';
import type { Translate } from './i18n/index.ts';

/** A day on a page, in the page's language (src/domain/display-date.ts); the catalogue says which. */
export function dayText(t: Translate, day: string): string {
  return formatDay(day, t('app.dateLanguage') === 'en' ? 'en' : 'ja');
}
