import { test } from 'node:test';
import assert from 'node:assert/strict';
import { translator } from '../../src/web/i18n/index.ts';
import { problemText } from '../../src/modules/bulk/problem-text.ts';

test('a file problem shows its day and its deadline through the one date formatter, in the page language', () => {
  // 06:00 UTC is 15:00 in Tokyo.
  const problem = { message: 'bulk.problem.tooLate', params: { date: '2026-12-07', deadline: '2026-12-04T06:00:00.000Z' } };
  assert.equal(problemText(translator('ja'), problem), translator('ja')('bulk.problem.tooLate', { date: '2026年12月7日（月）', deadline: '2026年12月4日（金） 15:00' }));
  assert.equal(problemText(translator('en'), problem), translator('en')('bulk.problem.tooLate', { date: '2026-12-07 (Mon)', deadline: '2026-12-04 (Fri) 15:00' }));
  // The header's MMDD and other values are shown as they are.
  assert.equal(problemText(translator('ja'), { message: 'bulk.problem.tooLate', params: { date: '1207', deadline: 'x' } }), translator('ja')('bulk.problem.tooLate', { date: '1207', deadline: 'x' }));
});
