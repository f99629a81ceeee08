import type { Deps } from '../../src/deps.ts';
import { businessDayClock } from './business-day-clock.ts';

/**
 * Dependencies for benchmarks that send transfers: today a business day, and no hourly limit on
 * one-time passwords (a benchmark's person is sent thousands a minute, far beyond what a person is
 * allowed).
 */
export function transferDeps(base: Deps): Deps {
  return { ...base, config: { ...base.config, emailOtpSendsPerHourMax: 1_000_000_000 }, clock: businessDayClock() };
}
