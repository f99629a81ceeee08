import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { errorCode } from '../helpers/client.ts';
import { appForFile } from '../helpers/http-app.ts';
import { payeesAwaitingApproval } from '../../src/modules/payees/service.ts';
import { act, auditActions, loggedOn, payeeMails, payeeRow, payeesState, payeesWorld, registerPayee } from './support.ts';

/** R8.5 for payees: who may approve, send back and withdraw, and what each leaves behind. */
const t = appForFile();

test('nobody approves or sends back their own registration, even holding the approve step', async () => {
  const world = await payeesWorld(t, 'single');
  const { id } = await registerPayee(world.masterClient, world.master);
  const page = await world.masterClient.get(`/payees/${id}`);
  assert.ok(!page.body.includes(`/payees/${id}/approve`), 'the registrant is not offered approval');
  const before = await payeesState(t.deps, world.master.contractId);
  const opened = await world.masterClient.get(`/payees/${id}/approve`);
  assert.deepEqual([opened.statusCode, errorCode(opened.body)], [403, 'PAYEES_OWN_ITEM']);
  const approve = await world.masterClient.post(`/payees/${id}/approve`, { confirmationPassword: world.master.confirmationPassword });
  assert.equal(errorCode(approve.body), 'PAYEES_OWN_ITEM');
  const reject = await world.masterClient.post(`/payees/${id}/reject`, { reason: '自分で差戻し' });
  assert.equal(errorCode(reject.body), 'PAYEES_OWN_ITEM');
  assert.deepEqual(await payeesState(t.deps, world.master.contractId), before);
  assert.deepEqual(await payeesAwaitingApproval(t.deps.db, world.master.contractId, (await payeeRow(t.deps, id)).created_by), [], 'it is not waiting for its registrant');
  const waiting = await payeesAwaitingApproval(t.deps.db, world.master.contractId, world.approverA.ref);
  assert.deepEqual(waiting.map((p) => p.id), [id], 'it waits for the approvers');
});

test('a person without the approve step cannot approve or send back; without the transfer business sees no payee page', async () => {
  const world = await payeesWorld(t, 'single');
  const clerkClient = await loggedOn(t, world.clerk);
  const { id } = await registerPayee(world.masterClient, world.master);
  const before = await payeesState(t.deps, world.master.contractId);
  const approve = await act(clerkClient, id, 'approve', { confirmationPassword: world.clerk.confirmationPassword });
  assert.deepEqual([approve.statusCode, errorCode(approve.body)], [403, 'PAYEES_APPROVE_FORBIDDEN']);
  const reject = await clerkClient.post(`/payees/${id}/reject`, { reason: '差戻し' });
  assert.equal(errorCode(reject.body), 'PAYEES_APPROVE_FORBIDDEN');
  assert.deepEqual(await payeesAwaitingApproval(t.deps.db, world.master.contractId, world.clerk.ref), []);

  const viewer = await loggedOn(t, world.viewer);
  for (const url of ['/payees', '/payees/new', `/payees/${id}`, `/payees/${id}/approve`, `/payees/${id}/change`, `/payees/${id}/delete`, `/payees/${id}/withdraw`, `/payees/${id}/reject`]) {
    const response = await viewer.get(url);
    assert.deepEqual([response.statusCode, errorCode(response.body)], [403, 'FORBIDDEN'], url);
  }
  await viewer.get('/status');
  for (const [url, fields] of [
    [`/payees/${id}/approve`, { confirmationPassword: world.viewer.confirmationPassword }],
    [`/payees/${id}/reject`, { reason: 'x' }],
    ['/payees/new', { bankCode: '0005', branchCode: '001', accountType: 'ordinary', accountNumber: '1', name: 'ｱ' }],
  ] as const) {
    const response = await viewer.post(url, fields);
    assert.equal(response.statusCode, 403, url);
    assert.equal(errorCode(response.body), 'FORBIDDEN', url);
  }
  assert.deepEqual(await payeesState(t.deps, world.master.contractId), before, 'nothing changed');
  const refusals = (await auditActions(t.deps, world.master.contractId, 'payee.')).filter((a) => a.outcome === 'failure');
  assert.deepEqual(refusals.map((a) => a.reason), ['payees_approve_forbidden', 'payees_approve_forbidden', 'forbidden', 'forbidden', 'forbidden'], 'refused attempts are in the audit trail');
});

test('the registrant withdraws a waiting item; then nobody can approve it, and others cannot withdraw', async () => {
  const world = await payeesWorld(t, 'single');
  const clerk = await loggedOn(t, world.clerk);
  const approver = await loggedOn(t, world.approverA);
  const { id } = await registerPayee(clerk, world.clerk);
  const notMine = await act(approver, id, 'withdraw', {});
  assert.deepEqual([notMine.statusCode, errorCode(notMine.body)], [403, 'PAYEES_NOT_REGISTRANT']);
  const withdrawn = await act(clerk, id, 'withdraw', {});
  assert.equal(withdrawn.headers.location, `/payees/${id}?done=withdrawn`, errorCode(withdrawn.body));
  assert.equal((await payeeRow(t.deps, id)).status, 'withdrawn');
  const before = await payeesState(t.deps, world.master.contractId);
  const late = await approver.post(`/payees/${id}/approve`, { confirmationPassword: world.approverA.confirmationPassword });
  assert.deepEqual([late.statusCode, errorCode(late.body)], [409, 'PAYEES_NOT_PENDING']);
  const again = await clerk.post(`/payees/${id}/withdraw`, {});
  assert.equal(errorCode(again.body), 'PAYEES_NOT_PENDING');
  assert.deepEqual(await payeesState(t.deps, world.master.contractId), before);
  assert.equal((await payeeMails(t.deps, world.clerk.email)).length, 2, 'registered, withdrawn');
});

test('an approver sends an item back with a reason the registrant reads; it is then final', async () => {
  const world = await payeesWorld(t, 'double');
  const clerk = await loggedOn(t, world.clerk);
  const a = await loggedOn(t, world.approverA);
  const b = await loggedOn(t, world.approverB);
  const { id } = await registerPayee(clerk, world.clerk);
  await act(a, id, 'approve', { confirmationPassword: world.approverA.confirmationPassword });
  const byApprover = await a.post(`/payees/${id}/reject`, { reason: '口座番号の確認をお願いします' });
  assert.equal(errorCode(byApprover.body), 'PAYEES_ALREADY_APPROVED', 'who approved it does not send it back');
  const empty = await act(b, id, 'reject', { reason: '   ' });
  assert.deepEqual([empty.statusCode, errorCode(empty.body)], [400, 'PAYEES_REASON_INVALID']);
  assert.ok(empty.body.includes(`<form method="post" action="/payees/${id}/reject"`), 'the form is shown again');
  const rejected = await b.post(`/payees/${id}/reject`, { reason: '口座番号の確認をお願いします' });
  assert.equal(rejected.headers.location, `/payees/${id}?done=rejected`, errorCode(rejected.body));
  const row = await payeeRow(t.deps, id);
  assert.deepEqual([row.status, row.decision_reason, row.decided_by], ['rejected', '口座番号の確認をお願いします', world.approverB.ref]);
  assert.ok((await clerk.get(`/payees/${id}`)).body.includes('口座番号の確認をお願いします'), 'the registrant sees the reason');
  assert.match((await payeeMails(t.deps, world.clerk.email)).at(-1)!, /口座番号の確認をお願いします/);
  const late = await b.post(`/payees/${id}/approve`, { confirmationPassword: world.approverB.confirmationPassword });
  assert.equal(errorCode(late.body), 'PAYEES_NOT_PENDING');
});

test('payee ids of another contract do not exist here, on every page and form', async () => {
  const ours = await payeesWorld(t, 'single');
  const theirs = await payeesWorld(t, 'single');
  const { id } = await registerPayee(theirs.masterClient, theirs.master);
  const before = await payeesState(t.deps, theirs.master.contractId);
  const client = ours.masterClient;
  for (const url of [`/payees/${id}`, `/payees/${id}/change`, `/payees/${id}/approve`, `/payees/${id}/reject`, `/payees/${id}/withdraw`, `/payees/${id}/delete`, '/payees/0', '/payees/abc', '/payees/99999999999']) {
    const response = await client.get(url);
    assert.deepEqual([response.statusCode, errorCode(response.body)], [404, 'NOT_FOUND'], url);
    assert.ok(!response.body.includes('ﾔﾏﾀﾞ'), `${url} shows nothing of theirs`);
  }
  await client.get('/payees');
  for (const [action, fields] of [
    ['approve', { confirmationPassword: ours.master.confirmationPassword }],
    ['reject', { reason: '他社' }],
    ['withdraw', {}],
    ['delete', { confirmationPassword: ours.master.confirmationPassword }],
    ['change', { bankCode: '0005', branchCode: '001', accountType: 'ordinary', accountNumber: '1', name: 'ｱ' }],
  ] as const) {
    const response = await client.post(`/payees/${id}/${action}`, fields);
    assert.deepEqual([response.statusCode, errorCode(response.body)], [404, 'NOT_FOUND'], action);
  }
  assert.deepEqual(await payeesState(t.deps, theirs.master.contractId), before, 'their payee is untouched');
});
