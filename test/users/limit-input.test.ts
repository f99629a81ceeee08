import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AppError } from '../../src/errors.ts';
import { yenField } from '../../src/modules/users/form-input.ts';

test('a usage limit typed with full-width digits, commas or 円 is read, not refused', () => {
  for (const typed of ['1000000', '1,000,000', '１，０００，０００', '1,000,000円', '１０００００００円'.slice(0, 7) + '円']) {
    assert.equal(yenField({ limit: typed }, 'limit'), 1_000_000n, typed);
  }
  assert.equal(yenField({ limit: '0' }, 'limit'), 0n, 'zero is a limit');
});

test('a limit that is not a whole number of yen is refused with USERS_LIMIT_INVALID', () => {
  for (const typed of ['-1', '1000.5', '30,00,000', '3e6', '1'.repeat(16), '']) {
    assert.throws(() => yenField({ limit: typed }, 'limit'), (error: unknown) => error instanceof AppError && error.code === 'USERS_LIMIT_INVALID', typed);
  }
});
