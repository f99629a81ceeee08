/**
 * Loaded with `node --import` into a service process started by a crash test: the process's clock
 * (`systemClock`, i.e. `Date`) starts at IB_TEST_NOW and runs on in real time. Transfers post at
 * once only on a bank business day, so the test must not depend on the day it happens to run.
 */
const start = process.env.IB_TEST_NOW;
if (start !== undefined) {
  const offsetMs = Date.parse(start) - Date.now();
  if (Number.isNaN(offsetMs)) throw new Error(`IB_TEST_NOW is not an instant: ${start}`);
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
