import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { errorCode } from '../helpers/client.ts';
import { appForFile, assertNoStackTrace, outboxTo } from '../helpers/http-app.ts';
import { moneyContract } from '../transfers/pages/support.ts';
import { verifyLedger } from '../../src/modules/ledger/verify.ts';
import { runDueBulkFiles } from '../../src/modules/bulk/scheduler.ts';
import { readZengin } from '../../src/domain/zengin/read.ts';
import { bulkState, bulkUser, fileStep, manyRecords, ownBankCode, uploadBulk, uploadedId, zenginBytes } from './support.ts';

/**
 * R8.4, R8.5 at the pages: a file registered by its maker, approved by another person with their
 * confirmation password, sent, posted as one journal entry and settled; what the other banks (and
 * this bank) could not credit is returned one record at a time and listed; a short balance, a limit,
 * one's own file, a wrong password are refused with nothing changed.
 */
const t = appForFile();

async function balanceOf(accountId: number): Promise<bigint> {
  const row = await t.deps.db.selectFrom('ledger_account').select('balance_yen').where('account_id', '=', accountId).executeTakeFirstOrThrow();
  return BigInt(row.balance_yen);
}

async function statusOf(id: bigint): Promise<string> {
  return (await t.deps.db.selectFrom('bulk_file').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status;
}

test('single approval: the maker registers, another person approves with the password and it is sent, posted as one entry and settled, with a result', async () => {
  const contract = await moneyContract(t, 'single');
  const approver = await bulkUser(t, contract.master.contractId, contract.from.id, { approve: true, send: true });
  const toOwn = { bankCode: ownBankCode, branchCode: contract.payee.branchCode, accountNumber: contract.payee.accountNumber };
  const id = uploadedId(await uploadBulk(contract.client, zenginBytes(contract.from, [{ amountYen: 50_000n, to: toOwn }, ...manyRecords(3, 10_000n)])));
  const registered = await fileStep(contract.client, id, 'register');
  assert.equal(registered.statusCode, 303, errorCode(registered.body));
  assert.equal(await statusOf(id), 'awaiting_approval');
  const ownApproval = await fileStep(contract.client, id, 'approve', { confirmationPassword: contract.master.confirmationPassword });
  assert.equal(errorCode(ownApproval.body), 'BULK_OWN_ITEM', 'nobody approves their own file');

  const before = await bulkState(t.deps);
  const wrong = await fileStep(approver.client, id, 'approve', { confirmationPassword: 'not-the-password-1' });
  assert.equal(errorCode(wrong.body), 'CONFIRMATION_PASSWORD_WRONG');
  assert.deepEqual(await bulkState(t.deps), before, 'a wrong password changes nothing');

  const fromBefore = await balanceOf(contract.from.id);
  const payeeBefore = await balanceOf(contract.payee.id);
  const approved = await fileStep(approver.client, id, 'approve', { confirmationPassword: approver.person.confirmationPassword });
  assert.equal(approved.statusCode, 303, errorCode(approved.body));
  assert.equal(await statusOf(id), 'completed', 'the final approver holds send: approved, sent, posted and settled');
  const file = await t.deps.db.selectFrom('bulk_file').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  assert.equal(file.total_yen, 80_000n);
  assert.equal(await balanceOf(contract.from.id), fromBefore - 80_000n - file.fee_yen);
  assert.equal(await balanceOf(contract.payee.id), payeeBefore + 50_000n);
  const entries = await t.deps.db.selectFrom('journal_entry').select(['id', 'kind']).where('bulk_file_id', '=', id).execute();
  assert.deepEqual(entries.map((e) => e.kind), ['bulk'], 'one journal entry for the file');
  const postings = await t.deps.db.selectFrom('posting').select((eb) => eb.fn.countAll<string>().as('n')).where('entry_id', '=', entries[0]!.id).executeTakeFirstOrThrow();
  assert.equal(Number(postings.n), 1 + 4 + 1, 'the total out, each record in, the fees');
  const page = (await approver.client.get(`/bulk/files/${id}`)).body;
  assert.match(page, /4 件すべて振り込みました/);
  assert.deepEqual((await verifyLedger(t.deps.db)).problems, []);
  const mails = await outboxTo(t.deps, contract.master.email!);
  assert.ok(mails.some((m) => m.subject.startsWith('振込ファイルの処理結果')), 'the maker is told the result');
});

test('records that cannot be credited are returned one by one and listed: an unknown account here, and what another bank rejects', async () => {
  const contract = await moneyContract(t);
  t.deps.interbank = {
    settle: async () => ({ settled: true }),
    settleBulk: async (_fileId, records) => records.filter((r) => r.accountNumber === '1000002').map((r) => ({ seq: r.seq, reason: 'account_unknown' as const })),
  };
  try {
    const unknownHere = { bankCode: ownBankCode, branchCode: contract.payee.branchCode, accountNumber: '7777777' };
    const id = uploadedId(await uploadBulk(contract.client, zenginBytes(contract.from, [...manyRecords(3, 20_000n), { amountYen: 5_000n, to: unknownHere }])));
    const fromBefore = await balanceOf(contract.from.id);
    const sent = await fileStep(contract.client, id, 'register', { confirmationPassword: contract.master.confirmationPassword });
    assert.equal(sent.statusCode, 303, errorCode(sent.body));
    assert.equal(await statusOf(id), 'completed');
    const returned = await t.deps.db.selectFrom('bulk_record').select(['seq', 'record_number', 'return_reason']).where('file_id', '=', id).where('status', '=', 'returned').orderBy('seq').execute();
    assert.deepEqual(returned.map((r) => [r.seq, r.record_number, r.return_reason]), [[2, 3, 'account_unknown'], [4, 5, 'account_unknown']]);
    const file = await t.deps.db.selectFrom('bulk_file').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    const returnedFees = (await t.deps.db.selectFrom('bulk_record').select('fee_yen').where('file_id', '=', id).where('status', '=', 'returned').execute()).reduce((s, r) => s + r.fee_yen, 0n);
    assert.equal(await balanceOf(contract.from.id), fromBefore - file.total_yen - file.fee_yen + 25_000n + returnedFees, 'the returned amounts and their fees come back');
    const kinds = await t.deps.db.selectFrom('journal_entry').select('kind').where('bulk_file_id', '=', id).orderBy('id').execute();
    assert.deepEqual(kinds.map((k) => k.kind), ['bulk', 'bulk_return', 'bulk_return']);
    const page = (await contract.client.get(`/bulk/files/${id}`)).body;
    assert.match(page, /2 件（25,000円）は振込不能/);
    assert.match(page, /振込不能明細/);
    const csv = await contract.client.get(`/bulk/files/${id}/result.csv`);
    assert.equal(csv.headers['content-type'], 'text/csv; charset=utf-8');
    assert.match(csv.body, /該当口座なし/);
    assert.equal(csv.body.trim().split('\r\n').length, 5, 'a heading and every record');
    const zengin = await contract.client.get(`/bulk/files/${id}/result.txt`);
    const read = readZengin(zengin.rawPayload, { directory: null });
    assert.ok(read.valid, JSON.stringify(read.errors));
    assert.deepEqual(read.file!.batches[0]!.records.map((r) => r.amount), [20_000n, 5_000n], 'the returned records as the company wrote them');
    assert.deepEqual((await verifyLedger(t.deps.db)).problems, []);
  } finally {
    delete t.deps.interbank;
  }
});

test('a short balance refuses the send whole; the limits per file and per day hold; the maker withdraws and an approver sends back with a reason', async () => {
  const contract = await moneyContract(t, 'single');
  const big = uploadedId(await uploadBulk(contract.client, zenginBytes(contract.from, manyRecords(2, 600_000n))));
  const none = await moneyContract(t);
  const tooMuch = uploadedId(await uploadBulk(none.client, zenginBytes(none.from, manyRecords(2, 600_000n))));
  const before = await bulkState(t.deps);
  const short = await fileStep(none.client, tooMuch, 'register', { confirmationPassword: none.master.confirmationPassword });
  assert.equal(errorCode(short.body), 'BULK_INSUFFICIENT_FUNDS');
  assertNoStackTrace(short);
  assert.deepEqual(await bulkState(t.deps), before, 'nothing changed, no usage reserved');

  const clerk = await bulkUser(t, contract.master.contractId, contract.from.id, { register: true, perTransactionLimitYen: 100_000n, dailyLimitYen: 150_000n });
  const overFile = uploadedId(await uploadBulk(clerk.client, zenginBytes(contract.from, manyRecords(2, 60_000n))));
  assert.equal(errorCode((await fileStep(clerk.client, overFile, 'register')).body), 'BULK_PER_FILE_LIMIT');
  const first = uploadedId(await uploadBulk(clerk.client, zenginBytes(contract.from, manyRecords(1, 90_000n))));
  assert.equal((await fileStep(clerk.client, first, 'register')).statusCode, 303);
  const second = uploadedId(await uploadBulk(clerk.client, zenginBytes(contract.from, manyRecords(1, 70_000n))));
  assert.equal(errorCode((await fileStep(clerk.client, second, 'register')).body), 'BULK_DAILY_LIMIT');
  assert.equal((await fileStep(clerk.client, first, 'withdraw')).statusCode, 303);
  assert.equal(await statusOf(first), 'withdrawn');
  assert.equal((await fileStep(clerk.client, second, 'register')).statusCode, 303, 'the withdrawn file gave its usage back');

  assert.equal((await fileStep(contract.client, big, 'register')).statusCode, 303);
  const refusedReason = await fileStep(clerk.client, second, 'send_back', { reason: '確認してください' });
  assert.equal(errorCode(refusedReason.body), 'BULK_NOT_PERMITTED', 'a clerk without the approve step cannot send back');
  const back = await fileStep(contract.client, second, 'send_back', { reason: '金額が違います' });
  assert.equal(back.statusCode, 303, errorCode(back.body));
  assert.equal(await statusOf(second), 'sent_back');
  const mail = await outboxTo(t.deps, clerk.person.email!);
  assert.ok(mail.some((m) => m.body.includes('金額が違います')), 'the maker is told why');
});

test('a file for a later date is sent, posted by the scheduler on its date, and a retried send posts it once', async () => {
  const contract = await moneyContract(t);
  const id = uploadedId(await uploadBulk(contract.client, zenginBytes(contract.from, manyRecords(5, 1_000n), { mmdd: '0403' })));
  const page = (await contract.client.get(`/bulk/files/${id}`)).body;
  const key = /id="action-register"[\s\S]*?name="idempotencyKey" value="([^"]+)"/.exec(page)![1]!;
  const fields = { action: 'register', idempotencyKey: key, confirmationPassword: contract.master.confirmationPassword };
  const [a, b] = await Promise.all([contract.client.post(`/bulk/files/${id}`, fields), contract.client.post(`/bulk/files/${id}`, fields)]);
  assert.deepEqual([a.statusCode, b.statusCode], [303, 303], 'a retry returns the first result');
  assert.equal(await statusOf(id), 'scheduled');
  assert.deepEqual(await runDueBulkFiles(t.deps), { posted: 0, failed: 0, settled: 0 }, 'not before its date');
  t.deps.clock.set('2026-04-03T00:00:00Z');
  try {
    const [first, second] = await Promise.all([runDueBulkFiles(t.deps), runDueBulkFiles(t.deps)]);
    assert.equal(first.posted + second.posted, 1, 'posted once');
    assert.equal(await statusOf(id), 'completed');
    const entries = await sql<{ n: bigint }>`SELECT count(*) AS n FROM journal_entry WHERE bulk_file_id = ${id} AND kind = 'bulk'`.execute(t.deps.db);
    assert.equal(Number(entries.rows[0]!.n), 1);
    assert.deepEqual((await verifyLedger(t.deps.db)).problems, []);
  } finally {
    t.deps.clock.set('2026-04-01T00:00:00Z');
  }
});
