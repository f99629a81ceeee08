import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Deps } from '../../../src/deps.ts';
import { errorCode } from '../../helpers/client.ts';
import { appForFile, assertNoStackTrace } from '../../helpers/http-app.ts';
import { codeAt, stepAt } from '../../../src/auth/token-totp.ts';
import { tokenSecretAssociatedData } from '../../../src/access/hardware-token/secret.ts';
import { addDaysTo } from '../../../src/domain/tokyo-time.ts';
import { adHocFields, createThroughPages, hiddenValue, moneyContract, oneTimePasswordFor, transferUser, type MoneyContract } from './support.ts';

/**
 * R6.5 at the pages: a transfer to an ad hoc destination [都度指定] is finalised with the password of
 * the final approver's hardware token (without approval, the sender's), besides the confirmation
 * password and the email one-time password — or instead of the email code where the bank set the
 * contract so. A transfer to a registered payee, and an approval that is not the last, need none.
 */
const t = appForFile();
const secret = Buffer.from('12345678901234567890');
const token = { hash: 'sha1' as const, digits: 6, stepSeconds: 60 };
let serials = 0;

/** A token of the bank assigned to the contract (applied for 40 days ago: the grace period is over), activated by the people given. */
async function tokenFor(deps: Deps, contract: MoneyContract, holders: number[], options: { appliedDaysAgo?: number } = {}): Promise<string> {
  serials += 1;
  const serial = `TT-${serials}-${Date.now() % 100000}`;
  const now = deps.clock.now();
  await deps.db
    .insertInto('hardware_token')
    .values({
      serial,
      secret_sealed: deps.keyring.seal(secret.toString('base64'), tokenSecretAssociatedData(serial)),
      hash: 'sha1',
      digits: 6,
      step_seconds: 60,
      expires_on: '2030-12-31',
      imported_at: now,
      imported_by: 'operator:test',
      contract_id: contract.master.contractId,
      assigned_at: now,
      assign_reason: 'new',
    })
    .execute();
  await deps.db.updateTable('contract').set({ tokens_applied_at: addDaysTo(now, -(options.appliedDaysAgo ?? 40)) }).where('id', '=', contract.master.contractId).execute();
  if (holders.length > 0) await deps.db.updateTable('users').set({ token_serial: serial, token_activated_at: now }).where('id', 'in', holders).execute();
  return serial;
}

/** The code the token shows `offset` steps from now (each use needs a step not used before, R6.8). */
function tokenCode(offset = 0): string {
  return codeAt(secret, stepAt(t.deps.clock.now(), 60) + offset, token);
}

async function statusOf(id: bigint) {
  return t.deps.db.selectFrom('transfer').select(['status', 'protections']).where('id', '=', id).executeTakeFirstOrThrow();
}

test('R6.5: the final approval of an ad hoc transfer needs the approver token password; without it, or wrong, nothing moves', async () => {
  const contract = await moneyContract(t, 'single');
  const creator = await transferUser(t, contract, { register: true });
  const approver = await transferUser(t, contract, { approve: true, send: true });
  const serial = await tokenFor(t.deps, contract, [approver.ref]);
  const id = await createThroughPages(creator.client, creator.person, adHocFields(contract), t.deps);

  const page = await approver.client.get(`/transfers/${id.toString()}`);
  assert.equal(page.statusCode, 200);
  assert.ok(page.body.includes('name="tokenCode"'), 'the approval form asks for the token password');
  const otp = await oneTimePasswordFor(t.deps, approver.client, approver.person, id);
  const form = async () => ({ idempotencyKey: hiddenValue((await approver.client.get(`/transfers/${id.toString()}`)).body, 'idempotencyKey', `/transfers/${id.toString()}/approve`), confirmationPassword: approver.person.confirmationPassword, otp });

  const missing = await approver.client.post(`/transfers/${id.toString()}/approve`, await form());
  assert.equal(errorCode(missing.body), 'TOKEN_CODE_FORMAT');
  assertNoStackTrace(missing);
  const wrong = await approver.client.post(`/transfers/${id.toString()}/approve`, { ...(await form()), tokenCode: tokenCode(5) });
  assert.equal(errorCode(wrong.body), 'TOKEN_CODE_WRONG');
  assert.equal((await statusOf(id)).status, 'awaiting_approval', 'refused steps leave the transfer waiting');

  const right = await approver.client.post(`/transfers/${id.toString()}/approve`, { ...(await form()), tokenCode: tokenCode() });
  assert.equal(right.statusCode, 303, errorCode(right.body));
  const done = await statusOf(id);
  assert.notEqual(done.status, 'awaiting_approval');
  const protections = done.protections as { token?: { serial: string }; emailOtp?: unknown };
  assert.equal(protections.token?.serial, serial, 'R9.1: the transfer keeps the token that confirmed it');
  assert.ok(protections.emailOtp, 'and the email code, asked as well by default');
  const audit = await t.deps.db.selectFrom('audit_log').select('action').where('user_ref', '=', approver.ref).where('action', '=', 'token.verify').execute();
  assert.equal(audit.length, 1);
});

test('R6.5: a transfer to a registered payee, and an approval that is not the last of a double approval, ask for no token', async () => {
  const contract = await moneyContract(t, 'double');
  const creator = await transferUser(t, contract, { register: true });
  const first = await transferUser(t, contract, { approve: true });
  const second = await transferUser(t, contract, { approve: true });
  await tokenFor(t.deps, contract, [first.ref, second.ref]);
  const id = await createThroughPages(creator.client, creator.person, adHocFields(contract), t.deps);
  const firstPage = await first.client.get(`/transfers/${id.toString()}`);
  assert.ok(!firstPage.body.includes('name="tokenCode"'), 'the first of two approvals needs no token');
  const approved = await first.client.post(`/transfers/${id.toString()}/approve`, {
    idempotencyKey: hiddenValue(firstPage.body, 'idempotencyKey', `/transfers/${id.toString()}/approve`),
    confirmationPassword: first.person.confirmationPassword,
  });
  assert.equal(approved.statusCode, 303, errorCode(approved.body));
  const secondPage = await second.client.get(`/transfers/${id.toString()}`);
  assert.ok(secondPage.body.includes('name="tokenCode"'), 'the final approver is asked');
  const refused = await second.client.post(`/transfers/${id.toString()}/approve`, {
    idempotencyKey: hiddenValue(secondPage.body, 'idempotencyKey', `/transfers/${id.toString()}/approve`),
    confirmationPassword: second.person.confirmationPassword,
  });
  assert.equal(errorCode(refused.body), 'TOKEN_CODE_FORMAT');
  const final = await second.client.post(`/transfers/${id.toString()}/approve`, {
    idempotencyKey: hiddenValue(secondPage.body, 'idempotencyKey', `/transfers/${id.toString()}/approve`),
    confirmationPassword: second.person.confirmationPassword,
    tokenCode: tokenCode(1),
  });
  assert.equal(final.statusCode, 303, errorCode(final.body));
  assert.equal((await statusOf(id)).status, 'awaiting_send');
  assert.equal(((await statusOf(id)).protections as { token?: { serial: string } }).token !== undefined, true, 'the final approval keeps its token');
});

test('R6.5: where the bank set the contract to the token alone, the sender enters no email code', async () => {
  const contract = await moneyContract(t, 'none');
  const sender = await transferUser(t, contract, { register: true, send: true });
  await tokenFor(t.deps, contract, [sender.ref]);
  await t.deps.db.updateTable('contract').set({ token_replaces_email_otp: true }).where('id', '=', contract.master.contractId).execute();
  await sender.client.get('/transfers/new');
  const draftAnswer = await sender.client.post('/transfers/new', adHocFields(contract));
  const location = String(draftAnswer.headers.location);
  const confirm = await sender.client.get(location);
  assert.ok(confirm.body.includes('name="tokenCode"'));
  assert.ok(!confirm.body.includes('action="/transfers/confirm/otp"'), 'no email code is offered');
  const draft = location.split('draft=')[1]!;
  const done = await sender.client.post('/transfers/confirm', {
    draft,
    idempotencyKey: hiddenValue(confirm.body, 'idempotencyKey', '/transfers/confirm'),
    confirmationPassword: sender.person.confirmationPassword,
    tokenCode: tokenCode(-1),
  });
  assert.equal(done.statusCode, 303, errorCode(done.body));
  const id = BigInt(/\/transfers\/(\d+)/.exec(String(done.headers.location))![1]!);
  const protections = (await statusOf(id)).protections as { token?: unknown; emailOtp?: unknown };
  assert.ok(protections.token && !protections.emailOtp);
});

test('R6.4: within the grace period a person without a token approves without one, and is told until when', async () => {
  const contract = await moneyContract(t, 'single');
  const creator = await transferUser(t, contract, { register: true });
  const approver = await transferUser(t, contract, { approve: true, send: true });
  await tokenFor(t.deps, contract, [], { appliedDaysAgo: 3 });
  const id = await createThroughPages(creator.client, creator.person, adHocFields(contract), t.deps);
  assert.equal((await approver.client.get('/transfers')).headers.location, '/token-activation', 'R6.3: the activation is offered first');
  const offered = await approver.client.get('/token-activation');
  assert.ok(offered.body.includes('action="/token-activation/skip"'), 'the skip is offered in the grace period');
  const skipped = await approver.client.post('/token-activation/skip', {});
  assert.equal(skipped.headers.location, '/status');
  const page = await approver.client.get(`/transfers/${id.toString()}`);
  assert.equal(page.statusCode, 200);
  assert.ok(!page.body.includes('name="tokenCode"') && page.body.includes('id="token-grace"'));
  const otp = await oneTimePasswordFor(t.deps, approver.client, approver.person, id);
  const fresh = await approver.client.get(`/transfers/${id.toString()}`);
  const approved = await approver.client.post(`/transfers/${id.toString()}/approve`, {
    idempotencyKey: hiddenValue(fresh.body, 'idempotencyKey', `/transfers/${id.toString()}/approve`),
    confirmationPassword: approver.person.confirmationPassword,
    otp,
  });
  assert.equal(approved.statusCode, 303, errorCode(approved.body));
});

test('R6.6: a right token code with a wrong email code costs no token attempt, and the same token code still approves afterwards', async () => {
  const contract = await moneyContract(t, 'single');
  const creator = await transferUser(t, contract, { register: true });
  const approver = await transferUser(t, contract, { approve: true, send: true });
  await tokenFor(t.deps, contract, [approver.ref]);
  const id = await createThroughPages(creator.client, creator.person, adHocFields(contract), t.deps);
  const otp = await oneTimePasswordFor(t.deps, approver.client, approver.person, id);
  const path = `/transfers/${id.toString()}`;
  const form = async () => ({ idempotencyKey: hiddenValue((await approver.client.get(path)).body, 'idempotencyKey', `${path}/approve`), confirmationPassword: approver.person.confirmationPassword });
  for (let i = 0; i < 2; i++) {
    const refused = await approver.client.post(`${path}/approve`, { ...(await form()), otp: '000000', tokenCode: tokenCode() });
    assert.equal(errorCode(refused.body), 'EMAIL_OTP_WRONG');
  }
  const row = await t.deps.db.selectFrom('users').select(['token_failed_attempts', 'token_stopped_at']).where('id', '=', approver.ref).executeTakeFirstOrThrow();
  assert.deepEqual(row, { token_failed_attempts: 0, token_stopped_at: null }, 'the token attempts were given back');
  const approved = await approver.client.post(`${path}/approve`, { ...(await form()), otp, tokenCode: tokenCode() });
  assert.equal(approved.statusCode, 303, errorCode(approved.body));
});
