import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { testDeps } from '../helpers/deps.ts';
import type { Deps } from '../../src/deps.ts';
import type { FakeClock } from '../../src/platform/clock.ts';
import type { ApprovalMode } from '../../src/db/schema.ts';
import { awaitingActor, getTransfer, listTransfers, sendBackTransfer, withdrawTransfer, type Actor } from '../../src/modules/transfers/service.ts';
import { verifyLedger } from '../../src/modules/ledger/verify.ts';
import { addAccount, addContract, addPerson, balanceOf, newKey, toOtherBank, today, type TestAccount, createAs, approveAs, sendAs } from './fixtures.ts';
import { refused } from './refusals.ts';

let database: TestDatabase;
let deps: Deps & { clock: FakeClock };

before(async () => {
  database = await createTestDatabase();
  deps = testDeps(database.db);
});
after(async () => {
  await database.drop();
});

interface Team {
  contractId: string;
  master: Actor;
  from: TestAccount;
  creator: Actor;
  /** Approves, and sends what they finally approve. */
  approverSender: Actor;
  /** Approves only. */
  approver: Actor;
  approver2: Actor;
  /** Sends only. */
  sender: Actor;
}

async function team(mode: ApprovalMode, fundYen = 1_000_000n): Promise<Team> {
  const { contractId, master } = await addContract(deps, mode);
  const from = await addAccount(deps, contractId, { fundYen });
  const all = [from.id];
  return {
    contractId,
    master,
    from,
    creator: await addPerson(deps, contractId, { register: true, approve: true, send: true }, all),
    approverSender: await addPerson(deps, contractId, { approve: true, send: true }, all),
    approver: await addPerson(deps, contractId, { approve: true, perTransactionLimitYen: 100_000n }, all),
    approver2: await addPerson(deps, contractId, { approve: true }, all),
    sender: await addPerson(deps, contractId, { send: true }, all),
  };
}

async function register(t: Team, amountYen = 50_000n, executionDate = today) {
  const { transfer } = await createAs(deps, t.creator, { fromAccountId: t.from.id, destination: toOtherBank(), amountYen, executionDate, idempotencyKey: newKey() });
  return transfer;
}

async function approvalRows(transferId: bigint) {
  return deps.db.selectFrom('transfer_approval').select(['step', 'approved_by']).where('transfer_id', '=', transferId).orderBy('step').execute();
}

describe('single approval (R8.5)', () => {
  test('an approver holding the send step approves and sends in one step: posted at once when dated today', async () => {
    const t = await team('single');
    const item = await register(t);
    assert.equal(item.status, 'awaiting_approval');
    assert.equal(await balanceOf(deps.db, t.from.id), 1_000_000n, 'nothing moves before approval');
    const { transfer, replayed } = await approveAs(deps, t.approverSender, item.id, newKey());
    assert.equal(replayed, false);
    assert.equal(transfer.status, 'completed');
    assert.equal(transfer.sent_by, t.approverSender.user.id);
    assert.equal(await balanceOf(deps.db, t.from.id), 1_000_000n - 50_440n);
    assert.deepEqual(await approvalRows(item.id), [{ step: 1, approved_by: t.approverSender.user.id }]);
    const audit = await deps.db.selectFrom('audit_log').select(['details']).where('action', '=', 'transfer.approve').where('user_ref', '=', t.approverSender.user.id).executeTakeFirstOrThrow();
    assert.equal(audit.details.transferId, item.id.toString());
    assert.equal(audit.details.amountYen, '50000');
    assert.equal((await verifyLedger(deps.db)).ok, true);
  });

  test('R8.5: an approver without the send step leaves it for anyone holding the send step, the registrant included', async () => {
    const t = await team('single');
    const item = await register(t);
    const approved = await approveAs(deps, t.approver, item.id, newKey());
    assert.equal(approved.transfer.status, 'awaiting_send');
    assert.equal(await balanceOf(deps.db, t.from.id), 1_000_000n);
    await refused(sendAs(deps, t.approver, item.id, newKey()), 'TRANSFER_NOT_PERMITTED');
    await refused(approveAs(deps, t.approverSender, item.id, newKey()), 'TRANSFER_STATE_CONFLICT');
    const sent = await sendAs(deps, t.sender, item.id, newKey());
    assert.equal(sent.transfer.status, 'completed');
    assert.equal(sent.transfer.sent_by, t.sender.user.id);
    await refused(sendAs(deps, t.master, item.id, newKey()), 'TRANSFER_STATE_CONFLICT');
  });

  test('a future-dated item is scheduled when sent, and posted by the scheduler on its date', async () => {
    const t = await team('single');
    const item = await register(t, 10_000n, '2026-04-02');
    const { transfer } = await approveAs(deps, t.approverSender, item.id, newKey());
    assert.equal(transfer.status, 'scheduled');
    assert.equal(await balanceOf(deps.db, t.from.id), 1_000_000n);
  });

  test('the creator cannot approve their own item, though holding the approve step', async () => {
    const t = await team('single');
    const item = await register(t);
    await refused(approveAs(deps, t.creator, item.id, newKey()), 'TRANSFER_OWN_ITEM');
    assert.deepEqual(await approvalRows(item.id), []);
  });

  test('an approver needs the approve step, the account, and a per-transaction limit covering the amount', async () => {
    const t = await team('single');
    const item = await register(t, 100_001n);
    await refused(approveAs(deps, t.sender, item.id, newKey()), 'TRANSFER_NOT_PERMITTED');
    await refused(approveAs(deps, t.approver, item.id, newKey()), 'TRANSFER_PER_TRANSACTION_LIMIT', 'amount');
    const unlinked = await addPerson(deps, t.contractId, { approve: true, send: true });
    await refused(approveAs(deps, unlinked, item.id, newKey()), 'TRANSFER_ACCOUNT_NOT_USABLE');
    assert.deepEqual(await approvalRows(item.id), []);
  });

  test('a final approval that would overdraw the account is refused whole: no approval, nothing moves', async () => {
    const t = await team('single', 30_000n);
    const item = await register(t, 29_800n);
    await refused(approveAs(deps, t.approverSender, item.id, newKey()), 'TRANSFER_INSUFFICIENT_FUNDS', 'amount');
    assert.deepEqual(await approvalRows(item.id), []);
    assert.equal((await getTransfer(deps, t.creator, item.id)).status, 'awaiting_approval');
    assert.equal(await balanceOf(deps.db, t.from.id), 30_000n);
  });

  test('an item whose date passed before approval cannot be approved any more, but can be withdrawn', async () => {
    const clock = deps.clock;
    const t = await team('single');
    const item = await register(t, 10_000n, today);
    clock.advanceSeconds(86_400);
    try {
      await refused(approveAs(deps, t.approverSender, item.id, newKey()), 'TRANSFER_EXPIRED');
      assert.equal((await withdrawTransfer(deps, t.creator, item.id, newKey())).transfer.status, 'withdrawn');
    } finally {
      clock.set('2026-04-01T00:00:00Z');
    }
  });
});

describe('double approval (R8.5)', () => {
  test('two different approvers; one person cannot approve twice; the second approval sends', async () => {
    const t = await team('double');
    const item = await register(t);
    const first = await approveAs(deps, t.approverSender, item.id, newKey());
    assert.equal(first.transfer.status, 'awaiting_approval', 'the first approval of two does not send, even by a sender');
    await refused(approveAs(deps, t.approverSender, item.id, newKey()), 'TRANSFER_STEP_TAKEN');
    await refused(sendAs(deps, t.sender, item.id, newKey()), 'TRANSFER_STATE_CONFLICT');
    const second = await approveAs(deps, t.approver2, item.id, newKey());
    assert.equal(second.transfer.status, 'awaiting_send');
    // R8.5: after the approvals the first approver, who holds the send step, may send it too; here the sender does.
    assert.equal((await sendAs(deps, t.sender, item.id, newKey())).transfer.status, 'completed');
    assert.deepEqual(await approvalRows(item.id), [
      { step: 1, approved_by: t.approverSender.user.id },
      { step: 2, approved_by: t.approver2.user.id },
    ]);
  });
});

describe('withdraw and send back (R8.5)', () => {
  test('a withdrawn item cannot be approved; withdrawing gives the daily usage back', async () => {
    const t = await team('single');
    const item = await register(t, 70_000n);
    const used = () => deps.db.selectFrom('daily_usage').select('used_yen').where('user_ref', '=', t.creator.user.id).where('usage_date', '=', today).executeTakeFirstOrThrow();
    assert.equal((await used()).used_yen, 70_000n);
    await refused(withdrawTransfer(deps, t.approverSender, item.id, newKey()), 'TRANSFER_NOT_PERMITTED');
    const { transfer } = await withdrawTransfer(deps, t.creator, item.id, newKey());
    assert.equal(transfer.status, 'withdrawn');
    assert.equal((await used()).used_yen, 0n);
    await refused(approveAs(deps, t.approverSender, item.id, newKey()), 'TRANSFER_STATE_CONFLICT');
    await refused(withdrawTransfer(deps, t.creator, item.id, newKey()), 'TRANSFER_STATE_CONFLICT');
    assert.deepEqual(await approvalRows(item.id), []);
  });

  test('the creator cannot withdraw after the final approval', async () => {
    const t = await team('single');
    const item = await register(t);
    await approveAs(deps, t.approver, item.id, newKey());
    await refused(withdrawTransfer(deps, t.creator, item.id, newKey()), 'TRANSFER_STATE_CONFLICT');
  });

  test('a sent-back item cannot be sent; the creator is told why by email and gets the daily usage back', async () => {
    const t = await team('single');
    const item = await register(t, 20_000n);
    await approveAs(deps, t.approver, item.id, newKey());
    await refused(sendBackTransfer(deps, t.approver, item.id, '金額誤り', newKey()), 'TRANSFER_STEP_TAKEN');
    await refused(sendBackTransfer(deps, t.creator, item.id, '金額誤り', newKey()), 'TRANSFER_OWN_ITEM');
    await refused(sendBackTransfer(deps, t.sender, item.id, '金額誤り', newKey()), 'TRANSFER_NOT_PERMITTED');
    for (const reason of ['', '   ', 'あ'.repeat(101)]) await refused(sendBackTransfer(deps, t.approver2, item.id, reason, newKey()), 'TRANSFER_REASON_INVALID', 'reason');
    const { transfer } = await sendBackTransfer(deps, t.approver2, item.id, ' 金額誤り ', newKey());
    assert.equal(transfer.status, 'sent_back');
    assert.equal(transfer.status_reason, '金額誤り');
    await refused(sendAs(deps, t.sender, item.id, newKey()), 'TRANSFER_STATE_CONFLICT');
    await refused(approveAs(deps, t.approverSender, item.id, newKey()), 'TRANSFER_STATE_CONFLICT');
    const usage = await deps.db.selectFrom('daily_usage').select('used_yen').where('user_ref', '=', t.creator.user.id).where('usage_date', '=', today).executeTakeFirstOrThrow();
    assert.equal(usage.used_yen, 0n);
    // The creator was told of the approval first (承認完了); the send back is the newest notice.
    const mail = await deps.db.selectFrom('outbox').select(['subject', 'body']).where('recipient', '=', t.creator.user.email!).orderBy('id', 'desc').executeTakeFirstOrThrow();
    assert.match(mail.subject, /差し戻/);
    assert.match(mail.body, /金額誤り/);
    assert.match(mail.body, new RegExp(`${t.approver2.user.user_id}`));
    const audit = await deps.db.selectFrom('audit_log').select('details').where('action', '=', 'transfer.send_back').where('user_ref', '=', t.approver2.user.id).executeTakeFirstOrThrow();
    assert.equal(audit.details.reason, '金額誤り');
  });
});

describe('what each person sees (R8.5)', () => {
  test('the item shows its approvals by name and only the steps this person may take', async () => {
    const t = await team('double');
    const item = await register(t);
    await approveAs(deps, t.approverSender, item.id, newKey());
    const forCreator = await getTransfer(deps, t.creator, item.id);
    assert.deepEqual([forCreator.mayApprove, forCreator.maySend, forCreator.mayWithdraw, forCreator.maySendBack], [false, false, true, false]);
    assert.equal(forCreator.approvals.length, 1);
    assert.equal(forCreator.approvals[0]!.by.userId, t.approverSender.user.user_id);
    assert.equal(forCreator.to.bankName, 'みずほ銀行');
    assert.equal(forCreator.approvalsDone, 1);
    const forFirst = await getTransfer(deps, t.approverSender, item.id);
    assert.deepEqual([forFirst.mayApprove, forFirst.maySendBack], [false, false]);
    const forSecond = await getTransfer(deps, t.approver2, item.id);
    assert.deepEqual([forSecond.mayApprove, forSecond.maySend, forSecond.mayWithdraw, forSecond.maySendBack], [true, false, false, true]);
  });

  test('another contract’s item does not exist for the person', async () => {
    const t = await team('single');
    const item = await register(t);
    const other = await team('single');
    await refused(getTransfer(deps, other.master, item.id), 'NOT_FOUND');
    await refused(approveAs(deps, other.approverSender, item.id, newKey()), 'NOT_FOUND');
    await refused(getTransfer(deps, t.creator, 999_999_999n), 'NOT_FOUND');
  });

  test('each person’s waiting list holds the items waiting for their step', async () => {
    const t = await team('single');
    const item = await register(t);
    const ids = async (actor: Actor) => (await awaitingActor(deps, actor)).map((s) => s.id);
    assert.deepEqual(await ids(t.creator), [], 'not their own item');
    assert.deepEqual(await ids(t.approver), [item.id]);
    assert.deepEqual(await ids(t.sender), []);
    await approveAs(deps, t.approver, item.id, newKey());
    assert.deepEqual(await ids(t.approver), []);
    assert.deepEqual(await ids(t.approverSender), [item.id], 'a holder of the send step who took no step on it may send it');
    assert.deepEqual(await ids(t.sender), [item.id]);
    assert.deepEqual(await ids(t.creator), [item.id], 'R8.5: the registrant holding the send step may send it after the approval');
  });

  test('R8.5: single approval by two people — the registrant registers, another approves, the registrant sends', async () => {
    const t = await team('single');
    const item = await register(t);
    assert.equal((await approveAs(deps, t.approver, item.id, newKey())).transfer.status, 'awaiting_send');
    const sent = await sendAs(deps, t.creator, item.id, newKey());
    assert.equal(sent.transfer.status, 'completed');
    assert.equal(sent.transfer.sent_by, t.creator.user.id);
    assert.equal((await verifyLedger(deps.db)).ok, true);
  });

  test('the list shows the items of the accounts a person may use, newest first, by status and a page at a time', async () => {
    const t = await team('none');
    const other = await addAccount(deps, t.contractId, { fundYen: 100_000n });
    const outsider = await addPerson(deps, t.contractId, { register: true, send: true }, [other.id]);
    for (let i = 0; i < 23; i++) await register(t, BigInt(1_000 + i), '2026-04-02');
    await createAs(deps, outsider, { fromAccountId: other.id, destination: toOtherBank(), amountYen: 5_000n, executionDate: today, idempotencyKey: newKey() });
    const first = await listTransfers(deps, t.creator, { page: 1 });
    assert.equal(first.total, 23);
    assert.equal(first.items.length, first.pageSize);
    assert.equal(first.items[0]!.amountYen, 1_022n);
    const second = await listTransfers(deps, t.creator, { page: 2 });
    assert.equal(second.items.length, 3);
    assert.equal((await listTransfers(deps, t.master, { page: 1 })).total, 24, 'the master sees every account');
    assert.equal((await listTransfers(deps, t.master, { page: 1, status: 'completed' })).total, 1);
    assert.equal((await listTransfers(deps, outsider, { page: 1 })).total, 1);
    const nobody = await addPerson(deps, t.contractId, {}, [t.from.id]);
    await refused(listTransfers(deps, nobody, { page: 1 }), 'TRANSFER_NOT_PERMITTED');
  });
});
