import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clockStepBackToleranceMs, steadyClock } from './clock.ts';

/** A system clock and a monotonic clock the test moves by hand. */
function clocks(startMs = Date.parse('2026-04-01T09:00:00Z')) {
  const state = { wall: startMs, monotonic: 1_000 };
  return {
    state,
    pass(ms: number) {
      state.wall += ms;
      state.monotonic += ms;
    },
    options: { wallMs: () => state.wall, monotonicMs: () => state.monotonic },
  };
}

test('the service clock does not go back when the system clock steps back an hour, and goes on at the pace of real time', () => {
  const c = clocks();
  const steps: number[] = [];
  const clock = steadyClock({ ...c.options, onStepBack: (ms) => steps.push(ms) });
  const before = clock.now().getTime();
  c.pass(10_000);
  c.state.wall -= 3_600_000;
  const after = clock.now().getTime();
  assert.equal(after, before + 10_000, 'the step is not followed');
  c.pass(60_000);
  assert.equal(clock.now().getTime(), before + 70_000, 'a minute later, a minute later');
  assert.deepEqual(steps, [3_600_000], 'the step is told once');
});

test('the service clock rejoins the system clock once it has caught up, and follows a forward step', () => {
  const c = clocks();
  const clock = steadyClock(c.options);
  const start = clock.now().getTime();
  c.state.wall -= 120_000;
  c.pass(1_000);
  assert.equal(clock.now().getTime(), start + 1_000);
  // The system clock runs fast for a while (NTP slewing), catching up with the service's time.
  c.state.wall += 121_000;
  c.pass(1_000);
  assert.equal(clock.now().getTime(), c.state.wall, 'back on the system clock');
  c.state.wall += 3_600_000;
  assert.equal(clock.now().getTime(), c.state.wall, 'a forward step is followed');
});

test('a system clock a little behind its last reading makes the service clock stand still, never go back', () => {
  const c = clocks();
  const clock = steadyClock(c.options);
  const first = clock.now().getTime();
  c.state.wall -= clockStepBackToleranceMs / 2;
  assert.equal(clock.now().getTime(), first);
  c.pass(clockStepBackToleranceMs);
  assert.equal(clock.now().getTime(), c.state.wall);
});
