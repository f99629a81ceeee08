import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDay, formatMoment } from './display-date.ts';

test('a day is shown with its weekday: 2026年12月7日（月） in Japanese, 2026-12-07 (Mon) in English', () => {
  assert.equal(formatDay('2026-12-07', 'ja'), '2026年12月7日（月）');
  assert.equal(formatDay('2026-12-07', 'en'), '2026-12-07 (Mon)');
});

test('the weekday follows the calendar across a year boundary and a leap day', () => {
  assert.equal(formatDay('2026-12-31', 'ja'), '2026年12月31日（木）');
  assert.equal(formatDay('2027-01-01', 'ja'), '2027年1月1日（金）');
  assert.equal(formatDay('2027-01-01', 'en'), '2027-01-01 (Fri)');
  assert.equal(formatDay('2028-02-29', 'en'), '2028-02-29 (Tue)');
  assert.equal(formatDay('2028-03-01', 'ja'), '2028年3月1日（水）');
});

test('the weekday does not depend on the process time zone (the day is a calendar day, not a moment)', () => {
  // Seven consecutive days give seven different weekdays in order.
  const days = ['2026-12-06', '2026-12-07', '2026-12-08', '2026-12-09', '2026-12-10', '2026-12-11', '2026-12-12'];
  assert.deepEqual(days.map((day) => formatDay(day, 'en').slice(-4, -1)), ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat']);
});

test('text that is not a day is shown unchanged rather than guessed at', () => {
  assert.equal(formatDay('', 'ja'), '');
  assert.equal(formatDay('2026/12/07', 'en'), '2026/12/07');
});

test('a moment reads as its Tokyo day through the one formatter, then the time HH:MM', () => {
  // 2026-12-07 05:05 UTC is 14:05 in Tokyo; 2026-12-06 15:30 UTC is already 00:30 on the 7th there.
  assert.equal(formatMoment(new Date('2026-12-07T05:05:59Z'), 'ja'), '2026年12月7日（月） 14:05');
  assert.equal(formatMoment(new Date('2026-12-07T05:05:59Z'), 'en'), '2026-12-07 (Mon) 14:05');
  assert.equal(formatMoment(new Date('2026-12-06T15:30:00Z'), 'ja'), '2026年12月7日（月） 00:30');
  assert.equal(formatMoment('2026-12-06T14:59:00.000Z', 'en'), '2026-12-06 (Sun) 23:59', 'the ISO text a stored payload holds');
  assert.equal(formatMoment('not a moment', 'ja'), 'not a moment');
});
