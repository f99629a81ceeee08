import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { createTestDatabase, needsPostgres, onPostgres, type TestDatabase } from '../helpers/database.ts';
import { testDeps } from '../helpers/deps.ts';
import type { Db } from '../../src/db/open.ts';
import { FakeClock } from '../../src/platform/clock.ts';
import { tokyoDate } from '../../src/domain/business-days.ts';
import { claimDueTransfer } from '../../src/modules/ledger/claim.ts';
import { executeTransfer } from '../../src/modules/ledger/execute.ts';
import { verifyLedger } from '../../src/modules/ledger/verify.ts';
import type { InterbankAdapter } from '../../src/interbank.ts';
import { addAccount, addContract, balanceOf, deposit, insertTransfer } from './fixtures.ts';

/**
 * [PG] Decision 0031: the paying ledger account is locked by the posting's statement, not by the
 * claim. While one transfer has claimed and not yet posted, a second from the same account posts
 * and commits; once the first has posted, a third from that account waits for its commit. When the
 * claim locked the account, the second waited from the first's claim on.
 */
let database: TestDatabase | undefined;
let db: Db;
before(async () => {
  if (!onPostgres) return;
  database = await createTestDatabase({ poolSize: 4 });
  db = database.db;
});
after(() => database?.drop());

const otherBank = { bankCode: '0001', branchCode: '001', accountNumber: '7654321' };

/** Thrown to roll back the transaction that only claimed. */
class ClaimOnly extends Error {}

test('a second transfer from one account waits for the first only from its posting, not its claim', { skip: needsPostgres, timeout: 60_000 }, async () => {
  const clock = new FakeClock('2026-04-01T00:30:00Z'); // 09:30 in Tokyo
  const deps = testDeps(db, { clock });
  const contract = await addContract(db);
  const paying = await addAccount(db, contract.contractId);
  await deposit(db, paying.ledgerAccountId, 100_000n);
  const [first, second, third] = [
    await insertTransfer(db, { contract, from: paying, to: otherBank, amountYen: 1_000n, feeYen: 110n, executionDate: '2026-04-01' }),
    await insertTransfer(db, { contract, from: paying, to: otherBank, amountYen: 2_000n, feeYen: 110n, executionDate: '2026-04-01' }),
    await insertTransfer(db, { contract, from: paying, to: otherBank, amountYen: 3_000n, feeYen: 110n, executionDate: '2026-04-01' }),
  ];
  const within = <T>(run: Promise<T>, ms: number) => Promise.race([run, delay(ms, undefined, { ref: false }).then(() => 'still waiting' as const)]);

  // 1. The first is claimed and held there: the second runs to its commit meanwhile.
  let claimed!: () => void;
  const isClaimed = new Promise<void>((resolve) => (claimed = resolve));
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const claimOnly = db.transaction().execute(async (tx) => {
    const now = clock.now();
    assert.ok(await claimDueTransfer(tx, { transferId: first.id, today: tokyoDate(now), now, bankCode: deps.config.bankCode }));
    claimed();
    await released;
    throw new ClaimOnly();
  }).catch((error: unknown) => {
    if (!(error instanceof ClaimOnly)) throw error;
  });
  try {
    await isClaimed;
    const secondRun = db.transaction().execute((tx) => executeTransfer(deps, tx, second.id, { onInsufficientFunds: 'fail' }));
    const outcome = await within(secondRun.then((result) => result.outcome), 5_000);
    assert.equal(outcome, 'completed', 'the second transfer posted and committed while the first was claimed');
  } finally {
    release();
    await claimOnly;
  }

  // 2. The first runs and is held after its posting (the other bank's answer): the third waits.
  let entered!: () => void;
  const inSettlement = new Promise<void>((resolve) => (entered = resolve));
  let answer!: () => void;
  const answered = new Promise<void>((resolve) => (answer = resolve));
  const slowBank: InterbankAdapter = {
    settle: async () => {
      entered();
      await answered;
      return { settled: true };
    },
  };
  const firstRun = db.transaction().execute((tx) => executeTransfer({ ...deps, interbank: slowBank }, tx, first.id, { onInsufficientFunds: 'fail' }));
  try {
    await inSettlement;
    const thirdRun = db.transaction().execute((tx) => executeTransfer(deps, tx, third.id, { onInsufficientFunds: 'fail' }));
    assert.equal(await within(thirdRun, 300), 'still waiting', 'the third waits for the first, which has posted');
    answer();
    assert.equal((await firstRun).outcome, 'completed');
    assert.equal((await thirdRun).outcome, 'completed');
  } finally {
    answer();
  }
  assert.equal(await balanceOf(db, paying.ledgerAccountId), 100_000n - 6_000n - 3n * 110n);
  assert.deepEqual((await verifyLedger(db)).problems, []);
});
