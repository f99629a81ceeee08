import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { Client, errorCode } from '../helpers/client.ts';
import type { TestPerson } from '../helpers/people.ts';
import { assertNoStackTrace, postJson, startApp, userRow, type TestApp } from '../helpers/http-app.ts';
import { commonBadInputs, fullWidth, type BadInput } from '../helpers/bad-input.ts';
import { findBranch } from '../../src/domain/bank-directory.ts';
import { ownBank } from '../../src/modules/payees/own-bank.ts';
import { act, loggedOn, openReview, payeeFields, payeesState, payeesWorld, registerPayee, submitEntry, type PayeesWorld } from './support.ts';

/**
 * Bad input on every payee form: the same page again with an error code, no stack trace, and
 * nothing changed: no payee, approval, setting or email, and no attempt counted against the person
 * (except for a wrong confirmation password, which counts exactly one, R2.3).
 */
let database: TestDatabase;
let t: TestApp;
let world: PayeesWorld;
let clerk: Client;
let approver: Client;
before(async () => {
  database = await createTestDatabase();
  t = await startApp(database.db);
  world = await payeesWorld(t, 'single');
  clerk = await loggedOn(t, world.clerk);
  approver = await loggedOn(t, world.approverA);
});
after(async () => {
  await t.app.close();
  await database.drop();
});

/** A bad input; `counts`: a wrong confirmation password that was evaluated, which counts one attempt. */
type Refusal = BadInput & { counts?: boolean };

async function assertRefused(client: Client, person: TestPerson, form: { url: string; formAction?: string | null }, inputs: readonly Refusal[]): Promise<void> {
  for (const input of inputs) {
    const label = `${form.url}: ${input.label}`;
    const before = await payeesState(t.deps, world.master.contractId);
    const attemptsBefore = (await userRow(t.deps, person)).failed_attempts;
    const csrf = input.csrf === undefined ? client.csrf : input.csrf;
    const response = input.json
      ? await postJson(client, form.url, csrf === null ? input.json : { ...input.json, _csrf: csrf })
      : await client.post(form.url, input.fields ?? {}, { csrf: input.csrf });
    assert.ok(response.statusCode >= 400 && response.statusCode < 500, `${label}: a 4xx answer (got ${response.statusCode} ${response.headers.location ?? ''})`);
    const action = form.formAction === undefined ? form.url : form.formAction;
    if (action !== null) assert.ok(response.body.includes(`<form method="post" action="${action}"`), `${label}: the form is shown again`);
    const code = errorCode(response.body);
    assert.ok(code, `${label}: an error code is shown`);
    if (input.code) assert.equal(code, input.code, label);
    assertNoStackTrace(response);
    assert.deepEqual(await payeesState(t.deps, world.master.contractId), before, `${label}: nothing changed`);
    assert.equal((await userRow(t.deps, person)).failed_attempts, attemptsBefore + (input.counts ? 1 : 0), `${label}: attempts counted`);
    await t.deps.db.updateTable('users').set({ failed_attempts: 0 }).where('user_id', '=', person.userId).where('contract_id', '=', person.contractId).execute();
  }
}

const entryFieldNames = ['bankCode', 'branchCode', 'accountType', 'accountNumber', 'name'] as const;

function entryBadInputs(valid: Record<string, string>): BadInput[] {
  return [
    ...commonBadInputs(valid, entryFieldNames),
    { label: 'a payee name in kanji', fields: { ...valid, name: '山田商事株式会社' }, code: 'PAYEES_NAME_UNCONVERTIBLE' },
    { label: 'a payee name with an emoji', fields: { ...valid, name: 'ﾔﾏﾀﾞ😀' }, code: 'PAYEES_NAME_UNCONVERTIBLE' },
    { label: 'a payee name with a control character', fields: { ...valid, name: 'ﾔﾏﾀﾞ\u0007' }, code: 'PAYEES_NAME_UNCONVERTIBLE' },
    { label: 'a payee name of 31 kana', fields: { ...valid, name: 'ア'.repeat(31) }, code: 'PAYEES_NAME_TOO_LONG' },
    { label: 'a payee name of 16 voiced kana (32 Zengin characters)', fields: { ...valid, name: 'ガ'.repeat(16) }, code: 'PAYEES_NAME_TOO_LONG' },
    { label: 'a blank payee name', fields: { ...valid, name: '　 ' }, code: 'PAYEES_NAME_EMPTY' },
    { label: 'an unknown bank code', fields: { ...valid, bankCode: '9998' }, code: 'PAYEES_BANK_INVALID' },
    { label: 'a three-digit bank code', fields: { ...valid, bankCode: '005' }, code: 'PAYEES_BANK_INVALID' },
    { label: 'a full-width bank code', fields: { ...valid, bankCode: fullWidth('0005') }, code: 'PAYEES_BANK_INVALID' },
    { label: 'a bank code with letters', fields: { ...valid, bankCode: '00A5' }, code: 'PAYEES_BANK_INVALID' },
    { label: 'a branch the bank does not have', fields: { ...valid, branchCode: '000' }, code: 'PAYEES_BRANCH_INVALID' },
    { label: 'a four-digit branch code', fields: { ...valid, branchCode: '0001' }, code: 'PAYEES_BRANCH_INVALID' },
    { label: 'a branch code with a letter', fields: { ...valid, branchCode: '00x' }, code: 'PAYEES_BRANCH_INVALID' },
    { label: 'an 8-digit account number', fields: { ...valid, accountNumber: '12345678' }, code: 'PAYEES_ACCOUNT_NUMBER_INVALID' },
    { label: 'an account number with a letter', fields: { ...valid, accountNumber: '12345A7' }, code: 'PAYEES_ACCOUNT_NUMBER_INVALID' },
    { label: 'a full-width account number', fields: { ...valid, accountNumber: fullWidth('1234567') }, code: 'PAYEES_ACCOUNT_NUMBER_INVALID' },
    { label: 'a negative account number', fields: { ...valid, accountNumber: '-123456' }, code: 'PAYEES_ACCOUNT_NUMBER_INVALID' },
    { label: 'an account number of zeros', fields: { ...valid, accountNumber: '0000000' }, code: 'PAYEES_ACCOUNT_NUMBER_INVALID' },
    { label: 'an account number with a hyphen', fields: { ...valid, accountNumber: '123-4567' }, code: 'PAYEES_ACCOUNT_NUMBER_INVALID' },
    { label: 'an unknown account type', fields: { ...valid, accountType: 'checking' }, code: 'PAYEES_ACCOUNT_TYPE_INVALID' },
    { label: 'a nickname of 31 characters', fields: { ...valid, nickname: 'あ'.repeat(31) }, code: 'PAYEES_NICKNAME_INVALID' },
    { label: 'a nickname sent twice', fields: { ...valid, nickname: ['a', 'b'] }, code: 'PAYEES_NICKNAME_INVALID' },
  ];
}

test('the register form refuses every bad input, naming the character a name cannot hold', async () => {
  assert.equal(await findBranch(ownBank(t.deps), '0005', '000'), undefined, 'branch 000 of 0005 does not exist');
  await clerk.get('/payees/new');
  await assertRefused(clerk, world.clerk, { url: '/payees/new' }, entryBadInputs(payeeFields() as Record<string, string>));
  const kanji = await clerk.post('/payees/new', payeeFields({ name: 'ﾔﾏﾀﾞ商事' }));
  assert.ok(kanji.body.includes('「商」'), 'the message names the offending character');
  assert.ok(kanji.body.includes('value="ﾔﾏﾀﾞ商事"'), 'and the name typed is shown again to correct');
  const english = await clerk.post('/payees/new?lang=en', payeeFields({ name: 'ﾔﾏﾀﾞ商事' }));
  assert.match(english.body, /contains 「商」\(U\+5546\), which cannot be used/);
  await clerk.get('/payees?lang=ja');
});

test('an account already registered is refused at the form, before any password', async () => {
  const { id } = await registerPayee(world.masterClient, world.master, { accountNumber: '2222222' });
  await clerk.get('/payees/new');
  await assertRefused(clerk, world.clerk, { url: '/payees/new' }, [
    { label: 'the same account again (waiting for approval)', fields: payeeFields({ accountNumber: '2222222', name: 'ﾍﾞﾂﾒｲ' }), code: 'PAYEES_DUPLICATE' },
    { label: 'the same account under another nickname', fields: payeeFields({ accountNumber: '2222222', nickname: '別名' }), code: 'PAYEES_DUPLICATE' },
  ]);
  assert.ok(id > 0);
});

test('the review refuses a wrong confirmation password (counted once), and drafts that are missing, altered, old or not this session’s', async () => {
  const review = await openReview(clerk, await submitEntry(clerk, '/payees/new', payeeFields({ accountNumber: '3333333' })));
  // The master's new logon ends their earlier session (one live session per person): keep the new one.
  const other = await loggedOn(t, world.master, '198.51.100.41');
  world.masterClient = other;
  const othersReview = await openReview(other, await submitEntry(other, '/payees/new', payeeFields({ accountNumber: '4444444' })));
  await clerk.get(review.location);
  const tampered = review.draft.slice(0, -4) + (review.draft.endsWith('AAAA') ? 'BBBB' : 'AAAA');
  await assertRefused(clerk, world.clerk, { url: review.action }, [
    { label: 'a wrong confirmation password', fields: { draft: review.draft, confirmationPassword: 'Wrong2026pass' }, code: 'CONFIRMATION_PASSWORD_WRONG', counts: true },
    { label: 'no confirmation password', fields: { draft: review.draft }, code: 'CONFIRMATION_PASSWORD_WRONG' },
    { label: 'no CSRF token', fields: { draft: review.draft, confirmationPassword: world.clerk.confirmationPassword }, csrf: null, code: 'CSRF_INVALID' },
    { label: 'a password sent twice', fields: { draft: review.draft, confirmationPassword: [world.clerk.confirmationPassword, world.clerk.confirmationPassword] }, code: 'CONFIRMATION_PASSWORD_WRONG' },
  ]);
  await assertRefused(clerk, world.clerk, { url: review.action, formAction: null }, [
    { label: 'no draft', fields: { confirmationPassword: world.clerk.confirmationPassword }, code: 'PAYEES_DRAFT_INVALID' },
    { label: 'an altered draft', fields: { draft: tampered, confirmationPassword: world.clerk.confirmationPassword }, code: 'PAYEES_DRAFT_INVALID' },
    { label: 'another session’s draft', fields: { draft: othersReview.draft, confirmationPassword: world.clerk.confirmationPassword }, code: 'PAYEES_DRAFT_INVALID' },
    { label: 'a draft sent twice', fields: { draft: [review.draft, review.draft], confirmationPassword: world.clerk.confirmationPassword }, code: 'PAYEES_DRAFT_INVALID' },
  ]);
  const wrongPage = await clerk.post(review.action, { draft: review.draft, confirmationPassword: 'Wrong2026pass' });
  assert.ok(wrongPage.body.includes('ﾔﾏﾀﾞｼﾖｳｼﾞ'), 'after a wrong password the review is shown again with its details');
  await t.deps.db.updateTable('users').set({ failed_attempts: 0 }).where('user_id', '=', world.clerk.userId).where('contract_id', '=', world.clerk.contractId).execute();
});

test('the change form and its review refuse bad input the same way', async () => {
  const { id } = await registerPayee(world.masterClient, world.master, { accountNumber: '6666666' });
  await act(approver, id, 'approve', { confirmationPassword: world.approverA.confirmationPassword });
  const path = `/payees/${id}/change`;
  await clerk.get(path);
  const valid = payeeFields({ accountNumber: '6666666', name: 'ﾍﾝｺｳｺﾞ' }) as Record<string, string>;
  await assertRefused(clerk, world.clerk, { url: path }, entryBadInputs(valid).filter((input) => input.code !== undefined));
  const review = await openReview(clerk, await submitEntry(clerk, path, valid));
  await clerk.get(review.location);
  const newDraft = await openReview(clerk, await submitEntry(clerk, '/payees/new', payeeFields({ accountNumber: '7777777' })));
  await clerk.get(review.location);
  await assertRefused(clerk, world.clerk, { url: review.action }, [
    { label: 'a wrong confirmation password', fields: { draft: review.draft, confirmationPassword: 'Wrong2026pass' }, code: 'CONFIRMATION_PASSWORD_WRONG', counts: true },
    { label: 'no CSRF token', fields: { draft: review.draft, confirmationPassword: world.clerk.confirmationPassword }, csrf: null, code: 'CSRF_INVALID' },
  ]);
  await assertRefused(clerk, world.clerk, { url: review.action, formAction: null }, [
    { label: 'a draft made for a new payee', fields: { draft: newDraft.draft, confirmationPassword: world.clerk.confirmationPassword }, code: 'PAYEES_DRAFT_INVALID' },
  ]);
});

test('approve, send back, withdraw and delete refuse bad input', async () => {
  const { id: pending } = await registerPayee(clerk, world.clerk, { accountNumber: '8888888' });
  const { id: active } = await registerPayee(clerk, world.clerk, { accountNumber: '9999999' });
  await act(approver, active, 'approve', { confirmationPassword: world.approverA.confirmationPassword });
  await approver.get(`/payees/${pending}/approve`);
  await assertRefused(approver, world.approverA, { url: `/payees/${pending}/approve` }, [
    { label: 'a wrong confirmation password', fields: { confirmationPassword: 'Wrong2026pass' }, code: 'CONFIRMATION_PASSWORD_WRONG', counts: true },
    { label: 'no CSRF token', fields: { confirmationPassword: world.approverA.confirmationPassword }, csrf: null, code: 'CSRF_INVALID' },
    { label: 'a wrong CSRF token', fields: { confirmationPassword: world.approverA.confirmationPassword }, csrf: 'A'.repeat(32), code: 'CSRF_INVALID' },
    { label: 'the password as a JSON number', json: { confirmationPassword: 12345678 }, code: 'CONFIRMATION_PASSWORD_WRONG' },
  ]);
  await approver.get(`/payees/${pending}/reject`);
  await assertRefused(approver, world.approverA, { url: `/payees/${pending}/reject` }, [
    { label: 'no reason', fields: {}, code: 'PAYEES_REASON_INVALID' },
    { label: 'a reason of 201 characters', fields: { reason: 'あ'.repeat(201) }, code: 'PAYEES_REASON_INVALID' },
    { label: 'a reason sent twice', fields: { reason: ['a', 'b'] }, code: 'PAYEES_REASON_INVALID' },
    { label: 'no CSRF token', fields: { reason: '確認してください' }, csrf: null, code: 'CSRF_INVALID' },
  ]);
  await clerk.get(`/payees/${pending}/withdraw`);
  await assertRefused(clerk, world.clerk, { url: `/payees/${pending}/withdraw` }, [
    { label: 'no CSRF token', fields: {}, csrf: null, code: 'CSRF_INVALID' },
    { label: 'an empty CSRF token', fields: {}, csrf: '', code: 'CSRF_INVALID' },
  ]);
  await clerk.get(`/payees/${active}/delete`);
  await assertRefused(clerk, world.clerk, { url: `/payees/${active}/delete` }, [
    { label: 'a wrong confirmation password', fields: { confirmationPassword: 'Wrong2026pass' }, code: 'CONFIRMATION_PASSWORD_WRONG', counts: true },
    { label: 'no confirmation password', fields: {}, code: 'CONFIRMATION_PASSWORD_WRONG' },
    { label: 'no CSRF token', fields: { confirmationPassword: world.clerk.confirmationPassword }, csrf: null, code: 'CSRF_INVALID' },
  ]);
});

// Last: the fake clock moves on half an hour, which idles out every other session of this file.
test('a review older than thirty minutes is refused', async () => {
  const old = await openReview(clerk, await submitEntry(clerk, '/payees/new', payeeFields({ accountNumber: '5555555' })));
  t.deps.clock.advanceSeconds(9 * 60);
  await clerk.get('/payees');
  t.deps.clock.advanceSeconds(9 * 60);
  await clerk.get('/payees');
  t.deps.clock.advanceSeconds(9 * 60);
  await clerk.get('/payees');
  t.deps.clock.advanceSeconds(4 * 60);
  await clerk.get('/payees');
  await assertRefused(clerk, world.clerk, { url: old.action, formAction: null }, [
    { label: 'a draft older than thirty minutes', fields: { draft: old.draft, confirmationPassword: world.clerk.confirmationPassword }, code: 'PAYEES_DRAFT_INVALID' },
  ]);
});
