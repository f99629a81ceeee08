import type { Deps } from '../../deps.ts';
import { tokyoDate } from '../../domain/business-days.ts';
import { dayMs } from '../../domain/tokyo-time.ts';
import type { PresentedCheck } from '../certificates/presented.ts';

/** R4.4: from this many days before a certificate's expiry the logon page shows the renewal notice. */
export const renewalNoticeDaysBefore = 30;

/** The last day (Tokyo) of the presented certificate, when it is valid and within the notice period. */
export function renewalDate(deps: Deps, check: PresentedCheck): string | undefined {
  if (!check.ok) return undefined;
  const left = check.notAfter.getTime() - deps.clock.now().getTime();
  return left <= renewalNoticeDaysBefore * dayMs ? tokyoDate(check.notAfter) : undefined;
}
