import { dayText, momentText } from '../../web/day.ts';
import type { MessageKey, Translate } from '../../web/i18n/index.ts';

/**
 * A problem of a file as its reader reads it. The check runs before the page's language is known,
 * so a day ('YYYY-MM-DD') or a moment (ISO 8601 in UTC) in its parameters is kept machine-readable
 * and shown here through the one date formatter; other parameters are shown as they are.
 */
export function problemText(t: Translate, problem: { message: string; params?: Record<string, string> | undefined }): string {
  const shown = Object.fromEntries(
    Object.entries(problem.params ?? {}).map(([name, value]) => [
      name,
      /^\d{4}-\d{2}-\d{2}$/.test(value) ? dayText(t, value) : /^\d{4}-\d{2}-\d{2}T[\d:.]+Z$/.test(value) ? momentText(t, value) : value,
    ]),
  );
  return t(problem.message as MessageKey, shown);
}
