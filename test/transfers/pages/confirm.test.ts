import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, type TestDatabase } from '../../helpers/database.ts';
import { Client, errorCode } from '../../helpers/client.ts';
import { logon } from '../../helpers/people.ts';
import { assertNoStackTrace, startApp, userRow, type TestApp } from '../../helpers/http-app.ts';
import { commonBadInputs } from '../../helpers/bad-input.ts';
import { adHocFields, assertRefusedMoney, confirmationOneTimePassword, draftOf, entriesOf, hiddenValue, moneyContract, moneyState, transfersOf, type MoneyContract } from './support.ts';

/**
 * R8.2, R8.6: the confirmation page. Its form carries the sealed inputs and a key made when it was
 * rendered; it is sent with the confirmation password (R2.3). A double submit or a retry of the
 * same form makes one transfer; anything altered or missing is refused and nothing is written.
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

/** The confirmation page of a transfer sent at once, with the one-time password it asks for sent and read (R5.2). */
async function confirmPage(fields = adHocFields(contract)): Promise<{ draft: string; key: string; otp: string }> {
  await contract.client.get('/transfers/new');
  const draft = draftOf(await contract.client.post('/transfers/new', fields));
  const page = await contract.client.get(`/transfers/confirm?draft=${draft}`);
  assert.equal(page.statusCode, 200);
  const key = hiddenValue(page.body, 'idempotencyKey', '/transfers/confirm');
  return { draft, key, otp: await confirmationOneTimePassword(t.deps, contract.client, contract.master, draft, key) };
}

test('a double submit of the confirmation form creates one transfer, posted once, and both answers lead to it', async () => {
  const { draft, key, otp } = await confirmPage(adHocFields(contract, { amount: '20000' }));
  const fields = { draft, idempotencyKey: key, confirmationPassword: contract.master.confirmationPassword, otp };
  const before = (await transfersOf(t.deps, contract.master.contractId)).length;
  const answers = await Promise.all([contract.client.post('/transfers/confirm', fields), contract.client.post('/transfers/confirm', fields)]);
  const after = await transfersOf(t.deps, contract.master.contractId);
  assert.equal(after.length, before + 1, 'one transfer');
  const created = after.at(-1)!;
  for (const answer of answers) {
    assert.equal(answer.statusCode, 303, errorCode(answer.body));
    assert.equal(answer.headers.location, `/transfers/${created.id}?done=created`);
  }
  assert.equal(await entriesOf(t.deps, created.id), 1, 'posted once');
  // A retry later, as a browser resends the form, still finds the same transfer.
  const retry = await contract.client.post('/transfers/confirm', fields);
  assert.equal(retry.headers.location, `/transfers/${created.id}?done=created`);
  assert.equal((await transfersOf(t.deps, contract.master.contractId)).length, before + 1);
});

test('R8.6: a confirmation page belongs to one draft — each rendering of it carries the same 32-character key, another draft another', async () => {
  await contract.client.get('/transfers/new');
  const draft = draftOf(await contract.client.post('/transfers/new', adHocFields(contract)));
  const key = hiddenValue((await contract.client.get(`/transfers/confirm?draft=${draft}`)).body, 'idempotencyKey', '/transfers/confirm');
  const again = await contract.client.get(`/transfers/confirm?draft=${draft}`);
  assert.match(key, /^[A-Za-z0-9_-]{32}$/);
  assert.equal(hiddenValue(again.body, 'idempotencyKey', '/transfers/confirm'), key);
  const other = draftOf(await contract.client.post('/transfers/new', adHocFields(contract)));
  assert.notEqual(hiddenValue((await contract.client.get(`/transfers/confirm?draft=${other}`)).body, 'idempotencyKey', '/transfers/confirm'), key);
});

test('R2.3: a wrong confirmation password is refused on the same page and counts one failure, and nothing else changes', async () => {
  const { draft, key, otp } = await confirmPage();
  const person = contract.master;
  const before = (await moneyState(t.deps, person)) as { person: { user: { failed_attempts: number } } };
  const answer = await contract.client.post('/transfers/confirm', { draft, idempotencyKey: key, confirmationPassword: 'Wrong2026pass', otp });
  assert.equal(answer.statusCode, 400);
  assert.equal(errorCode(answer.body), 'CONFIRMATION_PASSWORD_WRONG');
  assert.ok(answer.body.includes('<form method="post" action="/transfers/confirm"'));
  assert.match(answer.body, /name="confirmationPassword" type="password" value=""[^>]*aria-invalid="true"/);
  assert.equal(hiddenValue(answer.body, 'idempotencyKey', '/transfers/confirm'), key, 'the page keeps the key of the form that was sent');
  assertNoStackTrace(answer);
  const after = (await moneyState(t.deps, person)) as typeof before;
  assert.equal(after.person.user.failed_attempts, before.person.user.failed_attempts + 1);
  after.person.user.failed_attempts = before.person.user.failed_attempts;
  assert.deepEqual(after, before, 'nothing but the failure count changed');
  // The right password afterwards makes the transfer; it gives back only its own attempt, the
  // earlier failure counts until the next completed logon (src/modules/logon/lockout.ts).
  const done = await contract.client.post('/transfers/confirm', { draft, idempotencyKey: key, confirmationPassword: person.confirmationPassword, otp });
  assert.equal(done.statusCode, 303, errorCode(done.body));
  assert.equal((await userRow(t.deps, person)).failed_attempts, before.person.user.failed_attempts + 1);
});

test('missing or malformed fields, CSRF problems and another content under a used key are refused without writing', async () => {
  const { draft, key, otp } = await confirmPage();
  // Earlier tests paid the same amount to the same account: this one is ticked as a separate payment (R8.6).
  const valid = { draft, idempotencyKey: key, confirmationPassword: contract.master.confirmationPassword, otp, separatePayment: 'yes' };
  await assertRefusedMoney(t.deps, contract.client, contract.master, { url: '/transfers/confirm' }, [
    // Without any field there is no draft either: that page is the draft test's below.
    ...commonBadInputs(valid, ['idempotencyKey', 'confirmationPassword']).filter((input) => input.label !== 'no fields at all'),
    { label: 'a short key', fields: { ...valid, idempotencyKey: 'abc' }, code: 'TRANSFER_PAGES_KEY_INVALID' },
    { label: 'a key with a slash', fields: { ...valid, idempotencyKey: `${key.slice(0, 31)}/` }, code: 'TRANSFER_PAGES_KEY_INVALID' },
    { label: 'a password with a NUL', fields: { ...valid, confirmationPassword: `${contract.master.confirmationPassword}\u0000` }, code: 'CONFIRMATION_PASSWORD_WRONG' },
  ]);

  // R8.6: the key of a confirmed transfer, sent again with other content, is refused.
  const first = await contract.client.post('/transfers/confirm', valid);
  assert.equal(first.statusCode, 303, errorCode(first.body));
  const other = await confirmPage(adHocFields(contract, { amount: '777' }));
  await assertRefusedMoney(t.deps, contract.client, contract.master, { url: '/transfers/confirm' }, [
    { label: 'a used key with another amount', fields: { ...valid, draft: other.draft }, code: 'TRANSFER_IDEMPOTENCY_MISMATCH' },
  ]);
});

test('a draft that was altered, made up or of another session leads back to the form, and nothing is written', async () => {
  const { draft, key } = await confirmPage();
  const person = contract.master;
  const flipped = draft.slice(0, -2) + (draft.at(-2) === 'A' ? 'B' : 'A') + draft.at(-1);
  const cases: [string, string][] = [
    ['an altered draft', flipped],
    ['a made-up draft', 'v1.AAAA.BBBB.CCCC'],
    ['no draft', ''],
    ['a draft of 3 kB', 'v1.' + 'A'.repeat(3000)],
  ];
  for (const [label, sealed] of cases) {
    const before = await moneyState(t.deps, person);
    const get = await contract.client.get(`/transfers/confirm?draft=${encodeURIComponent(sealed)}`);
    assert.equal(errorCode(get.body), 'TRANSFER_PAGES_DRAFT_INVALID', `${label}: shown`);
    assert.ok(get.body.includes('href="/transfers/new"'), `${label}: a way back to the form`);
    assert.ok(!get.body.includes('<form method="post" action="/transfers/confirm"'), `${label}: nothing to confirm`);
    const post = await contract.client.post('/transfers/confirm', { draft: sealed, idempotencyKey: key, confirmationPassword: person.confirmationPassword });
    assert.equal(post.statusCode, 400, label);
    assert.equal(errorCode(post.body), 'TRANSFER_PAGES_DRAFT_INVALID', `${label}: refused`);
    assertNoStackTrace(post);
    assert.deepEqual(await moneyState(t.deps, person), before, `${label}: nothing changed`);
  }

  // The same person's draft in another session of theirs does not open: it is bound to the session that made it.
  const otherSession = new Client(t.app);
  assert.equal((await logon(otherSession, person)).headers.location, '/status');
  const elsewhere = await otherSession.get(`/transfers/confirm?draft=${draft}`);
  assert.equal(errorCode(elsewhere.body), 'TRANSFER_PAGES_DRAFT_INVALID');
  // The new logon ended the first session (R7.1); the tests go on in the new one.
  contract = { ...contract, client: otherSession };
});

test('a draft older than its validity is refused, though the session lived on', async () => {
  const { draft } = await confirmPage();
  // Kept alive by a page every nine minutes (the idle end is ten), for 36 minutes.
  for (let i = 0; i < 4; i++) {
    t.deps.clock.advanceSeconds(540);
    assert.equal((await contract.client.get('/transfers')).statusCode, 200);
  }
  const page = await contract.client.get(`/transfers/confirm?draft=${draft}`);
  assert.equal(errorCode(page.body), 'TRANSFER_PAGES_DRAFT_INVALID');
});

test('"change the details" brings the draft back into the form', async () => {
  const { draft } = await confirmPage(adHocFields(contract, { amount: '4,321', name: 'ﾔﾏﾀﾞ ﾊﾅｺ' }));
  const form = await contract.client.get(`/transfers/new?draft=${draft}`);
  assert.equal(form.statusCode, 200);
  assert.match(form.body, /name="amount" type="text" value="4321"/);
  assert.match(form.body, /name="name" type="text" value="ﾔﾏﾀﾞ ﾊﾅｺ"/);
  assert.match(form.body, /value="adHoc" checked/);
  const broken = await contract.client.get('/transfers/new?draft=v1.x.y.z');
  assert.equal(errorCode(broken.body), 'TRANSFER_PAGES_DRAFT_INVALID');
  assert.ok(broken.body.includes('<form method="post" action="/transfers/new"'), 'the empty form is shown');
});

test('a confirmation sent after the session ended by itself leads to the logon page and creates nothing', async () => {
  const fresh = await moneyContract(t);
  await fresh.client.get('/transfers/new');
  const draft = draftOf(await fresh.client.post('/transfers/new', adHocFields(fresh)));
  const page = await fresh.client.get(`/transfers/confirm?draft=${draft}`);
  const fields = { draft, idempotencyKey: hiddenValue(page.body, 'idempotencyKey', '/transfers/confirm'), confirmationPassword: fresh.master.confirmationPassword };
  const before = (await transfersOf(t.deps, fresh.master.contractId)).length;
  t.deps.clock.advanceSeconds(600);
  const answer = await fresh.client.post('/transfers/confirm', fields);
  assert.equal(answer.statusCode, 303);
  assert.equal(answer.headers.location, '/logon?ended=idle');
  assert.equal((await transfersOf(t.deps, fresh.master.contractId)).length, before);
});
