import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { assertBalanced, depositPostings, netMoves, reversalPostings, transferPostings, UnbalancedEntryError } from './ledger.ts';

const ids = { source: 11, destination: 12, fee: 2 };

test('a transfer with a fee takes the amount and, as a line of its own, the fee from the source, and gives each its account', () => {
  assert.deepEqual(
    transferPostings({
      sourceLedgerAccountId: ids.source, destinationLedgerAccountId: ids.destination, feeIncomeLedgerAccountId: ids.fee, amountYen: 25_000n, feeYen: 440n,
      destinationDescription: 'ﾌﾘｺﾐ ｶ)ﾃｽﾄ', sourceDescription: '振込 ﾔﾏﾀﾞｼﾖｳｼﾞ', feeDescription: '振込手数料',
    }),
    [
      { ledgerAccountId: ids.source, amountYen: -25_000n, description: '振込 ﾔﾏﾀﾞｼﾖｳｼﾞ' },
      { ledgerAccountId: ids.destination, amountYen: 25_000n, description: 'ﾌﾘｺﾐ ｶ)ﾃｽﾄ' },
      { ledgerAccountId: ids.source, amountYen: -440n, description: '振込手数料' },
      { ledgerAccountId: ids.fee, amountYen: 440n },
    ],
  );
});

test('a transfer without a fee has no zero posting', () => {
  const postings = transferPostings({ sourceLedgerAccountId: ids.source, destinationLedgerAccountId: ids.destination, feeIncomeLedgerAccountId: ids.fee, amountYen: 1n, feeYen: 0n });
  assert.deepEqual(postings.map((p) => p.amountYen), [-1n, 1n]);
});

test('a transfer of nothing, or with a negative fee, is refused', () => {
  for (const [amountYen, feeYen] of [[0n, 0n], [-5n, 0n], [5n, -1n]] as const) {
    assert.throws(() => transferPostings({ sourceLedgerAccountId: 1, destinationLedgerAccountId: 2, feeIncomeLedgerAccountId: 3, amountYen, feeYen }), UnbalancedEntryError);
  }
});

test('assertBalanced refuses a sum other than zero, a zero posting, fewer than two postings and a non-bigint amount', () => {
  assert.throws(() => assertBalanced([{ amountYen: 5n }, { amountYen: -4n }]), /sum to 1 yen/);
  assert.throws(() => assertBalanced([{ amountYen: 0n }, { amountYen: 0n }]), /zero yen/);
  assert.throws(() => assertBalanced([{ amountYen: 0n }]), /at least two/);
  assert.throws(() => assertBalanced([]), /at least two/);
  assert.throws(() => assertBalanced([{ amountYen: 5 as unknown as bigint }, { amountYen: -5n }]), /bigint/);
  assert.doesNotThrow(() => assertBalanced([{ amountYen: 5n }, { amountYen: -2n }, { amountYen: -3n }]));
});

test('any transfer balances, and its reversal undoes it exactly', () => {
  fc.assert(
    fc.property(fc.bigInt({ min: 1n, max: 9_999_999_999n }), fc.bigInt({ min: 0n, max: 1_000n }), (amountYen, feeYen) => {
      const postings = transferPostings({ sourceLedgerAccountId: 1, destinationLedgerAccountId: 2, feeIncomeLedgerAccountId: 3, amountYen, feeYen });
      assertBalanced(postings);
      const net = new Map<number, bigint>();
      for (const p of [...postings, ...reversalPostings(postings)]) net.set(p.ledgerAccountId, (net.get(p.ledgerAccountId) ?? 0n) + p.amountYen);
      assert.ok([...net.values()].every((yen) => yen === 0n));
    }),
  );
});

test('a deposit moves money from cash to the customer', () => {
  assert.deepEqual(depositPostings({ cashLedgerAccountId: 3, customerLedgerAccountId: 9, amountYen: 700n }), [
    { ledgerAccountId: 3, amountYen: -700n },
    { ledgerAccountId: 9, amountYen: 700n },
  ]);
  assert.throws(() => depositPostings({ cashLedgerAccountId: 3, customerLedgerAccountId: 9, amountYen: 0n }), UnbalancedEntryError);
});

test('netMoves gives each account the sum of its postings', () => {
  const netYen = netMoves([
    { ledgerAccountId: 1, amountYen: -30n },
    { ledgerAccountId: 2, amountYen: 50n },
    { ledgerAccountId: 1, amountYen: -20n },
  ]);
  assert.deepEqual([...netYen], [[1, -50n], [2, 50n]]);
});
