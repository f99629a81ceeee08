import { test } from 'node:test';
import assert from 'node:assert/strict';
import { periodOfDays, startOfJstDay } from './period.ts';

test('a period of days in Japan time runs from the first midnight to the midnight after the last day', () => {
  assert.deepEqual(periodOfDays('2026-04-01', '2026-04-30'), {
    from: new Date('2026-03-31T15:00:00.000Z'),
    to: new Date('2026-04-30T15:00:00.000Z'),
  });
  assert.deepEqual(periodOfDays('2028-02-29', '2028-02-29'), {
    from: new Date('2028-02-28T15:00:00.000Z'),
    to: new Date('2028-02-29T15:00:00.000Z'),
  });
});

test('only real days in the form YYYY-MM-DD, in order, make a period', () => {
  for (const day of ['2026-02-29', '2026-13-01', '2026-04-31', '2026-4-1', '20260401', '0099-01-01', '2026-04-01T00:00', ' 2026-04-01']) {
    assert.equal(startOfJstDay(day), undefined, day);
  }
  assert.equal(typeof periodOfDays('2026-04-02', '2026-04-01'), 'string');
  assert.equal(typeof periodOfDays(undefined, '2026-04-01'), 'string');
});
