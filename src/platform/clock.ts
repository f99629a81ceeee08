/** The only source of "now" for services (house rule 6); tests pass a FakeClock. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export class FakeClock implements Clock {
  #ms: number;
  constructor(start: Date | string = '2026-04-01T00:00:00Z') {
    this.#ms = new Date(start).getTime();
  }
  now(): Date {
    return new Date(this.#ms);
  }
  advanceSeconds(seconds: number): void {
    this.#ms += seconds * 1000;
  }
  set(at: Date | string): void {
    this.#ms = new Date(at).getTime();
  }
}

/** A step back of the system clock smaller than this is slewing, not a step: time only stands still through it. */
export const clockStepBackToleranceMs = 1000;

/**
 * The service's clock: the system's time, except that it never goes back. When the system clock
 * steps back (NTP correcting a clock that ran ahead, a mistaken manual setting), time in the
 * service goes on from where it was at the pace of the monotonic clock until the system clock has
 * caught up, so within a process a used code, a session's idle end or a rate-limit window is never
 * judged at an earlier time than it was already judged at. A forward step is taken as it is: a
 * clock that was behind is put right. A new process starts from the system clock as it then is;
 * what must hold across processes is held by the database (docs/reliability/mail-disk-clock.md).
 */
export function steadyClock(
  options: { wallMs?: () => number; monotonicMs?: () => number; onStepBack?: (stepMs: number, keptAt: Date) => void } = {},
): Clock {
  const wallMs = options.wallMs ?? Date.now;
  const monotonicMs = options.monotonicMs ?? (() => performance.now());
  let last: { at: number; monotonic: number } | undefined;
  let steppedBack = false;
  return {
    now() {
      const wall = wallMs();
      const monotonic = monotonicMs();
      let at = wall;
      if (last) {
        const expected = last.at + (monotonic - last.monotonic);
        if (wall >= expected - clockStepBackToleranceMs) {
          at = Math.max(wall, last.at);
          steppedBack = false;
        } else {
          at = expected;
          // Told once per step, not at every reading while the system clock catches up.
          if (!steppedBack) options.onStepBack?.(expected - wall, new Date(expected));
          steppedBack = true;
        }
      }
      last = { at, monotonic };
      return new Date(at);
    },
  };
}
