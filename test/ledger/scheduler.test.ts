import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, needsPostgres, type TestDatabase } from '../helpers/database.ts';
import { testDeps } from '../helpers/deps.ts';
import { openDatabase, type Db } from '../../src/db/open.ts';
import type { Deps } from '../../src/deps.ts';
import { FakeClock } from '../../src/platform/clock.ts';
import { runDueTransfers, startTransferScheduler } from '../../src/modules/ledger/scheduler.ts';
import { verifyLedger } from '../../src/modules/ledger/verify.ts';
import type { InterbankAdapter } from '../../src/interbank.ts';
import { addAccount, addContract, balanceOf, deposit, insertTransfer, type LedgerContract, type LedgerTestAccount } from './fixtures.ts';

/**
 * R8.2: a future-dated transfer is posted by the scheduler on its date (Asia/Tokyo), not before,
 * exactly once however many service processes run the scheduler; a failure on the date is
 * reversed or refused and reported by the result email (R7.3).
 */
let database: TestDatabase;
let db: Db;
let clock: FakeClock;
let deps: Deps & { clock: FakeClock };
let contract: LedgerContract;
let payer: LedgerTestAccount;
let payee: LedgerTestAccount;

before(async () => {
  database = await createTestDatabase();
  db = database.db;
  clock = new FakeClock('2026-04-01T00:00:00Z');
  deps = testDeps(db, { clock });
  contract = await addContract(db);
  payer = await addAccount(db, contract.contractId);
  payee = await addAccount(db, contract.contractId);
  await deposit(db, payer.ledgerAccountId, 1_000_000n);
});
after(() => database.drop());

const toPayee = () => ({ bankCode: deps.config.bankCode, branchCode: payee.branchCode, accountNumber: payee.accountNumber });

async function statusOf(id: bigint) {
  return (await db.selectFrom('transfer').select(['status', 'status_reason']).where('id', '=', id).executeTakeFirstOrThrow());
}

async function entryKinds(transferId: bigint) {
  return (await db.selectFrom('journal_entry').select('kind').where('transfer_id', '=', transferId).orderBy('id').execute()).map((e) => e.kind);
}

async function resultMails(transferId: bigint) {
  const mails = await db.selectFrom('outbox').select(['recipient', 'subject', 'body']).where('body', 'like', `%受付番号: ${transferId}\n%`).execute();
  return mails;
}

/** Nothing else is due: each test leaves no scheduled transfer of an earlier date behind. */
async function settleEverythingDue() {
  await runDueTransfers(deps);
}

test('a future transfer is posted on its date in Tokyo and not before, and only once', async () => {
  await settleEverythingDue();
  clock.set('2026-04-01T00:00:00Z');
  const transfer = await insertTransfer(db, { contract, from: payer, to: toPayee(), amountYen: 12_345n, feeYen: 110n, executionDate: '2026-04-03' });
  const payerBefore = await balanceOf(db, payer.ledgerAccountId);

  assert.equal(await runDueTransfers(deps), 0);
  clock.set('2026-04-02T14:59:59Z'); // 23:59:59 on April 2 in Tokyo
  assert.equal(await runDueTransfers(deps), 0);
  assert.equal((await statusOf(transfer.id)).status, 'scheduled');
  assert.equal(await balanceOf(db, payer.ledgerAccountId), payerBefore);

  clock.set('2026-04-02T15:00:00Z'); // midnight: April 3 in Tokyo
  assert.equal(await runDueTransfers(deps), 1);
  assert.equal((await statusOf(transfer.id)).status, 'completed');
  assert.equal(await balanceOf(db, payer.ledgerAccountId), payerBefore - 12_455n);

  clock.set('2026-04-03T03:00:00Z');
  assert.equal(await runDueTransfers(deps), 0);
  assert.deepEqual(await entryKinds(transfer.id), ['transfer']);
  assert.equal((await resultMails(transfer.id)).length, 2);
});

test('a transfer whose date passed while no scheduler ran is posted at the next run, oldest first', async () => {
  await settleEverythingDue();
  const later = await insertTransfer(db, { contract, from: payer, to: toPayee(), amountYen: 2n, executionDate: '2026-04-06' });
  const earlier = await insertTransfer(db, { contract, from: payer, to: toPayee(), amountYen: 1n, executionDate: '2026-04-03' });
  clock.set('2026-04-08T01:00:00Z');
  assert.equal(await runDueTransfers(deps, { batchSize: 1 }), 1);
  assert.equal((await statusOf(earlier.id)).status, 'completed');
  assert.equal((await statusOf(later.id)).status, 'scheduled');
  assert.equal(await runDueTransfers(deps), 1);
  assert.equal((await statusOf(later.id)).status, 'completed');
});

test('failures on the date are reported with the result email: insufficient funds, a closed account, a rejection reversed', async () => {
  await settleEverythingDue();
  clock.set('2026-04-09T00:00:00Z');
  const date = '2026-04-10';
  const poor = await addAccount(db, contract.contractId);
  await deposit(db, poor.ledgerAccountId, 1_000n);
  const closed = await addAccount(db, contract.contractId);
  const short = await insertTransfer(db, { contract, from: poor, to: toPayee(), amountYen: 1_000n, feeYen: 110n, executionDate: date });
  const toClosed = await insertTransfer(db, { contract, from: payer, to: { bankCode: deps.config.bankCode, branchCode: closed.branchCode, accountNumber: closed.accountNumber }, amountYen: 500n, executionDate: date });
  const rejected = await insertTransfer(db, { contract, from: payer, to: { bankCode: '0005', branchCode: '001', accountNumber: '1111111' }, amountYen: 7_000n, feeYen: 440n, executionDate: date });
  // The account is closed after the transfer was made and before its date.
  await db.updateTable('account').set({ closed_at: clock.now() }).where('id', '=', closed.accountId).execute();
  const payerBefore = await balanceOf(db, payer.ledgerAccountId);
  const adapter: InterbankAdapter = { settle: async () => ({ settled: false, reason: 'rejected' }) };

  clock.set('2026-04-10T00:00:00Z');
  assert.equal(await runDueTransfers({ ...deps, interbank: adapter }), 3);

  assert.deepEqual(await statusOf(short.id), { status: 'failed', status_reason: 'insufficient_funds' });
  assert.deepEqual(await statusOf(toClosed.id), { status: 'failed', status_reason: 'account_closed' });
  assert.deepEqual(await statusOf(rejected.id), { status: 'failed', status_reason: 'rejected' });
  assert.deepEqual(await entryKinds(short.id), []);
  assert.deepEqual(await entryKinds(toClosed.id), []);
  assert.deepEqual(await entryKinds(rejected.id), ['transfer', 'reversal']);
  assert.equal(await balanceOf(db, poor.ledgerAccountId), 1_000n);
  assert.equal(await balanceOf(db, payer.ledgerAccountId), payerBefore);
  for (const [transfer, reason] of [[short, '残高不足'], [toClosed, '解約済み'], [rejected, '受付不能']] as const) {
    const mails = await resultMails(transfer.id);
    assert.deepEqual(mails.map((m) => m.recipient).sort(), [contract.masterEmail, contract.operatorEmail].sort());
    assert.ok(mails.every((m) => m.subject.includes('振込不能') && m.body.includes(reason)), `the email gives the reason ${reason}`);
  }
  assert.deepEqual((await verifyLedger(db)).problems, []);
});

test('a transfer whose execution throws is left scheduled and reported, and the others still run', async () => {
  await settleEverythingDue();
  clock.set('2026-04-13T00:00:00Z');
  const first = await insertTransfer(db, { contract, from: payer, to: { bankCode: '0005', branchCode: '001', accountNumber: '2222222' }, amountYen: 100n, executionDate: '2026-04-13' });
  const second = await insertTransfer(db, { contract, from: payer, to: toPayee(), amountYen: 100n, executionDate: '2026-04-13' });
  const down: InterbankAdapter = { settle: async () => { throw new Error('link down'); } };
  const reported: bigint[] = [];
  assert.equal(await runDueTransfers({ ...deps, interbank: down }, { onError: (_error, id) => reported.push(id) }), 1);
  assert.deepEqual(reported, [first.id]);
  assert.equal((await statusOf(first.id)).status, 'scheduled');
  assert.equal((await statusOf(second.id)).status, 'completed');
  // Without a handler the run still executes what it can, then throws.
  await assert.rejects(runDueTransfers({ ...deps, interbank: down }), AggregateError);
  assert.equal(await runDueTransfers(deps), 1);
  assert.equal((await statusOf(first.id)).status, 'completed');
});

test('the scheduler loop runs at once, and stop() waits for the run in progress', async () => {
  await settleEverythingDue();
  clock.set('2026-04-14T00:00:00Z');
  const transfer = await insertTransfer(db, { contract, from: payer, to: toPayee(), amountYen: 10n, executionDate: '2026-04-14' });
  const errors: unknown[] = [];
  const scheduler = startTransferScheduler(deps, { intervalMs: 60_000, onError: (error) => errors.push(error) });
  for (let i = 0; i < 200 && (await statusOf(transfer.id)).status === 'scheduled'; i++) await new Promise((resolve) => setImmediate(resolve));
  await scheduler.stop();
  assert.deepEqual(errors, []);
  assert.equal((await statusOf(transfer.id)).status, 'completed');
});

test('two service processes running the scheduler at once post each due transfer exactly once', { skip: needsPostgres }, async () => {
  await settleEverythingDue();
  const date = '2026-04-15';
  clock.set('2026-04-14T00:00:00Z');
  const accounts: LedgerTestAccount[] = [];
  for (let i = 0; i < 5; i++) {
    const account = await addAccount(db, contract.contractId);
    await deposit(db, account.ledgerAccountId, 50_000n);
    accounts.push(account);
  }
  // Transfers in both directions between the same few accounts: lock order is tested too.
  const transferCount = 120;
  const ids: bigint[] = [];
  for (let i = 0; i < transferCount; i++) {
    const from = accounts[i % accounts.length]!;
    const to = accounts[(i + 1 + (i % 3)) % accounts.length]!;
    const row = await insertTransfer(db, { contract, from, to: { bankCode: deps.config.bankCode, branchCode: to.branchCode, accountNumber: to.accountNumber }, amountYen: BigInt(100 + i), feeYen: i % 2 === 0 ? 110n : 0n, executionDate: date });
    ids.push(row.id);
  }
  clock.set('2026-04-15T00:00:00Z');
  // Two processes' worth of Deps, each with a pool of its own, four scheduler runs each at once.
  const pools = [await openDatabase({ databaseUrl: database.url!, poolSize: 4 }), await openDatabase({ databaseUrl: database.url!, poolSize: 4 })];
  try {
    const runs = pools.flatMap((pool) => Array.from({ length: 4 }, () => runDueTransfers(testDeps(pool, { clock }))));
    const counts = await Promise.all(runs);
    assert.equal(counts.reduce((a, b) => a + b, 0), transferCount);
    assert.ok(counts.filter((c) => c > 0).length > 1, 'the work was shared');
  } finally {
    await Promise.all(pools.map((pool) => pool.destroy()));
  }
  const rows = await db.selectFrom('transfer').select(['id', 'status']).where('id', 'in', ids).execute();
  assert.ok(rows.every((row) => row.status === 'completed'));
  const entries = await db.selectFrom('journal_entry').select('transfer_id').where('transfer_id', 'in', ids).execute();
  assert.equal(entries.length, transferCount);
  assert.equal(new Set(entries.map((e) => e.transfer_id)).size, transferCount);
  const audits = await db.selectFrom('audit_log').select('details').where('action', '=', 'transfer.execute').execute();
  assert.equal(audits.filter((a) => ids.map(String).includes(String(a.details.transferId))).length, transferCount);
  assert.deepEqual((await verifyLedger(db)).problems, []);
});
