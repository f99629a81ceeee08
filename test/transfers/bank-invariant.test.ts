import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { createTestDatabase, needsPostgres, type TestDatabase } from '../helpers/database.ts';
import { testDeps } from '../helpers/deps.ts';
import type { Deps } from '../../src/deps.ts';
import type { FakeClock } from '../../src/platform/clock.ts';
import { isAppError } from '../../src/errors.ts';
import { type Actor } from '../../src/modules/transfers/service.ts';
import { verifyLedger } from '../../src/modules/ledger/verify.ts';
import { addAccount, addContract, addPerson, newKey, otherOwnBranchCode, toAccount, today, type TestAccount, createAs } from './fixtures.ts';

/**
 * R8.6, the bank invariant: eight workers at once make two hundred random transfers each (BANK_INVARIANT_TRANSFERS for longer runs) among ten
 * accounts of the bank — ten companies paying each other, each account's own person sending from it,
 * through the service, each posted at once. Money is neither made nor lost (the accounts and the fee
 * income always add up to what was deposited), no account goes below zero, and every accepted
 * transfer is posted exactly once.
 */
const workers = 8;
const transfersPerWorker = Number(process.env.BANK_INVARIANT_TRANSFERS ?? 200);
const accountCount = 10;
const depositYen = 1_000_000n;
/** Large enough against the deposits that some transfers meet an empty account and are refused. */
const amountMaxYen = 400_000;
const checkEvery = 100;

let database: TestDatabase;
let deps: Deps & { clock: FakeClock };

before(async () => {
  database = await createTestDatabase({ poolSize: workers + 2 });
  // Each account's person finalises hundreds of transfers within the hour, each with its one-time password.
  deps = testDeps(database.db, { env: { EMAIL_OTP_SENDS_PER_HOUR: '1000000' } });
});
after(async () => {
  await database.drop();
});

/** A small seeded generator, so a failing run can be repeated with its seed. */
function generator(seed: number): (below: number) => number {
  let state = seed >>> 0;
  return (below) => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4_294_967_296) * below);
  };
}

test('eight workers × 200 random transfers among ten accounts: the total never changes, no balance below zero, each accepted transfer posted once', { skip: needsPostgres, timeout: 600_000 }, async () => {
  const seed = Number(process.env.BANK_INVARIANT_SEED ?? Date.now() % 1_000_000);
  const accounts: TestAccount[] = [];
  const owners: Actor[] = [];
  for (let i = 0; i < accountCount; i++) {
    const { contractId } = await addContract(deps, 'none');
    const account = await addAccount(deps, contractId, { fundYen: depositYen, branchCode: i % 2 === 0 ? '001' : otherOwnBranchCode });
    accounts.push(account);
    owners.push(await addPerson(deps, contractId, { register: true, send: true, perTransactionLimitYen: 10_000_000n, dailyLimitYen: 1_000_000_000_000n }, [account.id]));
  }
  const depositedYen = depositYen * BigInt(accountCount);

  const checks: string[] = [];
  const check = async () => {
    // One statement, one snapshot: the sums as they stand between committed transfers.
    const { rows } = await sql<{ customers: bigint; fees: bigint; lowest: bigint }>`
      SELECT sum(balance_yen) FILTER (WHERE kind = 'customer')::int8 AS customers,
             sum(balance_yen) FILTER (WHERE kind = 'fee_income')::int8 AS fees,
             min(balance_yen) FILTER (WHERE kind = 'customer')::int8 AS lowest
      FROM ledger_account`.execute(deps.db);
    const { customers, fees, lowest } = rows[0]!;
    if (customers + fees !== depositedYen) checks.push(`total ${customers} + ${fees} ≠ ${depositedYen}`);
    if (lowest < 0n) checks.push(`a balance of ${lowest}`);
  };

  const accepted: bigint[] = [];
  const refusedCodes = new Map<string, number>();
  await Promise.all(
    Array.from({ length: workers }, async (_, worker) => {
      const random = generator(seed * 31 + worker);
      for (let i = 0; i < transfersPerWorker; i++) {
        const payer = random(accountCount);
        const from = accounts[payer]!;
        const person = owners[payer]!;
        let to = accounts[random(accountCount - 1)]!;
        if (to.id === from.id) to = accounts[accountCount - 1]!;
        const amountYen = BigInt(1 + random(amountMaxYen));
        try {
          const { transfer } = await createAs(deps, person, { fromAccountId: from.id, destination: toAccount(to), amountYen, executionDate: today, idempotencyKey: newKey() });
          assert.equal(transfer.status, 'completed', `seed ${seed}`);
          accepted.push(transfer.id);
        } catch (error) {
          if (!isAppError(error)) throw error;
          refusedCodes.set(error.code, (refusedCodes.get(error.code) ?? 0) + 1);
        }
        if (i % checkEvery === 0) await check();
      }
    }),
  );
  await check();

  assert.deepEqual(checks, [], `seed ${seed}`);
  assert.deepEqual([...refusedCodes.keys()].filter((code) => code !== 'TRANSFER_INSUFFICIENT_FUNDS'), [], `only short balances are refused (seed ${seed})`);
  assert.ok(accepted.length > workers * transfersPerWorker * 0.5, `most transfers go through (${accepted.length}, seed ${seed})`);
  assert.ok((refusedCodes.get('TRANSFER_INSUFFICIENT_FUNDS') ?? 0) > 0, `some meet an empty account (seed ${seed})`);

  // Exactly once: one transfer entry per accepted transfer, none for anything else, and no reversal.
  const { rows: entries } = await sql<{ transfers: bigint; entries: bigint; distinct_transfers: bigint; reversals: bigint }>`
    SELECT (SELECT count(*) FROM transfer) AS transfers,
           count(*) FILTER (WHERE kind = 'transfer') AS entries,
           count(DISTINCT transfer_id) FILTER (WHERE kind = 'transfer') AS distinct_transfers,
           count(*) FILTER (WHERE kind = 'reversal') AS reversals
    FROM journal_entry`.execute(deps.db);
  const n = BigInt(accepted.length);
  assert.deepEqual(entries[0], { transfers: n, entries: n, distinct_transfers: n, reversals: 0n }, `seed ${seed}`);
  assert.equal(new Set(accepted).size, accepted.length);
  const verification = await verifyLedger(deps.db);
  assert.equal(verification.ok, true, verification.problems.join('\n'));
  assert.equal(verification.figures.totalYen, 0n);
});
