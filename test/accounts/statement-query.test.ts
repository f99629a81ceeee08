import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isAppError } from '../../src/errors.ts';
import { parseEncoding, parsePage, parsePeriod, statementDefaultDays, statementRangeDaysMax } from '../../src/modules/accounts/statement-query.ts';

/** R8.1: the period, page and encoding of an inquiry, as a query gives them (pure rules). */
const today = '2026-04-01';

function refusedWith(run: () => unknown): { code: string; field: string | undefined } {
  try {
    run();
  } catch (error) {
    if (isAppError(error)) return { code: error.code, field: error.field };
    throw error;
  }
  assert.fail('expected a refusal');
}

test('without dates the period is the default number of days up to today, both included', () => {
  assert.equal(statementDefaultDays, 30);
  assert.deepEqual(parsePeriod({}, today), { from: '2026-03-03', to: '2026-04-01' });
  assert.deepEqual(parsePeriod({ from: '', to: '' }, today), { from: '2026-03-03', to: '2026-04-01' }, 'an empty form field is no date');
  assert.deepEqual(parsePeriod({ to: '2026-03-01' }, today), { from: '2026-01-31', to: '2026-03-01' }, 'the default length before a given end');
  assert.deepEqual(parsePeriod({ from: '2026-03-31' }, today), { from: '2026-03-31', to: today }, 'a given start runs to today');
});

test('a period is at most the maximum number of days, counted with both ends, across a leap day', () => {
  assert.equal(statementRangeDaysMax, 366);
  // 2024 is a leap year: 2024-01-01 … 2024-12-31 is 366 days; one more is too long.
  assert.deepEqual(parsePeriod({ from: '2024-01-01', to: '2024-12-31' }, today), { from: '2024-01-01', to: '2024-12-31' });
  assert.deepEqual(refusedWith(() => parsePeriod({ from: '2023-12-31', to: '2024-12-31' }, today)), { code: 'ACCOUNTS_RANGE_TOO_LONG', field: 'from' });
  assert.deepEqual(refusedWith(() => parsePeriod({ from: '2024-02-29', to: '2024-02-28' }, today)), { code: 'ACCOUNTS_RANGE_ORDER', field: 'from' });
  assert.deepEqual(parsePeriod({ from: '2024-02-29', to: '2024-02-29' }, today), { from: '2024-02-29', to: '2024-02-29' });
});

test('dates that are not real days, are written otherwise or lie after today are refused, naming their field', () => {
  const cases: [Record<string, unknown>, string, string][] = [
    [{ from: '2026-02-30' }, 'ACCOUNTS_DATE_INVALID', 'from'],
    [{ from: '2025-02-29' }, 'ACCOUNTS_DATE_INVALID', 'from'],
    [{ to: '2026-04-31' }, 'ACCOUNTS_DATE_INVALID', 'to'],
    [{ from: '20260301' }, 'ACCOUNTS_DATE_INVALID', 'from'],
    [{ from: '2026-3-1' }, 'ACCOUNTS_DATE_INVALID', 'from'],
    [{ from: ['2026-03-01', '2026-03-02'] }, 'ACCOUNTS_DATE_INVALID', 'from'],
    [{ to: { a: 1 } }, 'ACCOUNTS_DATE_INVALID', 'to'],
    [{ to: '2026-04-02' }, 'ACCOUNTS_DATE_FUTURE', 'to'],
    [{ from: '2026-04-02', to: '2026-04-01' }, 'ACCOUNTS_DATE_FUTURE', 'from'],
  ];
  for (const [query, code, field] of cases) assert.deepEqual(refusedWith(() => parsePeriod(query, today)), { code, field }, JSON.stringify(query));
});

test('a page is a whole number from 1, written plainly; an encoding is UTF-8 or Shift_JIS', () => {
  assert.equal(parsePage({}), 1);
  assert.equal(parsePage({ page: '' }), 1);
  assert.equal(parsePage({ page: '7' }), 7);
  assert.equal(parsePage({ page: '999999' }), 999_999);
  for (const page of ['0', '-1', 'abc', '1.5', '01', '1e3', '1000000', ' 2x', ['1', '2']]) {
    assert.equal(refusedWith(() => parsePage({ page })).code, 'ACCOUNTS_PAGE_INVALID', String(page));
  }
  assert.equal(parseEncoding({}), 'utf-8');
  assert.equal(parseEncoding({ encoding: 'Shift_JIS' }), 'shift_jis');
  for (const encoding of ['latin1', 'utf8', 'sjis', ['utf-8']]) assert.equal(refusedWith(() => parseEncoding({ encoding })).code, 'ACCOUNTS_ENCODING_INVALID');
});
