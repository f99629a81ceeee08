import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { testDeps } from '../helpers/deps.ts';
import type { Db } from '../../src/db/open.ts';
import type { Deps } from '../../src/deps.ts';
import { isAppError } from '../../src/errors.ts';
import { FakeClock } from '../../src/platform/clock.ts';
import { executeTransfer } from '../../src/modules/ledger/execute.ts';
import { bankLedgerShardCode } from '../../src/modules/ledger/bank-accounts.ts';
import { verifyLedger } from '../../src/modules/ledger/verify.ts';
import type { InterbankAdapter, InterbankOutcome } from '../../src/interbank.ts';
import { addAccount, addContract, balanceOf, bankBalanceOf, deposit, insertTransfer, type LedgerContract, type LedgerTestAccount } from './fixtures.ts';

/**
 * Executing a due transfer (R8.2, R8.6): the money moves as one balanced entry, a failure leaves
 * the paying account as it was, and each result is audited and mailed (R7.3) in the same transaction.
 */
let database: TestDatabase;
let db: Db;
let clock: FakeClock;
let deps: Deps;
let contract: LedgerContract;
let payer: LedgerTestAccount;
let payee: LedgerTestAccount;
const today = '2026-04-01';
/** Mizuho Bank, head office: another bank, in the Zengin data. */
const otherBank = { bankCode: '0001', branchCode: '001', accountNumber: '7654321' };

before(async () => {
  database = await createTestDatabase();
  db = database.db;
  clock = new FakeClock('2026-04-01T00:30:00Z'); // 09:30 in Tokyo
  deps = testDeps(db, { clock });
  contract = await addContract(db);
  payer = await addAccount(db, contract.contractId);
  payee = await addAccount(db, contract.contractId, { branchCode: '002' });
  await deposit(db, payer.ledgerAccountId, 1_000_000n);
});
after(() => database.drop());

function toPayee() {
  return { bankCode: deps.config.bankCode, branchCode: payee.branchCode, accountNumber: payee.accountNumber, nameKana: 'ﾓﾄﾁﾖｳ ﾊﾅｺ' };
}

/** Executes in a transaction of its own; the transfer it returns is the one stored once it committed. */
async function run(transferId: bigint, onInsufficientFunds: 'refuse' | 'fail' = 'fail', withDeps: Deps = deps) {
  const { transfer, ...outcome } = await db.transaction().execute((tx) => executeTransfer(withDeps, tx, transferId, { onInsufficientFunds }));
  assert.deepEqual(transfer, await transferRow(transferId));
  return outcome;
}

async function transferRow(id: bigint) {
  return db.selectFrom('transfer').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

async function entriesOf(transferId: bigint) {
  const entries = await db.selectFrom('journal_entry').selectAll().where('transfer_id', '=', transferId).orderBy('id').execute();
  return Promise.all(
    entries.map(async (entry) => ({
      entry,
      postings: await db.selectFrom('posting').selectAll().where('entry_id', '=', entry.id).orderBy('id').execute(),
    })),
  );
}

async function mailsAbout(transferId: bigint) {
  const mails = await db.selectFrom('outbox').select(['recipient', 'subject', 'body']).where('body', 'like', `%: ${transferId}\n%`).orderBy('id').execute();
  return mails.filter((m) => m.body.includes(`受付番号: ${transferId}\n`));
}

async function auditOf(transferId: bigint) {
  const rows = await db.selectFrom('audit_log').select(['action', 'outcome', 'reason', 'details', 'contract_id']).where('action', '=', 'transfer.execute').execute();
  return rows.filter((row) => row.details.transferId === transferId.toString());
}

async function assertLedgerVerifies() {
  const result = await verifyLedger(db);
  assert.deepEqual(result.problems, []);
}

test('a same-bank transfer moves amount and fee in one entry, completes, and is audited and mailed', async () => {
  const payerBefore = await balanceOf(db, payer.ledgerAccountId);
  const payeeBefore = await balanceOf(db, payee.ledgerAccountId);
  const feeBefore = await bankBalanceOf(db, 'fee_income');
  const transfer = await insertTransfer(db, { contract, from: payer, to: toPayee(), amountYen: 25_000n, feeYen: 110n, executionDate: today });

  assert.deepEqual(await run(transfer.id), { outcome: 'completed' });

  assert.equal(await balanceOf(db, payer.ledgerAccountId), payerBefore - 25_110n);
  assert.equal(await balanceOf(db, payee.ledgerAccountId), payeeBefore + 25_000n);
  assert.equal(await bankBalanceOf(db, 'fee_income'), feeBefore + 110n);
  const row = await transferRow(transfer.id);
  assert.equal(row.status, 'completed');
  assert.equal(row.status_reason, null);
  assert.deepEqual(row.completed_at, clock.now());
  const [posted, ...others] = await entriesOf(transfer.id);
  assert.equal(others.length, 0);
  assert.equal(posted!.entry.kind, 'transfer');
  assert.equal(posted!.entry.value_date, today);
  assert.equal(posted!.entry.description, 'ﾓﾄﾁﾖｳ ﾊﾅｺ');
  const feeShard = await db.selectFrom('ledger_account').select('id').where('code', '=', bankLedgerShardCode('fee_income', transfer.id)).executeTakeFirstOrThrow();
  assert.deepEqual(
    posted!.postings.map((p) => [p.ledger_account_id, p.amount_yen, p.description]),
    [
      // The paying account's statement: the transfer and its fee as two lines (R8.1); the payee account is the contract's own, so 振替.
      [payer.ledgerAccountId, -25_000n, '振替 ﾓﾄﾁﾖｳ ﾊﾅｺ'],
      [payee.ledgerAccountId, 25_000n, `ﾌﾘｺﾐ ${payer.holderKana}`],
      [payer.ledgerAccountId, -110n, '振込手数料'],
      [feeShard.id, 110n, null],
    ],
  );
  const [audit] = await auditOf(transfer.id);
  assert.equal(audit?.outcome, 'success');
  assert.equal(audit?.contract_id, contract.contractId);
  const mails = await mailsAbout(transfer.id);
  // The default setting (operator_and_master): the creator and the master.
  assert.deepEqual(mails.map((m) => m.recipient).sort(), [contract.masterEmail, contract.operatorEmail].sort());
  const body = mails[0]!.body;
  for (const fact of ['振込完了', '25,000円', '110円', today, 'ﾓﾄﾁﾖｳ ﾊﾅｺ', payee.accountNumber, '普通', '----', 'Transfer completed', 'Amount: 25,000 yen']) {
    assert.ok(mails[0]!.subject.includes(fact) || body.includes(fact), `the result email says ${fact}`);
  }
  assert.ok(body.indexOf('振込金額') < body.indexOf('Amount:'), 'Japanese first, English below');
  await assertLedgerVerifies();
});

test('a transfer runs once: a second execution of the same transfer is refused and moves nothing', async () => {
  const transfer = await insertTransfer(db, { contract, from: payer, to: toPayee(), amountYen: 1_000n, executionDate: today });
  assert.deepEqual(await run(transfer.id), { outcome: 'completed' });
  const balance = await balanceOf(db, payer.ledgerAccountId);
  await assert.rejects(run(transfer.id), /is scheduled and due/);
  assert.equal(await balanceOf(db, payer.ledgerAccountId), balance);
  assert.equal((await entriesOf(transfer.id)).length, 1);
});

test('a transfer dated after today in Tokyo is not executed', async () => {
  const transfer = await insertTransfer(db, { contract, from: payer, to: toPayee(), amountYen: 1_000n, executionDate: '2026-04-02' });
  await assert.rejects(run(transfer.id), /is scheduled and due/);
  assert.equal((await transferRow(transfer.id)).status, 'scheduled');
  // 15:00 UTC is midnight in Tokyo: the next day has begun there.
  const late = testDeps(db, { clock: new FakeClock('2026-04-01T15:00:00Z') });
  assert.deepEqual(await run(transfer.id, 'fail', late), { outcome: 'completed' });
});

test('a transfer to another bank goes through clearing with its fee, settled by the adapter', async () => {
  const clearingBefore = await bankBalanceOf(db, 'clearing');
  const feeBefore = await bankBalanceOf(db, 'fee_income');
  const seen: bigint[] = [];
  const adapter: InterbankAdapter = {
    settle: async (transfer) => {
      assert.equal(transfer.status, 'scheduled', 'the adapter sees the transfer as it fell due');
      seen.push(transfer.id);
      return { settled: true };
    },
  };
  const transfer = await insertTransfer(db, { contract, from: payer, to: otherBank, amountYen: 40_000n, feeYen: 440n, executionDate: today });
  assert.deepEqual(await run(transfer.id, 'fail', { ...deps, interbank: adapter }), { outcome: 'completed' });
  assert.deepEqual(seen, [transfer.id]);
  assert.equal(await bankBalanceOf(db, 'clearing'), clearingBefore + 40_000n);
  assert.equal(await bankBalanceOf(db, 'fee_income'), feeBefore + 440n);
  const mails = await mailsAbout(transfer.id);
  assert.ok(mails.length > 0);
  assert.ok(mails[0]!.body.includes('みずほ'), 'the result email names the bank from the Zengin data');
  await assertLedgerVerifies();
});

for (const reason of ['account_closed', 'account_unknown', 'name_mismatch', 'rejected'] as const) {
  test(`another bank's rejection (${reason}) is reversed: the payer gets amount and fee back, and is told why`, async () => {
    const payerBefore = await balanceOf(db, payer.ledgerAccountId);
    const clearingBefore = await bankBalanceOf(db, 'clearing');
    const feeBefore = await bankBalanceOf(db, 'fee_income');
    const adapter: InterbankAdapter = { settle: async (): Promise<InterbankOutcome> => ({ settled: false, reason }) };
    const transfer = await insertTransfer(db, { contract, from: payer, to: otherBank, amountYen: 9_000n, feeYen: 330n, executionDate: today });

    assert.deepEqual(await run(transfer.id, 'fail', { ...deps, interbank: adapter }), { outcome: 'failed', reason });

    assert.equal(await balanceOf(db, payer.ledgerAccountId), payerBefore);
    assert.equal(await bankBalanceOf(db, 'clearing'), clearingBefore);
    assert.equal(await bankBalanceOf(db, 'fee_income'), feeBefore);
    const row = await transferRow(transfer.id);
    assert.equal(row.status, 'failed');
    assert.equal(row.status_reason, reason);
    const [posted, reversal] = await entriesOf(transfer.id);
    assert.equal(reversal!.entry.kind, 'reversal');
    assert.equal(reversal!.entry.reverses_entry_id, posted!.entry.id);
    assert.match(reversal!.entry.description, /^ﾌﾘｺﾐﾌﾉｳ /);
    const [audit] = await auditOf(transfer.id);
    assert.equal(audit?.outcome, 'failure');
    assert.equal(audit?.reason, reason);
    const mails = await mailsAbout(transfer.id);
    assert.equal(mails.length, 2);
    assert.match(mails[0]!.subject, /振込不能/);
    assert.ok(mails[0]!.body.includes('お戻し'), 'the email says the money was returned');
    await assertLedgerVerifies();
  });
}

test('an adapter that throws rolls everything back: the transfer stays scheduled for a later run', async () => {
  const payerBefore = await balanceOf(db, payer.ledgerAccountId);
  const adapter: InterbankAdapter = { settle: async () => { throw new Error('link down'); } };
  const transfer = await insertTransfer(db, { contract, from: payer, to: otherBank, amountYen: 5_000n, executionDate: today });
  await assert.rejects(run(transfer.id, 'fail', { ...deps, interbank: adapter }), /link down/);
  assert.equal((await transferRow(transfer.id)).status, 'scheduled');
  assert.equal(await balanceOf(db, payer.ledgerAccountId), payerBefore);
  assert.deepEqual(await mailsAbout(transfer.id), []);
  assert.deepEqual(await run(transfer.id), { outcome: 'completed' });
});

test("with 'refuse', insufficient funds is an AppError on the amount and the caller's transaction keeps nothing", async () => {
  const poor = await addAccount(db, contract.contractId);
  await deposit(db, poor.ledgerAccountId, 10_000n);
  const transfer = await insertTransfer(db, { contract, from: poor, to: toPayee(), amountYen: 9_900n, feeYen: 110n + 1n, executionDate: today });
  const error = await run(transfer.id, 'refuse').then(() => undefined, (caught: unknown) => caught);
  assert.ok(isAppError(error));
  assert.equal(error.code, 'LEDGER_INSUFFICIENT_FUNDS');
  assert.equal(error.field, 'amount');
  assert.equal((await transferRow(transfer.id)).status, 'scheduled');
  assert.equal(await balanceOf(db, poor.ledgerAccountId), 10_000n);
  assert.deepEqual(await mailsAbout(transfer.id), []);
  assert.deepEqual(await auditOf(transfer.id), []);
});

test("with 'fail', insufficient funds fails the transfer without posting, and the email says nothing was taken", async () => {
  const poor = await addAccount(db, contract.contractId);
  await deposit(db, poor.ledgerAccountId, 10_000n);
  const transfer = await insertTransfer(db, { contract, from: poor, to: toPayee(), amountYen: 10_000n, feeYen: 110n, executionDate: today });
  assert.deepEqual(await run(transfer.id, 'fail'), { outcome: 'failed', reason: 'insufficient_funds' });
  assert.equal((await transferRow(transfer.id)).status_reason, 'insufficient_funds');
  assert.equal(await balanceOf(db, poor.ledgerAccountId), 10_000n);
  assert.deepEqual(await entriesOf(transfer.id), []);
  const mails = await mailsAbout(transfer.id);
  assert.ok(mails.length > 0 && mails.every((m) => m.body.includes('残高不足') && m.body.includes('引落しはありません')));
  // Exactly the balance (amount + fee) is enough.
  const exact = await insertTransfer(db, { contract, from: poor, to: toPayee(), amountYen: 9_890n, feeYen: 110n, executionDate: today });
  assert.deepEqual(await run(exact.id, 'fail'), { outcome: 'completed' });
  assert.equal(await balanceOf(db, poor.ledgerAccountId), 0n);
  await assertLedgerVerifies();
});

test('a same-bank payee account that is closed or does not exist fails the transfer and moves nothing', async () => {
  const closed = await addAccount(db, contract.contractId);
  await db.updateTable('account').set({ closed_at: clock.now() }).where('id', '=', closed.accountId).execute();
  const payerBefore = await balanceOf(db, payer.ledgerAccountId);
  const cases = [
    { to: { bankCode: deps.config.bankCode, branchCode: closed.branchCode, accountNumber: closed.accountNumber }, reason: 'account_closed' },
    { to: { bankCode: deps.config.bankCode, branchCode: '001', accountNumber: '0000009' }, reason: 'account_unknown' },
    { to: { bankCode: deps.config.bankCode, branchCode: payee.branchCode, accountType: 'current' as const, accountNumber: payee.accountNumber }, reason: 'account_unknown' },
  ];
  for (const { to, reason } of cases) {
    const transfer = await insertTransfer(db, { contract, from: payer, to, amountYen: 3_000n, feeYen: 110n, executionDate: today });
    assert.deepEqual(await run(transfer.id, 'refuse'), { outcome: 'failed', reason });
    assert.deepEqual(await entriesOf(transfer.id), []);
    assert.equal((await mailsAbout(transfer.id)).length, 2);
  }
  assert.equal(await balanceOf(db, payer.ledgerAccountId), payerBefore);
  await assertLedgerVerifies();
});

test('a closed paying account fails the transfer before any money moves', async () => {
  const gone = await addAccount(db, contract.contractId);
  await deposit(db, gone.ledgerAccountId, 5_000n);
  await db.updateTable('account').set({ closed_at: clock.now() }).where('id', '=', gone.accountId).execute();
  const transfer = await insertTransfer(db, { contract, from: gone, to: toPayee(), amountYen: 1_000n, executionDate: today });
  assert.deepEqual(await run(transfer.id), { outcome: 'failed', reason: 'source_account_closed' });
  assert.equal(await balanceOf(db, gone.ledgerAccountId), 5_000n);
});

test('the result email goes to whom the contract says: operators (creator and sender), the master, or both', async () => {
  const expectations = {
    operator: (c: LedgerContract) => [c.operatorEmail, c.senderEmail],
    master: (c: LedgerContract) => [c.masterEmail],
    operator_and_master: (c: LedgerContract) => [c.masterEmail, c.operatorEmail, c.senderEmail],
  } as const;
  for (const [setting, expected] of Object.entries(expectations) as [keyof typeof expectations, (c: LedgerContract) => string[]][]) {
    const other = await addContract(db, { resultEmailTo: setting });
    const account = await addAccount(db, other.contractId);
    await deposit(db, account.ledgerAccountId, 10_000n);
    const transfer = await insertTransfer(db, { contract: other, from: account, to: toPayee(), amountYen: 500n, executionDate: today, sentBy: other.senderRef });
    await run(transfer.id);
    assert.deepEqual((await mailsAbout(transfer.id)).map((m) => m.recipient).sort(), expected(other).sort(), setting);
  }
  // A master who operated it is mailed once.
  const own = await addContract(db, { resultEmailTo: 'operator_and_master' });
  const account = await addAccount(db, own.contractId);
  await deposit(db, account.ledgerAccountId, 10_000n);
  const transfer = await insertTransfer(db, { contract: own, from: account, to: toPayee(), amountYen: 500n, executionDate: today, createdBy: own.masterRef, sentBy: own.masterRef });
  await run(transfer.id);
  assert.deepEqual((await mailsAbout(transfer.id)).map((m) => m.recipient), [own.masterEmail]);
});
