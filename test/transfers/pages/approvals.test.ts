import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { createTestDatabase, type TestDatabase } from '../../helpers/database.ts';
import { Client, errorCode } from '../../helpers/client.ts';
import type { TestPerson } from '../../helpers/people.ts';
import { assertNoStackTrace, ja, startApp, userRow, type TestApp } from '../../helpers/http-app.ts';
import { commonBadInputs } from '../../helpers/bad-input.ts';
import { adHocFields, assertRefusedMoney, createThroughPages, entriesOf, hiddenValue, moneyContract, moneyState, transferUser, type MoneyContract, oneTimePasswordFor } from './support.ts';

/**
 * R8.5 through the pages: register → approve → send, each by a person holding the step, with the
 * buttons a person may use on the transfer's page, each form with a key of its own (R8.6).
 */
let database: TestDatabase;
let t: TestApp;
let contract: MoneyContract;
type User = { person: TestPerson; client: Client; ref: number };
let clerk: User;
let approver: User;
let approveOnly: User;
let sender: User;
before(async () => {
  database = await createTestDatabase();
  t = await startApp(database.db);
  contract = await moneyContract(t, 'single');
  clerk = await transferUser(t, contract, { register: true });
  approver = await transferUser(t, contract, { approve: true, send: true });
  approveOnly = await transferUser(t, contract, { approve: true });
  sender = await transferUser(t, contract, { send: true });
});
after(async () => {
  await t.app.close();
  await database.drop();
});

async function transferRow(id: bigint) {
  return t.deps.db.selectFrom('transfer').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

function formOf(page: string, id: bigint, action: string): boolean {
  return page.includes(`<form method="post" action="/transfers/${id}/${action}"`);
}

async function approvalsOf(id: bigint): Promise<number> {
  const row = await t.deps.db.selectFrom('transfer_approval').select((eb) => eb.fn.countAll().as('n')).where('transfer_id', '=', id).executeTakeFirstOrThrow();
  return Number(row.n);
}

/** The page of a transfer as a person sees it, and the key of one of its forms. */
async function keyFor(user: User, id: bigint, action: string): Promise<string> {
  const page = await user.client.get(`/transfers/${id}`);
  assert.equal(page.statusCode, 200);
  return hiddenValue(page.body, 'idempotencyKey', `/transfers/${id}/${action}`);
}

test('R8.5 single approval: the clerk registers, the approver finds it waiting, approves with the password, and it is sent and posted', async () => {
  const id = await createThroughPages(clerk.client, clerk.person, adHocFields(contract, { amount: '30,000' }), t.deps);
  const mine = await clerk.client.get(`/transfers/${id}`);
  assert.match(mine.body, /data-status="awaiting_approval"/);
  assert.ok(formOf(mine.body, id, 'withdraw'), 'the creator may withdraw');
  assert.ok(!formOf(mine.body, id, 'approve'), 'the creator is not offered an approval');

  const waiting = await approver.client.get('/approvals');
  assert.match(waiting.body, new RegExp(`<tr data-transfer-id="${id}"`), 'the item waits for the approver');
  assert.match((await clerk.client.get('/approvals')).body, /id="approvals-empty"/, 'nothing waits for the clerk');

  const page = await approver.client.get(`/transfers/${id}`);
  assert.ok(formOf(page.body, id, 'approve') && formOf(page.body, id, 'send-back'));
  assert.ok(!formOf(page.body, id, 'withdraw'), 'only the creator withdraws');
  const key = hiddenValue(page.body, 'idempotencyKey', `/transfers/${id}/approve`);
  assert.notEqual(key, hiddenValue(page.body, 'idempotencyKey', `/transfers/${id}/send-back`), 'each form has its own key');
  // R5.2: the approver's approval sends the transfer, so it needs the one-time password too.
  assert.match(page.body, /<section class="otp" id="email-otp">/);
  const otp = await oneTimePasswordFor(t.deps, approver.client, approver.person, id);
  const done = await approver.client.post(`/transfers/${id}/approve`, { idempotencyKey: key, confirmationPassword: approver.person.confirmationPassword, otp });
  assert.equal(done.statusCode, 303, errorCode(done.body));
  assert.equal(done.headers.location, `/transfers/${id}?done=approved`);
  assert.equal((await transferRow(id)).status, 'completed', 'the approver holds the send step: approved and sent at once');
  assert.equal(await entriesOf(t.deps, id), 1);
  const after = await approver.client.get(String(done.headers.location));
  assert.ok(after.body.includes(ja('transferPages.done.approved')));
  assert.match(after.body, /<table class="uses approvals-history">[\s\S]*第1承認/);
  assert.ok(!formOf(after.body, id, 'approve'), 'nothing left to approve');
});

test('a double submit of the approve form records one approval and posts once', async () => {
  const id = await createThroughPages(clerk.client, clerk.person, adHocFields(contract, { amount: '1,000' }), t.deps);
  const key = await keyFor(approver, id, 'approve');
  const otp = await oneTimePasswordFor(t.deps, approver.client, approver.person, id);
  const fields = { idempotencyKey: key, confirmationPassword: approver.person.confirmationPassword, otp };
  const answers = await Promise.all([approver.client.post(`/transfers/${id}/approve`, fields), approver.client.post(`/transfers/${id}/approve`, fields)]);
  for (const answer of answers) assert.equal(answer.headers.location, `/transfers/${id}?done=approved`, errorCode(answer.body));
  assert.equal(await approvalsOf(id), 1);
  assert.equal(await entriesOf(t.deps, id), 1);
});

test('the approve form refuses a wrong password (counted), a missing CSRF token and malformed keys on the same page', async () => {
  const id = await createThroughPages(clerk.client, clerk.person, adHocFields(contract, { amount: '2,000' }), t.deps);
  const key = await keyFor(approver, id, 'approve');
  const valid = { idempotencyKey: key, confirmationPassword: approver.person.confirmationPassword };
  const form = { url: `/transfers/${id}/approve` };
  await assertRefusedMoney(t.deps, approver.client, approver.person, form, [
    ...commonBadInputs(valid, ['idempotencyKey', 'confirmationPassword']),
    { label: 'a short key', fields: { ...valid, idempotencyKey: 'short' }, code: 'TRANSFER_PAGES_KEY_INVALID' },
  ]);
  const before = (await userRow(t.deps, approver.person)).failed_attempts;
  const wrong = await approver.client.post(form.url, { ...valid, confirmationPassword: 'Wrong2026pass' });
  assert.equal(wrong.statusCode, 400);
  assert.equal(errorCode(wrong.body), 'CONFIRMATION_PASSWORD_WRONG');
  assert.match(wrong.body, /<section class="action" id="action-approve">[\s\S]*?data-code="CONFIRMATION_PASSWORD_WRONG"/, 'the message is with the approve form');
  assert.equal((await userRow(t.deps, approver.person)).failed_attempts, before + 1, 'R2.3: counted');
  assert.equal(await approvalsOf(id), 0);
  assert.equal((await transferRow(id)).status, 'awaiting_approval');
});

test('an approver without the send step leaves the item for a sender, who sends it', async () => {
  const id = await createThroughPages(clerk.client, clerk.person, adHocFields(contract, { amount: '3,000' }), t.deps);
  const approved = await approveOnly.client.post(`/transfers/${id}/approve`, { idempotencyKey: await keyFor(approveOnly, id, 'approve'), confirmationPassword: approveOnly.person.confirmationPassword });
  assert.equal(approved.statusCode, 303, errorCode(approved.body));
  assert.equal((await transferRow(id)).status, 'awaiting_send');
  assert.match((await sender.client.get('/approvals')).body, new RegExp(`<tr data-transfer-id="${id}"[\\s\\S]*?${ja('transferPages.waiting.send')}`));
  const page = await sender.client.get(`/transfers/${id}`);
  assert.ok(formOf(page.body, id, 'send') && !formOf(page.body, id, 'approve'));
  const key = hiddenValue(page.body, 'idempotencyKey', `/transfers/${id}/send`);
  // R5.2: the send finalises the transfer: the sender's confirmation password and one-time password.
  const otp = await oneTimePasswordFor(t.deps, sender.client, sender.person, id);
  const valid = { idempotencyKey: key, confirmationPassword: sender.person.confirmationPassword, otp };
  await assertRefusedMoney(t.deps, sender.client, sender.person, { url: `/transfers/${id}/send` }, commonBadInputs(valid, ['idempotencyKey', 'confirmationPassword']));
  const sent = await sender.client.post(`/transfers/${id}/send`, valid);
  assert.equal(sent.headers.location, `/transfers/${id}?done=sent`, errorCode(sent.body));
  assert.equal((await transferRow(id)).status, 'completed');
  assert.equal(await entriesOf(t.deps, id), 1);
});

test('send back needs a reason of 1 to 100 characters, and the creator sees it', async () => {
  const id = await createThroughPages(clerk.client, clerk.person, adHocFields(contract, { amount: '4,000' }), t.deps);
  const key = await keyFor(approver, id, 'send-back');
  const url = `/transfers/${id}/send-back`;
  await assertRefusedMoney(t.deps, approver.client, approver.person, { url }, [
    ...commonBadInputs({ idempotencyKey: key, reason: '金額誤り' }, ['idempotencyKey', 'reason']),
    { label: 'a reason of spaces', fields: { idempotencyKey: key, reason: '   ' }, code: 'TRANSFER_PAGES_REASON_INVALID', field: 'reason' },
    { label: 'a reason of 101 characters', fields: { idempotencyKey: key, reason: 'あ'.repeat(101) }, code: 'TRANSFER_PAGES_REASON_INVALID', field: 'reason' },
    { label: 'a reason with a NUL', fields: { idempotencyKey: key, reason: '誤り\u0000' }, code: 'TRANSFER_PAGES_REASON_INVALID', field: 'reason' },
  ]);
  const refused = await approver.client.post(url, { idempotencyKey: key, reason: 'あ'.repeat(101) });
  assert.match(refused.body, /name="reason" type="text" value="あ+"/, 'the reason typed is shown again');
  const done = await approver.client.post(url, { idempotencyKey: key, reason: '金額が請求書と違います' });
  assert.equal(done.headers.location, `/transfers/${id}?done=sentBack`, errorCode(done.body));
  const seen = await clerk.client.get(`/transfers/${id}`);
  assert.match(seen.body, /data-status="sent_back"/);
  assert.ok(seen.body.includes('金額が請求書と違います'));
  assert.ok(!formOf(seen.body, id, 'withdraw'), 'a sent-back item cannot be withdrawn');
});

test('the creator withdraws their item before approval, after which nobody can approve it', async () => {
  const id = await createThroughPages(clerk.client, clerk.person, adHocFields(contract, { amount: '5,000' }), t.deps);
  const approveKey = await keyFor(approver, id, 'approve');
  const withdrawKey = await keyFor(clerk, id, 'withdraw');
  await assertRefusedMoney(t.deps, clerk.client, clerk.person, { url: `/transfers/${id}/withdraw` }, commonBadInputs({ idempotencyKey: withdrawKey }, ['idempotencyKey']));
  const done = await clerk.client.post(`/transfers/${id}/withdraw`, { idempotencyKey: withdrawKey });
  assert.equal(done.headers.location, `/transfers/${id}?done=withdrawn`, errorCode(done.body));
  assert.equal((await transferRow(id)).status, 'withdrawn');
  const before = await moneyState(t.deps, approver.person);
  const late = await approver.client.post(`/transfers/${id}/approve`, { idempotencyKey: approveKey, confirmationPassword: approver.person.confirmationPassword });
  assert.equal(late.statusCode, 409);
  assert.equal(errorCode(late.body), 'TRANSFER_STATE_CONFLICT');
  assert.ok(!formOf(late.body, id, 'approve'), 'the approve form is gone; the refusal is shown above');
  assertNoStackTrace(late);
  assert.deepEqual(await moneyState(t.deps, approver.person), before);
});

test('steps a person does not hold, or their own item, are refused with their reason and change nothing', async () => {
  const id = await createThroughPages(clerk.client, clerk.person, adHocFields(contract, { amount: '6,000' }), t.deps);
  const ownByMaster = await createThroughPages(contract.client, contract.master, adHocFields(contract, { amount: '7,000' }), t.deps);
  const cases: [User | MoneyContract, string, Record<string, string>, string][] = [
    [clerk, `/transfers/${id}/approve`, { confirmationPassword: clerk.person.confirmationPassword }, 'TRANSFER_NOT_PERMITTED'],
    [sender, `/transfers/${id}/send`, { confirmationPassword: sender.person.confirmationPassword }, 'TRANSFER_STATE_CONFLICT'],
    [approver, `/transfers/${id}/withdraw`, {}, 'TRANSFER_NOT_PERMITTED'],
    [contract, `/transfers/${ownByMaster}/approve`, { confirmationPassword: contract.master.confirmationPassword }, 'TRANSFER_OWN_ITEM'],
  ];
  for (const [who, url, fields, code] of cases) {
    const person = 'person' in who ? who.person : who.master;
    await who.client.get('/transfers');
    const before = await moneyState(t.deps, person);
    const answer = await who.client.post(url, { ...fields, idempotencyKey: 'k'.repeat(32) });
    assert.equal(errorCode(answer.body), code, url);
    assert.ok(answer.statusCode >= 400 && answer.statusCode < 500, url);
    assertNoStackTrace(answer);
    assert.deepEqual(await moneyState(t.deps, person), before, `${url}: nothing changed`);
  }
});

test("unknown transfer ids and another contract's transfers answer NOT_FOUND on every page and form, and change nothing", async () => {
  const id = await createThroughPages(clerk.client, clerk.person, adHocFields(contract, { amount: '8,000' }), t.deps);
  const stranger = await moneyContract(t, 'single');
  const before = await moneyState(t.deps, stranger.master);
  const notFound = (answer: LightMyRequestResponse, label: string) => {
    assert.equal(answer.statusCode, 404, label);
    assert.ok(answer.body.includes(ja('error.NOT_FOUND')), label);
    assertNoStackTrace(answer);
  };
  for (const path of [`/transfers/${id}`, '/transfers/999999999', '/transfers/0', '/transfers/-1', '/transfers/abc', '/transfers/1e3', `/transfers/${'9'.repeat(30)}`]) {
    notFound(await stranger.client.get(path), `GET ${path}`);
  }
  await stranger.client.get('/transfers');
  const key = 'x'.repeat(32);
  for (const [action, fields] of [
    ['approve', { confirmationPassword: stranger.master.confirmationPassword }],
    ['send', {}],
    ['withdraw', {}],
    ['send-back', { reason: '不明' }],
  ] as const) {
    notFound(await stranger.client.post(`/transfers/${id}/${action}`, { ...fields, idempotencyKey: key }), `POST ${action} of another contract's transfer`);
    notFound(await stranger.client.post(`/transfers/424242424/${action}`, { ...fields, idempotencyKey: key }), `POST ${action} of an unknown transfer`);
  }
  assert.deepEqual(await moneyState(t.deps, stranger.master), before);
  assert.equal((await transferRow(id)).status, 'awaiting_approval');
});
