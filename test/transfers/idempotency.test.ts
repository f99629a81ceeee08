import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, needsPostgres, type TestDatabase } from '../helpers/database.ts';
import { testDeps } from '../helpers/deps.ts';
import type { Deps } from '../../src/deps.ts';
import type { FakeClock } from '../../src/platform/clock.ts';
import { sendBackTransfer, withdrawTransfer, type TransferInput } from '../../src/modules/transfers/service.ts';
import { addAccount, addContract, addPerson, balanceOf, fund, newKey, toOtherBank, today, type TestAccount, createAs, approveAs } from './fixtures.ts';
import { codesOf, refused } from './refusals.ts';

let database: TestDatabase;
let deps: Deps & { clock: FakeClock };

before(async () => {
  database = await createTestDatabase();
  deps = testDeps(database.db);
});
after(async () => {
  await database.drop();
});

async function count(table: 'transfer' | 'transfer_approval' | 'journal_entry' | 'audit_log' | 'outbox'): Promise<number> {
  const row = await deps.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

async function person(mode: 'none' | 'single', fundYen = 1_000_000n, limits: { dailyLimitYen?: bigint } = {}) {
  const { contractId } = await addContract(deps, mode);
  const from = await addAccount(deps, contractId, { fundYen });
  const creator = await addPerson(deps, contractId, { register: true, send: true, ...limits }, [from.id]);
  const approver = await addPerson(deps, contractId, { approve: true, send: true }, [from.id]);
  return { contractId, from, creator, approver };
}

const input = (from: TestAccount, overrides: Partial<TransferInput> = {}): TransferInput => ({
  fromAccountId: from.id,
  destination: toOtherBank(),
  amountYen: 10_000n,
  executionDate: today,
  idempotencyKey: newKey(),
  ...overrides,
});

describe('creating a transfer (R8.6)', () => {
  test('a retry returns the first result and moves no money again', async () => {
    const { from, creator } = await person('none');
    const request = input(from);
    const first = await createAs(deps, creator, request);
    assert.equal(first.replayed, false);
    const before = { balance: await balanceOf(deps.db, from.id), transfers: await count('transfer'), entries: await count('journal_entry'), audit: await count('audit_log') };
    const retry = await createAs(deps, creator, { ...request });
    assert.equal(retry.replayed, true);
    assert.equal(retry.transfer.id, first.transfer.id);
    assert.equal(retry.transfer.status, 'completed');
    const afterRetry = { balance: await balanceOf(deps.db, from.id), transfers: await count('transfer'), entries: await count('journal_entry'), audit: await count('audit_log') };
    assert.deepEqual(afterRetry, before);
  });

  test('the same key with other content is refused', async () => {
    const { from, creator } = await person('none');
    const request = input(from);
    await createAs(deps, creator, request);
    await refused(createAs(deps, creator, { ...request, amountYen: 10_001n }), 'TRANSFER_IDEMPOTENCY_MISMATCH');
    await refused(createAs(deps, creator, { ...request, executionDate: '2026-04-02' }), 'TRANSFER_IDEMPOTENCY_MISMATCH');
    await refused(createAs(deps, creator, { ...request, destination: toOtherBank('ﾍﾞﾂﾉﾋﾄ') }), 'TRANSFER_IDEMPOTENCY_MISMATCH');
  });

  test('a key is the person’s own: another person’s request with the same key is a request of its own', async () => {
    const { from, creator, contractId } = await person('none');
    const colleague = await addPerson(deps, contractId, { register: true, send: true }, [from.id]);
    const request = input(from);
    const mine = await createAs(deps, creator, request);
    const theirs = await createAs(deps, colleague, request);
    assert.equal(theirs.replayed, false);
    assert.notEqual(theirs.transfer.id, mine.transfer.id);
  });

  test('a retry after the day’s limit is used up still gets its first result', async () => {
    const { from, creator } = await person('none', 1_000_000n, { dailyLimitYen: 10_000n });
    const request = input(from);
    await createAs(deps, creator, request);
    await refused(createAs(deps, creator, input(from, { amountYen: 1n })), 'TRANSFER_DAILY_LIMIT');
    assert.equal((await createAs(deps, creator, request)).replayed, true);
  });

  test('a refused request leaves no trace of its key: the same key succeeds once the cause is gone', async () => {
    const { from, creator } = await person('none', 5_000n);
    const request = input(from);
    await refused(createAs(deps, creator, request), 'TRANSFER_INSUFFICIENT_FUNDS');
    await fund(deps.db, from.ledgerAccountId, 10_000n);
    const { transfer, replayed } = await createAs(deps, creator, request);
    assert.equal(replayed, false);
    assert.equal(transfer.status, 'completed');
  });

  test('concurrent twins create one transfer and post it once', { skip: needsPostgres }, async () => {
    const { from, creator } = await person('none');
    const request = input(from);
    const before = await balanceOf(deps.db, from.id);
    const results = await Promise.all(Array.from({ length: 12 }, () => createAs(deps, creator, { ...request })));
    assert.equal(new Set(results.map((r) => r.transfer.id)).size, 1);
    assert.equal(results.filter((r) => !r.replayed).length, 1);
    assert.equal(await balanceOf(deps.db, from.id), before - 10_330n);
    const rows = await deps.db.selectFrom('transfer').select('id').where('created_by', '=', creator.user.id).execute();
    assert.equal(rows.length, 1);
  });
});

describe('the later steps (R8.6)', () => {
  async function waiting() {
    const p = await person('single');
    const { transfer } = await createAs(deps, p.creator, input(p.from));
    return { ...p, transfer };
  }

  test('a retried approval returns the first result; nothing is approved or posted again', async () => {
    const { approver, transfer, from } = await waiting();
    const key = newKey();
    const first = await approveAs(deps, approver, transfer.id, key);
    assert.equal(first.transfer.status, 'completed');
    const before = { approvals: await count('transfer_approval'), entries: await count('journal_entry'), audit: await count('audit_log'), balance: await balanceOf(deps.db, from.id) };
    const retry = await approveAs(deps, approver, transfer.id, key);
    assert.deepEqual(retry, { transfer: first.transfer, replayed: true });
    assert.deepEqual({ approvals: await count('transfer_approval'), entries: await count('journal_entry'), audit: await count('audit_log'), balance: await balanceOf(deps.db, from.id) }, before);
  });

  test('a key used for one step is refused for other content: another item, another step, another reason', async () => {
    const a = await waiting();
    const key = newKey();
    await sendBackTransfer(deps, a.approver, a.transfer.id, '口座番号誤り', key);
    assert.equal((await sendBackTransfer(deps, a.approver, a.transfer.id, '口座番号誤り', key)).replayed, true);
    await refused(sendBackTransfer(deps, a.approver, a.transfer.id, '別の理由', key), 'TRANSFER_IDEMPOTENCY_MISMATCH');
    await refused(approveAs(deps, a.approver, a.transfer.id, key), 'TRANSFER_IDEMPOTENCY_MISMATCH');
    const { transfer: other } = await createAs(deps, a.creator, input(a.from));
    await refused(approveAs(deps, a.approver, other.id, key), 'TRANSFER_IDEMPOTENCY_MISMATCH');
    await refused(withdrawTransfer(deps, a.approver, other.id, key), 'TRANSFER_IDEMPOTENCY_MISMATCH');
  });

  test('a refused step keeps no result: its key works once the step is allowed', async () => {
    const p = await person('single', 5_000n);
    const { transfer } = await createAs(deps, p.creator, input(p.from));
    const key = newKey();
    await refused(approveAs(deps, p.approver, transfer.id, key), 'TRANSFER_INSUFFICIENT_FUNDS');
    await fund(deps.db, p.from.ledgerAccountId, 10_000n);
    const { transfer: sent, replayed } = await approveAs(deps, p.approver, transfer.id, key);
    assert.equal(replayed, false);
    assert.equal(sent.status, 'completed');
  });

  test('concurrent twins of one approval record it once and all return its result', { skip: needsPostgres }, async () => {
    const { approver, transfer } = await waiting();
    const key = newKey();
    const results = await Promise.all(Array.from({ length: 8 }, () => approveAs(deps, approver, transfer.id, key)));
    assert.equal(results.filter((r) => !r.replayed).length, 1);
    for (const r of results) assert.equal(r.transfer.status, 'completed');
    assert.equal((await deps.db.selectFrom('transfer_approval').select('step').where('transfer_id', '=', transfer.id).execute()).length, 1);
    const posted = await deps.db.selectFrom('journal_entry').select('id').where('transfer_id', '=', transfer.id).execute();
    assert.equal(posted.length, 1);
  });

  test('concurrent twins with other content: one carried out, the others refused', { skip: needsPostgres }, async () => {
    const a = await waiting();
    const key = newKey();
    const results = await Promise.allSettled(['理由一', '理由二', '理由三', '理由四'].map((reason) => sendBackTransfer(deps, a.approver, a.transfer.id, reason, key)));
    const codes = codesOf(results);
    assert.equal(codes.filter((c) => c === undefined).length, 1);
    assert.deepEqual(codes.filter((c) => c !== undefined), Array(3).fill('TRANSFER_IDEMPOTENCY_MISMATCH'));
  });
});

