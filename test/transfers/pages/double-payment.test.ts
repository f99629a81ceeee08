import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, type TestDatabase } from '../../helpers/database.ts';
import { errorCode } from '../../helpers/client.ts';
import { startApp, userRow, type TestApp } from '../../helpers/http-app.ts';
import { adHocFields, confirmationOneTimePassword, createThroughPages, draftOf, entriesOf, hiddenValue, moneyContract, moneyState, transferUser, transfersOf, oneTimePasswordFor, type MoneyContract } from './support.ts';

/**
 * R8.6 against double payments through the pages: a confirmation page sent again after its draft was
 * confirmed (the browser's Back button) shows the transfer made; a transfer like a recent one is held
 * until ticked as a separate payment. R8.5, R2.3: every approval and send is confirmed with the
 * acting person's confirmation password, counted towards the stop.
 */
let database: TestDatabase;
let t: TestApp;
let contract: MoneyContract;
before(async () => {
  database = await createTestDatabase();
  t = await startApp(database.db);
  contract = await moneyContract(t);
});
after(async () => {
  await t.app.close();
  await database.drop();
});

async function confirmPage(fields: Record<string, string>) {
  await contract.client.get('/transfers/new');
  const draft = draftOf(await contract.client.post('/transfers/new', fields));
  const page = await contract.client.get(`/transfers/confirm?draft=${draft}`);
  assert.equal(page.statusCode, 200);
  const key = hiddenValue(page.body, 'idempotencyKey', '/transfers/confirm');
  return { draft, key, page, otp: await confirmationOneTimePassword(t.deps, contract.client, contract.master, draft, key) };
}

test('a confirmed draft sent again — Back, then confirm — shows the existing transfer, with exactly one posting', async () => {
  const { draft, key, otp } = await confirmPage(adHocFields(contract, { amount: '31,000' }));
  const fields = { draft, idempotencyKey: key, confirmationPassword: contract.master.confirmationPassword, otp };
  const first = await contract.client.post('/transfers/confirm', fields);
  assert.equal(first.statusCode, 303, errorCode(first.body));
  const created = (await transfersOf(t.deps, contract.master.contractId)).at(-1)!;
  // Back: the browser loads the confirmation page of the same draft again.
  const back = await contract.client.get(`/transfers/confirm?draft=${draft}`);
  assert.equal(back.statusCode, 200);
  assert.match(back.body, new RegExp(`id="already-confirmed" data-transfer-id="${created.id}"`));
  assert.ok(!back.body.includes('<form method="post" action="/transfers/confirm"'), 'nothing to confirm again');
  const count = (await transfersOf(t.deps, contract.master.contractId)).length;
  // The form sent again, with its key or with another one made up: the same transfer.
  for (const idempotencyKey of [key, 'AnotherKeyMadeUp_0123456789abcdef']) {
    const again = await contract.client.post('/transfers/confirm', { ...fields, idempotencyKey });
    assert.equal(again.headers.location, `/transfers/${created.id}?done=created`, errorCode(again.body));
  }
  assert.equal((await transfersOf(t.deps, contract.master.contractId)).length, count, 'no second transfer');
  assert.equal(await entriesOf(t.deps, created.id), 1, 'posted once');
});

test('R8.6 duplicate check: a like transfer is held with the earlier one shown, costs no password attempt, and proceeds when ticked', async () => {
  const fields = adHocFields(contract, { amount: '42,000' });
  const earlier = await createThroughPages(contract.client, contract.master, fields, t.deps);
  const { draft, key, page, otp } = await confirmPage(fields);
  assert.match(page.body, new RegExp(`id="duplicate-warning" data-transfer-id="${earlier}"`));
  assert.ok(page.body.includes('name="separatePayment"'));
  const before = await moneyState(t.deps, contract.master);
  // Not ticked: held, whatever the password — a wrong one is not even counted.
  for (const confirmationPassword of [contract.master.confirmationPassword, 'Wrong2026pass']) {
    const held = await contract.client.post('/transfers/confirm', { draft, idempotencyKey: key, confirmationPassword, otp });
    assert.equal(held.statusCode, 409);
    assert.equal(errorCode(held.body), 'TRANSFER_DUPLICATE_UNCONFIRMED');
    assert.match(held.body, /id="duplicate-warning"/, 'the earlier transfer is shown on the same page');
    assert.deepEqual(await moneyState(t.deps, contract.master), before, 'nothing changed');
  }
  // Ticked, with a mistyped password: refused for the password, and the tick is kept on the page.
  const mistyped = await contract.client.post('/transfers/confirm', { draft, idempotencyKey: key, confirmationPassword: 'Wrong2026pass', otp, separatePayment: 'yes' });
  assert.equal(errorCode(mistyped.body), 'CONFIRMATION_PASSWORD_WRONG');
  assert.match(mistyped.body, /name="separatePayment" value="yes" checked/);
  const ticked = await contract.client.post('/transfers/confirm', { draft, idempotencyKey: key, confirmationPassword: contract.master.confirmationPassword, otp, separatePayment: 'yes' });
  assert.equal(ticked.statusCode, 303, errorCode(ticked.body));
  const made = (await transfersOf(t.deps, contract.master.contractId)).at(-1)!;
  assert.notEqual(made.id, earlier);
  assert.equal(await entriesOf(t.deps, made.id), 1);
});

test('R8.6 duplicate check: another amount, or another date, is not held', async () => {
  await createThroughPages(contract.client, contract.master, adHocFields(contract, { amount: '43,000' }), t.deps);
  const { page } = await confirmPage(adHocFields(contract, { amount: '43,001' }));
  assert.ok(!page.body.includes('id="duplicate-warning"'));
});

test('R8.5, R2.3: a wrong confirmation password on send is refused on the page and counted; seven stop the person', async () => {
  const single = await moneyContract(t, 'single');
  const registrant = await transferUser(t, single, { register: true, send: true });
  const approver = await transferUser(t, single, { approve: true });
  const id = await createThroughPages(registrant.client, registrant.person, adHocFields(single, { amount: '5,000' }), t.deps);
  const approvePage = await approver.client.get(`/transfers/${id}`);
  assert.match(approvePage.body, new RegExp(`id="awaited" data-step="approve"`), 'the page names who is awaited');
  const approved = await approver.client.post(`/transfers/${id}/approve`, {
    idempotencyKey: hiddenValue(approvePage.body, 'idempotencyKey', `/transfers/${id}/approve`),
    confirmationPassword: approver.person.confirmationPassword,
  });
  assert.equal(approved.statusCode, 303, errorCode(approved.body));
  // R8.5: after the approval the registrant, who holds the send step, sends it.
  const page = await registrant.client.get(`/transfers/${id}`);
  assert.match(page.body, /id="awaited" data-step="send"/);
  const key = hiddenValue(page.body, 'idempotencyKey', `/transfers/${id}/send`);
  const otp = await oneTimePasswordFor(t.deps, registrant.client, registrant.person, id);
  const start = (await userRow(t.deps, registrant.person)).failed_attempts;
  const wrong = await registrant.client.post(`/transfers/${id}/send`, { idempotencyKey: key, confirmationPassword: 'Wrong2026pass', otp });
  assert.equal(wrong.statusCode, 400);
  assert.equal(errorCode(wrong.body), 'CONFIRMATION_PASSWORD_WRONG');
  assert.equal((await userRow(t.deps, registrant.person)).failed_attempts, start + 1, 'counted');
  assert.equal(await entriesOf(t.deps, id), 0, 'not sent');
  const sent = await registrant.client.post(`/transfers/${id}/send`, { idempotencyKey: key, confirmationPassword: registrant.person.confirmationPassword, otp });
  assert.equal(sent.headers.location, `/transfers/${id}?done=sent`, errorCode(sent.body));
  assert.equal(await entriesOf(t.deps, id), 1);
  // Seven wrong confirmations in a row stop the approver (R2.3), however they are spread over the steps.
  const other = await createThroughPages(registrant.client, registrant.person, adHocFields(single, { amount: '6,000' }), t.deps);
  const form = await approver.client.get(`/transfers/${other}`);
  const approveKey = hiddenValue(form.body, 'idempotencyKey', `/transfers/${other}/approve`);
  for (let i = 0; i < 7; i++) await approver.client.post(`/transfers/${other}/approve`, { idempotencyKey: approveKey, confirmationPassword: 'Wrong2026pass' });
  assert.notEqual((await userRow(t.deps, approver.person)).stopped_at, null, 'stopped');
  assert.equal((await t.deps.db.selectFrom('transfer').select('status').where('id', '=', other).executeTakeFirstOrThrow()).status, 'awaiting_approval');
});
