import { test } from 'node:test';
import assert from 'node:assert/strict';
import { refusalOverDailyLimit } from './daily-limit.ts';

test('R1.4: a transfer fits while the day stays within the limit, up to the limit itself', () => {
  assert.equal(refusalOverDailyLimit(10_000n, 0n, 10_000n), undefined);
  assert.equal(refusalOverDailyLimit(10_000n, 9_700n, 300n), undefined);
  assert.equal(refusalOverDailyLimit(10_000n, 9_701n, 300n), 'TRANSFER_DAILY_LIMIT');
  assert.equal(refusalOverDailyLimit(10_000n, 0n, 10_001n), 'TRANSFER_DAILY_LIMIT');
});

test('R1.4: a person without a daily limit registers nothing', () => {
  assert.equal(refusalOverDailyLimit(null, 0n, 1n), 'TRANSFER_DAILY_LIMIT');
});

test('R1.4: a limit of zero allows no transfer', () => {
  assert.equal(refusalOverDailyLimit(0n, 0n, 1n), 'TRANSFER_DAILY_LIMIT');
});
