import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import pg from 'pg';
import { createTestDatabase, needsPostgres, onPostgres, type TestDatabase } from '../helpers/database.ts';
import { testDeps } from '../helpers/deps.ts';
import type { Db } from '../../src/db/open.ts';
import { FakeClock } from '../../src/platform/clock.ts';
import { executeTransfer } from '../../src/modules/ledger/execute.ts';
import { bankLedgerShardCode } from '../../src/modules/ledger/bank-accounts.ts';
import { recordAudit } from '../../src/audit/audit-trail.ts';
import { verifyAuditChain } from '../../src/audit/verify.ts';
import type { InterbankAdapter } from '../../src/interbank.ts';
import { addAccount, addContract, deposit, insertTransfer } from './fixtures.ts';

/**
 * [PG] Decision 0026: a transfer's execution locks its contract's audit head only in its append,
 * after the posting. So while one transfer of a contract holds its ledger accounts between posting
 * and append (here: waiting on the other bank's answer), a second transfer of the same contract
 * from another account claims, posts, appends and commits. When the claim locked the head, the
 * second waited for the first to commit.
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

test("a second transfer of a contract posts and commits while the first holds its ledger accounts before its append", { skip: needsPostgres, timeout: 60_000 }, async () => {
  const clock = new FakeClock('2026-04-01T00:30:00Z'); // 09:30 in Tokyo
  const contract = await addContract(db);
  const [first, second] = [await addAccount(db, contract.contractId), await addAccount(db, contract.contractId)];
  await deposit(db, first.ledgerAccountId, 100_000n);
  await deposit(db, second.ledgerAccountId, 100_000n);
  // The contract's chain has its head, as onboarding leaves it.
  await recordAudit(db, { at: clock.now(), contractId: contract.contractId, userRef: null, actor: 'system', action: 'contract.open', outcome: 'info' });
  const firstTransfer = await insertTransfer(db, { contract, from: first, to: otherBank, amountYen: 1_000n, executionDate: '2026-04-01' });
  const secondTransfer = await insertTransfer(db, { contract, from: second, to: otherBank, amountYen: 2_000n, executionDate: '2026-04-01' });
  // No ledger account in common: another source, another clearing row.
  assert.notEqual(bankLedgerShardCode('clearing', firstTransfer.id), bankLedgerShardCode('clearing', secondTransfer.id));

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
  const firstRun = db.transaction().execute((tx) => executeTransfer({ ...testDeps(db, { clock }), interbank: slowBank }, tx, firstTransfer.id, { onInsufficientFunds: 'fail' }));
  const prober = new pg.Client({ connectionString: database!.url! });
  await prober.connect();
  try {
    await inSettlement;
    // The first has posted and holds its source account until it commits.
    await prober.query('BEGIN');
    const held = await prober.query('SELECT id FROM ledger_account WHERE id = $1 FOR UPDATE NOWAIT', [first.ledgerAccountId]).then(
      () => false,
      (error: { code?: string }) => (error.code === '55P03' ? true : Promise.reject(error)),
    );
    await prober.query('ROLLBACK');
    assert.ok(held, 'the first transfer holds its source account while it waits for the other bank');

    const secondRun = db.transaction().execute((tx) => executeTransfer(testDeps(db, { clock }), tx, secondTransfer.id, { onInsufficientFunds: 'fail' }));
    const outcome = await Promise.race([secondRun.then((result) => result.outcome), delay(10_000, undefined, { ref: false }).then(() => 'still waiting')]);
    assert.equal(outcome, 'completed', 'the second transfer ran to its commit without waiting for the first');
    answer();
    assert.equal((await firstRun).outcome, 'completed');
  } finally {
    answer();
    await prober.end();
  }
  const actions = await db.selectFrom('audit_log').select(['action', 'details']).where('chain', '=', contract.contractId).orderBy('seq').execute();
  // The second was appended first: the chain orders what committed, each record in its transaction.
  assert.deepEqual(actions.map((row) => [row.action, row.details.transferId ?? null]), [
    ['contract.open', null],
    ['transfer.execute', secondTransfer.id.toString()],
    ['transfer.execute', firstTransfer.id.toString()],
  ]);
  assert.equal((await verifyAuditChain(db, { chain: contract.contractId })).ok, true);
});
