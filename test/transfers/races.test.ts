import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, needsPostgres, type TestDatabase } from '../helpers/database.ts';
import { testDeps } from '../helpers/deps.ts';
import type { Deps } from '../../src/deps.ts';
import type { FakeClock } from '../../src/platform/clock.ts';
import { sendBackTransfer, withdrawTransfer } from '../../src/modules/transfers/service.ts';
import { verifyLedger } from '../../src/modules/ledger/verify.ts';
import { addAccount, addContract, addPerson, balanceOf, newKey, toOtherBank, today, createAs, approveAs, sendAs } from './fixtures.ts';
import { codesOf } from './refusals.ts';

/**
 * Races on PostgreSQL, where requests really run at once (house rules 4 and 5): the limit and the
 * approval steps are decided by the database's conditional writes, not by reading first.
 */
let database: TestDatabase;
let deps: Deps & { clock: FakeClock };

before(async () => {
  database = await createTestDatabase({ poolSize: 30 });
  deps = testDeps(database.db);
});
after(async () => {
  await database.drop();
});

test('fifty parallel transfers of 300 yen against a 10,000 yen daily limit accept exactly 33', { skip: needsPostgres }, async () => {
  const { contractId } = await addContract(deps, 'none');
  const from = await addAccount(deps, contractId, { fundYen: 1_000_000n });
  const creator = await addPerson(deps, contractId, { register: true, send: true, perTransactionLimitYen: 10_000n, dailyLimitYen: 10_000n }, [from.id]);
  const results = await Promise.allSettled(
    Array.from({ length: 50 }, () => createAs(deps, creator, { fromAccountId: from.id, destination: toOtherBank(), amountYen: 300n, executionDate: today, idempotencyKey: newKey() })),
  );
  const codes = codesOf(results);
  assert.equal(codes.filter((c) => c === undefined).length, 33);
  assert.deepEqual(codes.filter((c) => c !== undefined), Array(17).fill('TRANSFER_DAILY_LIMIT'));
  const usage = await deps.db.selectFrom('daily_usage').select('used_yen').where('user_ref', '=', creator.user.id).executeTakeFirstOrThrow();
  assert.equal(usage.used_yen, 9_900n);
  const transfers = await deps.db.selectFrom('transfer').select('status').where('created_by', '=', creator.user.id).execute();
  assert.equal(transfers.length, 33);
  assert.ok(transfers.every((t) => t.status === 'completed'));
  assert.equal(await balanceOf(deps.db, from.id), 1_000_000n - 33n * (300n + 330n));
});

async function waitingItem(mode: 'single' | 'double') {
  const { contractId } = await addContract(deps, mode);
  const from = await addAccount(deps, contractId, { fundYen: 1_000_000n });
  const creator = await addPerson(deps, contractId, { register: true }, [from.id]);
  const approvers = await Promise.all(Array.from({ length: 6 }, () => addPerson(deps, contractId, { approve: true, send: true }, [from.id])));
  const { transfer } = await createAs(deps, creator, { fromAccountId: from.id, destination: toOtherBank(), amountYen: 50_000n, executionDate: today, idempotencyKey: newKey() });
  return { from, creator, approvers, transfer };
}

const approvalsOf = (transferId: bigint) => deps.db.selectFrom('transfer_approval').select(['step', 'approved_by']).where('transfer_id', '=', transferId).execute();
const postingsOf = (transferId: bigint) => deps.db.selectFrom('journal_entry').select('id').where('transfer_id', '=', transferId).execute();

test('two approvals of one item at once record one', { skip: needsPostgres }, async () => {
  const { approvers, transfer } = await waitingItem('single');
  const results = await Promise.allSettled(approvers.slice(0, 2).map((approver) => approveAs(deps, approver, transfer.id, newKey())));
  const codes = codesOf(results);
  assert.deepEqual(codes.filter((c) => c !== undefined), ['TRANSFER_STATE_CONFLICT']);
  assert.equal((await approvalsOf(transfer.id)).length, 1);
  assert.equal((await postingsOf(transfer.id)).length, 1, 'sent and posted once');
});

test('six approvers at once on an item needing two record two, by two people, and post it once', { skip: needsPostgres }, async () => {
  const { approvers, transfer } = await waitingItem('double');
  // First all six at once: the first approval needs no one-time password, so each comes without one;
  // one records step 1, and whoever then finds theirs would be the final one (it sends) is refused
  // for want of the code (R5.2), or, when its check ran as the first approval moved the item on, for a
  // code of an item that changed under it (R5.3) — nothing of theirs is written.
  const first = codesOf(await Promise.allSettled(approvers.map((approver) => approveAs(deps, approver, transfer.id, newKey()))));
  assert.equal(first.filter((c) => c === undefined).length, 1);
  for (const code of first.filter((c) => c !== undefined)) assert.ok(['TRANSFER_STATE_CONFLICT', 'EMAIL_OTP_NOT_SENT', 'EMAIL_OTP_CHANGED'].includes(code!), code);
  // Then the other five at once, each with the code of the final approval.
  const firstApprover = (await approvalsOf(transfer.id))[0]!.approved_by;
  const others = approvers.filter((approver) => approver.user.id !== firstApprover);
  const second = codesOf(await Promise.allSettled(others.map((approver) => approveAs(deps, approver, transfer.id, newKey()))));
  assert.equal(second.filter((c) => c === undefined).length, 1);
  const rows = await approvalsOf(transfer.id);
  assert.deepEqual(rows.map((r) => r.step).sort(), [1, 2]);
  assert.equal(new Set(rows.map((r) => r.approved_by)).size, 2);
  assert.equal((await postingsOf(transfer.id)).length, 1);
});

test('one person approving one item twice at once is recorded once', { skip: needsPostgres }, async () => {
  const { approvers, transfer } = await waitingItem('double');
  const results = await Promise.allSettled(Array.from({ length: 5 }, () => approveAs(deps, approvers[0]!, transfer.id, newKey())));
  const codes = codesOf(results);
  assert.equal(codes.filter((c) => c === undefined).length, 1);
  assert.deepEqual(codes.filter((c) => c !== undefined), Array(4).fill('TRANSFER_STEP_TAKEN'));
  assert.deepEqual(await approvalsOf(transfer.id), [{ step: 1, approved_by: approvers[0]!.user.id }]);
});

test('a withdrawal and approvals at once: either withdrawn with no approval, or approved and not withdrawn', { skip: needsPostgres }, async () => {
  for (let round = 0; round < 5; round++) {
    const { creator, approvers, transfer, from } = await waitingItem('single');
    const results = await Promise.allSettled([
      withdrawTransfer(deps, creator, transfer.id, newKey()),
      approveAs(deps, approvers[0]!, transfer.id, newKey()),
      approveAs(deps, approvers[1]!, transfer.id, newKey()),
    ]);
    const [withdrawn] = codesOf(results);
    const approvals = await approvalsOf(transfer.id);
    const status = (await deps.db.selectFrom('transfer').select('status').where('id', '=', transfer.id).executeTakeFirstOrThrow()).status;
    if (withdrawn === undefined) {
      assert.equal(status, 'withdrawn');
      assert.equal(approvals.length, 0);
      assert.equal(await balanceOf(deps.db, from.id), 1_000_000n);
    } else {
      assert.equal(status, 'completed');
      assert.equal(approvals.length, 1);
      assert.equal((await postingsOf(transfer.id)).length, 1);
    }
  }
});

test('a send-back and a send at once: either sent back and never posted, or sent and not sent back', { skip: needsPostgres }, async () => {
  for (let round = 0; round < 5; round++) {
    const { contractId } = await addContract(deps, 'none');
    const from = await addAccount(deps, contractId, { fundYen: 1_000_000n });
    const creator = await addPerson(deps, contractId, { register: true }, [from.id]);
    const approver = await addPerson(deps, contractId, { approve: true }, [from.id]);
    const sender = await addPerson(deps, contractId, { send: true }, [from.id]);
    const { transfer } = await createAs(deps, creator, { fromAccountId: from.id, destination: toOtherBank(), amountYen: 50_000n, executionDate: today, idempotencyKey: newKey() });
    assert.equal(transfer.status, 'awaiting_send');
    const results = await Promise.allSettled([sendBackTransfer(deps, approver, transfer.id, '確認のため', newKey()), sendAs(deps, sender, transfer.id, newKey())]);
    const [sentBack, sent] = codesOf(results);
    assert.ok((sentBack === undefined) !== (sent === undefined), 'exactly one of them');
    assert.equal((await postingsOf(transfer.id)).length, sent === undefined ? 1 : 0);
  }
  assert.equal((await verifyLedger(deps.db)).ok, true);
});
