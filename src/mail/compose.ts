import { formatDay, formatMoment } from '../domain/display-date.ts';
import type { Config } from '../config.ts';
import { translator, type MessageKey } from '../web/i18n/index.ts';

/**
 * Builds a notice in Japanese with the English text below it: the person's language preference is
 * a browser setting, and an email has to be understood whichever they chose.
 */
/** A parameter is plain text, or a message, a day or a moment of its own to be shown in each language (src/domain/display-date.ts). */
export type NoticeParam = string | number | { message: MessageKey } | { day: string } | { moment: Date | string };

export function composeNotice(
  config: Config,
  parts: { subject: MessageKey; lines: { key: MessageKey; params?: Record<string, NoticeParam> }[] },
): { subject: string; body: string } {
  const defaults = { contact: `${config.bankName} ${config.bankContact}` };
  const ja = translator('ja', defaults);
  const en = translator('en', defaults);
  const section = (t: typeof ja) => {
    const language = t === ja ? 'ja' : 'en';
    const localized = (params: Record<string, NoticeParam> = {}) =>
      Object.fromEntries(Object.entries(params).map(([name, v]) => [name, typeof v !== 'object' ? v : 'day' in v ? formatDay(v.day, language) : 'moment' in v ? formatMoment(v.moment, language) : t(v.message)]));
    return [...parts.lines.map((line) => t(line.key, localized(line.params))), '', t('mail.signature'), defaults.contact].join('\n');
  };
  return {
    subject: `${ja(parts.subject)} / ${en(parts.subject)}`,
    body: [section(ja), '', '----', '', section(en), ''].join('\n'),
  };
}
