import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { errorCode, type Client } from '../helpers/client.ts';
import type { TestPerson } from '../helpers/people.ts';
import { outboxTo, startApp, type TestApp } from '../helpers/http-app.ts';
import { adHocFields, createThroughPages, hiddenValue, moneyContract, oneTimePasswordFor, transferUser, type MoneyContract } from '../transfers/pages/support.ts';

/**
 * R7.3, R8.5 [承認依頼通知]: through the pages, whoever may take a transfer's next step is mailed,
 * nobody else is; the registrant is told of the final approval, a send back and the execution; the
 * waiting page counts each kind and the menu shows the count.
 */
let database: TestDatabase;
let t: TestApp;
let contract: MoneyContract;
type User = { person: TestPerson; client: Client; ref: number };
let clerk: User;
let otherClerk: User;
let approveOnly: User;
let sender: User;
before(async () => {
  database = await createTestDatabase();
  t = await startApp(database.db);
  contract = await moneyContract(t, 'single');
  clerk = await transferUser(t, contract, { register: true });
  otherClerk = await transferUser(t, contract, { register: true });
  approveOnly = await transferUser(t, contract, { approve: true });
  sender = await transferUser(t, contract, { send: true });
});
after(async () => {
  await t.app.close();
  await database.drop();
});

async function key(user: User, id: bigint, action: string): Promise<string> {
  const page = await user.client.get(`/transfers/${id}`);
  return hiddenValue(page.body, 'idempotencyKey', `/transfers/${id}/${action}`);
}

const mails = async (person: TestPerson, subject: Parameters<typeof outboxTo>[2]) => (await outboxTo(t.deps, person.email, subject)).length;

test('the approver is asked by email when a transfer waits for them, and a person without the step is not', async () => {
  const before = { approver: await mails(approveOnly.person, 'approvals.mail.waiting.subject'), other: await mails(otherClerk.person, 'approvals.mail.waiting.subject'), sender: await mails(sender.person, 'approvals.mail.waiting.subject') };
  const id = await createThroughPages(clerk.client, clerk.person, adHocFields(contract, { amount: '5,000' }), t.deps);
  assert.equal(await mails(approveOnly.person, 'approvals.mail.waiting.subject'), before.approver + 1, 'the approver is asked');
  assert.equal(await mails(otherClerk.person, 'approvals.mail.waiting.subject'), before.other, 'a registrant-only person is not');
  assert.equal(await mails(sender.person, 'approvals.mail.waiting.subject'), before.sender, 'the sender is not asked before the approval');
  const [mail] = (await outboxTo(t.deps, approveOnly.person.email, 'approvals.mail.waiting.subject')).slice(-1);
  assert.match(mail!.body, new RegExp(`/transfers/${id}\\b`), 'the email leads to the item');
});

test('the waiting page counts each kind and the menu shows the count of items waiting for the person', async () => {
  const waitingBefore = await approveOnly.client.get('/approvals');
  const countBefore = Number(/data-kind="transfer" data-count="(\d+)"/.exec(waitingBefore.body)?.[1] ?? '0');
  const id = await createThroughPages(clerk.client, clerk.person, adHocFields(contract, { amount: '6,000' }), t.deps);
  const waiting = await approveOnly.client.get('/approvals');
  assert.match(waiting.body, new RegExp(`<tr data-transfer-id="${id}" data-step="approve"`));
  assert.match(waiting.body, new RegExp(`data-kind="transfer" data-count="${countBefore + 1}"`));
  assert.match(waiting.body, /data-kind="payee" data-count="0"/);
  assert.match(waiting.body, /data-kind="bulk" data-count="0"/);
  assert.match(waiting.body, new RegExp(`id="menu-waiting" data-count="${countBefore + 1}"`), 'the menu shows the count');
  const top = await approveOnly.client.get('/status');
  assert.match(top.body, new RegExp(`id="waiting" data-total="${countBefore + 1}"`), 'the top page shows it too');
  const clerkPage = await clerk.client.get('/approvals');
  assert.match(clerkPage.body, /id="approvals-empty"/, 'nothing waits for the registrant');
  assert.doesNotMatch(clerkPage.body, /href="\/approvals"/, 'a person without approve or send steps has no 承認 entry');
});

test('the registrant is told of the approval, the sender is asked to send, and the registrant gets the executed result', async () => {
  const id = await createThroughPages(clerk.client, clerk.person, adHocFields(contract, { amount: '7,000' }), t.deps);
  const approvedBefore = await mails(clerk.person, 'approvals.mail.approved.subject');
  const senderBefore = await mails(sender.person, 'approvals.mail.waiting.subject');
  const approved = await approveOnly.client.post(`/transfers/${id}/approve`, { idempotencyKey: await key(approveOnly, id, 'approve'), confirmationPassword: approveOnly.person.confirmationPassword });
  assert.equal(approved.statusCode, 303, errorCode(approved.body));
  assert.equal(await mails(clerk.person, 'approvals.mail.approved.subject'), approvedBefore + 1, 'the registrant learns of the approval');
  assert.equal(await mails(sender.person, 'approvals.mail.waiting.subject'), senderBefore + 1, 'the sender is asked to send');

  const resultBefore = await mails(clerk.person, 'ledger.mail.completed.subject');
  const otp = await oneTimePasswordFor(t.deps, sender.client, sender.person, id);
  const sent = await sender.client.post(`/transfers/${id}/send`, { idempotencyKey: await key(sender, id, 'send'), confirmationPassword: sender.person.confirmationPassword, otp });
  assert.equal(sent.headers.location, `/transfers/${id}?done=sent`, errorCode(sent.body));
  assert.equal(await mails(clerk.person, 'ledger.mail.completed.subject'), resultBefore + 1, 'the registrant gets the executed result');
});

test('the registrant is told when an approver sends the transfer back', async () => {
  const id = await createThroughPages(clerk.client, clerk.person, adHocFields(contract, { amount: '8,000' }), t.deps);
  const before = await mails(clerk.person, 'transfers.mail.sentBack.subject');
  const answer = await approveOnly.client.post(`/transfers/${id}/send-back`, { idempotencyKey: await key(approveOnly, id, 'send-back'), reason: '金額誤り' });
  assert.equal(answer.statusCode, 303, errorCode(answer.body));
  assert.equal(await mails(clerk.person, 'transfers.mail.sentBack.subject'), before + 1);
  assert.doesNotMatch((await approveOnly.client.get('/approvals')).body, new RegExp(`data-transfer-id="${id}"`), 'a sent-back item waits for nobody');
});
