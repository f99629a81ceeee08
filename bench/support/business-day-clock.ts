import { businessDayOnOrAfter, tokyoDate } from '../../src/domain/business-days.ts';
import type { Clock } from '../../src/platform/clock.ts';

/**
 * Real time, moved forward to the next bank business day when today is not one, so that transfers
 * dated "today" are accepted whatever day the benchmark runs.
 */
export function businessDayClock(): Clock {
  const today = tokyoDate(new Date());
  const days = Math.round((Date.parse(businessDayOnOrAfter(today)) - Date.parse(today)) / 86_400_000);
  return { now: () => new Date(Date.now() + days * 86_400_000) };
}
