import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errorCode } from '../helpers/client.ts';
import type { TestPerson } from '../helpers/people.ts';
import { appForFile, outboxTo } from '../helpers/http-app.ts';
import { moneyContract } from '../transfers/pages/support.ts';
import { loggedOn, payeesWorld, registerPayee } from '../payees/support.ts';
import { bulkUser, fileStep, manyRecords, uploadBulk, uploadedId, zenginBytes } from '../bulk/support.ts';
import { addUserWith } from '../users/helpers.ts';

/**
 * R8.5 [承認依頼通知] for payees and bulk files: the people who may take the next step are mailed,
 * through the one notice module; those without the step are not; the waiting page counts each kind.
 */
const t = appForFile();

const asked = async (person: TestPerson) => (await outboxTo(t.deps, person.email, 'approvals.mail.waiting.subject')).length;

test('the approvers are asked by email when a payee waits for them, and a person without the approve step is not', async () => {
  const world = await payeesWorld(t, 'single');
  const clerkClient = await loggedOn(t, world.clerk);
  const before = await Promise.all([world.approverA, world.approverB, world.viewer, world.clerk].map(asked));
  const { id } = await registerPayee(clerkClient, world.clerk);
  const after = await Promise.all([world.approverA, world.approverB, world.viewer, world.clerk].map(asked));
  assert.deepEqual(
    after.map((n, i) => n - before[i]!),
    [1, 1, 0, 0],
    'both approvers are asked; the viewer and the registrant are not',
  );
  const waiting = (await (await loggedOn(t, world.approverA)).get('/approvals')).body;
  assert.match(waiting, new RegExp(`<tr data-payee-id="${id}" data-step="approve"`));
  assert.match(waiting, /data-kind="payee" data-count="1"/);
});

test('the approver is asked by email when a bulk file waits for them, and people without the bulk approve step are not; the creator is told of the approval', async () => {
  const contract = await moneyContract(t, 'single');
  const approver = await bulkUser(t, contract.master.contractId, contract.from.id, { approve: true });
  const maker = await bulkUser(t, contract.master.contractId, contract.from.id, { register: true });
  const transferApprover = await addUserWith(t.deps, contract.master.contractId, [{ business: 'transfer', approve: true, perTransactionLimitYen: 1_000_000n, dailyLimitYen: 3_000_000n }], [contract.from.id]);
  const people = [approver.person, maker.person, transferApprover];
  const before = await Promise.all(people.map(asked));
  const id = uploadedId(await uploadBulk(contract.client, zenginBytes(contract.from, manyRecords(2, 10_000n))));
  const registered = await fileStep(contract.client, id, 'register');
  assert.equal(registered.statusCode, 303, errorCode(registered.body));
  const after = await Promise.all(people.map(asked));
  assert.deepEqual(after.map((n, i) => n - before[i]!), [1, 0, 0], 'only the holder of the bulk approve step is asked');
  const waiting = (await approver.client.get('/approvals')).body;
  assert.match(waiting, new RegExp(`<tr data-bulk-id="${id}" data-step="approve"`));
  assert.match(waiting, /data-kind="bulk" data-count="1"/);

  const approvedBefore = (await outboxTo(t.deps, contract.master.email, 'approvals.mail.approved.subject')).length;
  const approved = await fileStep(approver.client, id, 'approve', { confirmationPassword: approver.person.confirmationPassword });
  assert.equal(approved.statusCode, 303, errorCode(approved.body));
  assert.equal((await outboxTo(t.deps, contract.master.email, 'approvals.mail.approved.subject')).length, approvedBefore + 1, 'the creator learns of the approval');
});
