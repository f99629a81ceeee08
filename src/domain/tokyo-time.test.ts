import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addDaysTo, dayMs, daySeconds, daysBetween, formatJstIso, formatJstJapanese, formatJstMinute, isoWithJstOffset, tokyoOffsetMs } from './tokyo-time.ts';
import { addDays, tokyoDate } from './business-days.ts';

/** 15:00 UTC is midnight in Tokyo. */
const tokyoMidnight = new Date('2026-04-01T15:00:00.000Z');
const lastMomentBefore = new Date('2026-04-01T14:59:59.999Z');

test('a day is 86 400 seconds, and Japan is nine hours ahead of UTC', () => {
  assert.equal(dayMs, 24 * 60 * 60 * 1000);
  assert.equal(daySeconds * 1000, dayMs);
  assert.equal(tokyoOffsetMs, 9 * 60 * 60 * 1000);
});

/** Each form of Japan time at moments either side of a day boundary, in UTC and in Japan. */
const shown: { at: Date; why: string; iso: string; japanese: string; minute: string; offset: string; date: string }[] = [
  {
    at: tokyoMidnight,
    why: 'Tokyo midnight: the UTC date is still the 1st, the Japan date already the 2nd',
    iso: '2026-04-02 00:00:00 JST', japanese: '2026/4/2 0:00:00 (JST)', minute: '2026-04-02 00:00 JST', offset: '2026-04-02T00:00:00.000+09:00', date: '2026-04-02',
  },
  {
    at: lastMomentBefore,
    why: 'a moment before Tokyo midnight is still the day before there',
    iso: '2026-04-01 23:59:59 JST', japanese: '2026/4/1 23:59:59 (JST)', minute: '2026-04-01 23:59 JST', offset: '2026-04-01T23:59:59.999+09:00', date: '2026-04-01',
  },
  {
    at: new Date('2026-12-31T00:00:00.000Z'),
    why: 'UTC midnight is nine in the morning in Tokyo, on the same date',
    iso: '2026-12-31 09:00:00 JST', japanese: '2026/12/31 9:00:00 (JST)', minute: '2026-12-31 09:00 JST', offset: '2026-12-31T09:00:00.000+09:00', date: '2026-12-31',
  },
  {
    at: new Date('2026-12-31T15:00:00.000Z'),
    why: 'the year turns in Tokyo at 15:00 UTC on 31 December',
    iso: '2027-01-01 00:00:00 JST', japanese: '2027/1/1 0:00:00 (JST)', minute: '2027-01-01 00:00 JST', offset: '2027-01-01T00:00:00.000+09:00', date: '2027-01-01',
  },
];

test('each form of Japan time shows the date and hour in Tokyo, whatever the UTC day', () => {
  for (const c of shown) {
    assert.equal(formatJstIso(c.at), c.iso, c.why);
    assert.equal(formatJstJapanese(c.at), c.japanese, c.why);
    assert.equal(formatJstMinute(c.at), c.minute, c.why);
    assert.equal(isoWithJstOffset(c.at), c.offset, c.why);
    assert.equal(tokyoDate(c.at), c.date, c.why);
  }
});

test('addDaysTo moves a moment by whole days, forward or back, keeping its time of day', () => {
  assert.equal(addDaysTo(tokyoMidnight, 1).toISOString(), '2026-04-02T15:00:00.000Z');
  assert.equal(addDaysTo(tokyoMidnight, -30).toISOString(), '2026-03-02T15:00:00.000Z');
  assert.equal(addDaysTo(tokyoMidnight, 0).getTime(), tokyoMidnight.getTime());
  assert.equal(addDaysTo(new Date('2028-02-28T00:00:00Z'), 1).toISOString(), '2028-02-29T00:00:00.000Z', 'a leap day counts');
  assert.equal(tokyoDate(addDaysTo(tokyoMidnight, 90)), addDays(tokyoDate(tokyoMidnight), 90), 'the same as counting days on the Japan date');
});

test('daysBetween counts whole days elapsed, never fewer than none', () => {
  assert.equal(daysBetween(tokyoMidnight, tokyoMidnight), 0);
  assert.equal(daysBetween(tokyoMidnight, new Date(tokyoMidnight.getTime() + dayMs - 1)), 0);
  assert.equal(daysBetween(tokyoMidnight, addDaysTo(tokyoMidnight, 1)), 1);
  assert.equal(daysBetween(tokyoMidnight, addDaysTo(tokyoMidnight, 90)), 90);
  assert.equal(daysBetween(tokyoMidnight, lastMomentBefore), 0, 'a change dated after now is no days old');
});
