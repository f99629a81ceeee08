/**
 * Loaded with `node --import` into a service process started by a crash test: the process's clock
 * (`systemClock`, i.e. `Date`) starts at IB_TEST_NOW and runs on in real time. Transfers post at
 * once only on a bank business day, so the test must not depend on the day it happens to run.
 *
 * With IB_TEST_JUMP_SECONDS, each SIGUSR2 moves the clock on by that many seconds: a test moves the
 * clocks of all its processes on together, past a lease, instead of waiting for it.
 */
const start = process.env.IB_TEST_NOW;
if (start !== undefined) {
  let offsetMs = Date.parse(start) - Date.now();
  if (Number.isNaN(offsetMs)) throw new Error(`IB_TEST_NOW is not an instant: ${start}`);
  const jumpSeconds = Number(process.env.IB_TEST_JUMP_SECONDS ?? 0);
  if (jumpSeconds > 0) process.on('SIGUSR2', () => (offsetMs += jumpSeconds * 1000));
  const RealDate = Date;
  class ShiftedDate extends RealDate {
    constructor(...args: unknown[]) {
      if (args.length === 0) super(RealDate.now() + offsetMs);
      else super(...(args as [string]));
    }
    static override now(): number {
      return RealDate.now() + offsetMs;
    }
  }
  globalThis.Date = ShiftedDate as DateConstructor;
}
