import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { needsPostgres } from '../helpers/database.ts';
import { Client, errorCode } from '../helpers/client.ts';
import { lastEmailCode, type TestPerson } from '../helpers/people.ts';
import { activeMaster, appForFile, outboxTo, stateOf, userRow } from '../helpers/http-app.ts';

const t = appForFile();

let addressCounter = 0;
function newAddress(): string {
  return `changed${++addressCounter}@customer.example`;
}

async function askForCode(client: Client, person: TestPerson, address: string): Promise<string> {
  await client.get('/settings/email?again=1');
  const sent = await client.post('/settings/email', { email: address, confirmationPassword: person.confirmationPassword });
  assert.equal(sent.statusCode, 303);
  assert.equal(sent.headers.location, '/settings/email');
  const page = await client.get('/settings/email');
  assert.match(page.body, /<form method="post" action="\/settings\/email\/verify"/, 'the page asks for the code');
  return lastEmailCode(t.deps, address);
}

function otherCode(code: string, by = 1): string {
  return String((Number(code) + by) % 1_000_000).padStart(6, '0');
}

async function assertUnchanged(person: TestPerson, address: string): Promise<void> {
  assert.equal((await userRow(t.deps, person)).email, person.email);
  assert.equal((await outboxTo(t.deps, person.email, 'mail.emailChanged.subject')).length, 0);
  assert.equal((await outboxTo(t.deps, address, 'mail.emailChanged.subject')).length, 0);
}

test('an address change sends a code to the new address; the right code changes it and both addresses are told (R7.3)', async () => {
  const { person, client } = await activeMaster(t);
  const address = newAddress();
  const code = await askForCode(client, person, address);
  assert.equal((await outboxTo(t.deps, address, 'mail.emailCode.subject')).length, 1);
  assert.equal((await userRow(t.deps, person)).email, person.email, 'nothing changes before the code');

  const done = await client.post('/settings/email/verify', { code });
  assert.equal(done.statusCode, 303);
  assert.equal(done.headers.location, '/settings/email?done=1');
  assert.equal((await userRow(t.deps, person)).email, address);
  assert.equal((await outboxTo(t.deps, person.email, 'mail.emailChanged.subject')).length, 1, 'the old address is told');
  assert.equal((await outboxTo(t.deps, address, 'mail.emailChanged.subject')).length, 1, 'the new address is told');
  assert.ok((await client.get('/status')).body.includes(address));
  const audit = await t.deps.db.selectFrom('audit_log').select(['action', 'details']).where('user_ref', '=', (await userRow(t.deps, person)).id).where('action', 'like', 'email.%').orderBy('id').execute();
  assert.deepEqual(
    audit.slice(-2).map((r) => r.action),
    ['email.code_sent', 'email.change'],
    'the code and the change are audited',
  );

  const replay = await client.post('/settings/email/verify', { code });
  assert.equal(errorCode(replay.body), 'EMAIL_CODE_EXPIRED', 'a code works once');
});

test('R7.3: changing one\'s own address without the confirmation password changes nothing', async () => {
  const { person, client } = await activeMaster(t);
  const address = newAddress();
  const page = await client.get('/settings/email');
  assert.match(page.body, /<input id="f-confirmationPassword" name="confirmationPassword" type="password"/, 'the form asks for it');
  const before = await stateOf(t.deps, person);
  for (const fields of [{ email: address }, { email: address, confirmationPassword: '' }] as Record<string, string>[]) {
    const refused = await client.post('/settings/email', fields);
    assert.equal(refused.statusCode, 400);
    assert.equal(errorCode(refused.body), 'CONFIRMATION_PASSWORD_WRONG');
  }
  assert.deepEqual(await stateOf(t.deps, person), before, 'no code, no mail, no count');
  assert.equal((await outboxTo(t.deps, address)).length, 0);
  await assertUnchanged(person, address);
});

test('R2.3, R7.3: a wrong confirmation password on the address change counts toward the stop; the seventh stops the master and sends no code', async () => {
  const { person, client } = await activeMaster(t);
  const address = newAddress();
  await client.get('/settings/email');
  for (let attempt = 1; attempt <= 6; attempt++) {
    const refused = await client.post('/settings/email', { email: address, confirmationPassword: 'Wrong2026pass' });
    assert.equal(errorCode(refused.body), 'CONFIRMATION_PASSWORD_WRONG');
    assert.equal((await userRow(t.deps, person)).failed_attempts, attempt);
  }
  await client.post('/settings/email', { email: address, confirmationPassword: 'Wrong2026pass' });
  assert.notEqual((await userRow(t.deps, person)).stopped_at, null, 'the seventh wrong entry stops the master');
  assert.equal((await client.get('/settings/email')).headers.location, '/logon?ended=stopped');
  assert.equal((await outboxTo(t.deps, address)).length, 0, 'no code went to the new address');
  const row = await userRow(t.deps, person);
  const failures = await t.deps.db.selectFrom('audit_log').select('reason').where('user_ref', '=', row.id).where('action', '=', 'email.change').where('outcome', '=', 'failure').execute();
  assert.deepEqual(failures.map((f) => f.reason), Array(7).fill('wrong_confirmation_password'), 'each wrong entry is audited');
  await assertUnchanged(person, address);
});

test('a wrong code is refused with EMAIL_CODE_INVALID, and the third wrong code voids it (EMAIL_CODE_EXPIRED) so the right one no longer works', async () => {
  const { person, client } = await activeMaster(t);
  const address = newAddress();
  const code = await askForCode(client, person, address);
  for (const expected of ['EMAIL_CODE_INVALID', 'EMAIL_CODE_INVALID', 'EMAIL_CODE_EXPIRED']) {
    const wrong = await client.post('/settings/email/verify', { code: otherCode(code) });
    assert.equal(wrong.statusCode, 400);
    assert.equal(errorCode(wrong.body), expected);
  }
  const late = await client.post('/settings/email/verify', { code });
  assert.equal(errorCode(late.body), 'EMAIL_CODE_EXPIRED');
  await assertUnchanged(person, address);
  assert.match((await client.get('/settings/email')).body, /action="\/settings\/email"/, 'the person can ask for a new code');
});

test('a code expires ten minutes after it was sent', async () => {
  const { person, client } = await activeMaster(t);
  const address = newAddress();
  const code = await askForCode(client, person, address);
  // The session is kept alive halfway; only the code's own lifetime runs out.
  t.deps.clock.advanceSeconds(300);
  await client.get('/settings/email');
  t.deps.clock.advanceSeconds(300);
  const expired = await client.post('/settings/email/verify', { code });
  assert.equal(expired.statusCode, 400);
  assert.equal(errorCode(expired.body), 'EMAIL_CODE_EXPIRED');
  await assertUnchanged(person, address);
});

test('a code still works just before its ten minutes are up', async () => {
  const { person, client } = await activeMaster(t);
  const address = newAddress();
  const code = await askForCode(client, person, address);
  t.deps.clock.advanceSeconds(300);
  await client.get('/settings/email');
  t.deps.clock.advanceSeconds(299);
  assert.equal((await client.post('/settings/email/verify', { code })).headers.location, '/settings/email?done=1');
  assert.equal((await userRow(t.deps, person)).email, address);
});

test('asking for a new code voids the previous one', async () => {
  const { person, client } = await activeMaster(t);
  const first = newAddress();
  const firstCode = await askForCode(client, person, first);
  const second = newAddress();
  const secondCode = await askForCode(client, person, second);
  if (firstCode !== secondCode) {
    assert.equal(errorCode((await client.post('/settings/email/verify', { code: firstCode })).body), 'EMAIL_CODE_INVALID');
  }
  assert.equal((await client.post('/settings/email/verify', { code: secondCode })).headers.location, '/settings/email?done=1');
  assert.equal((await userRow(t.deps, person)).email, second);
});

test('a code sent for one person does not change another person\'s address', async () => {
  const { person: owner, client: ownerClient } = await activeMaster(t);
  const { person: other, client: otherClient } = await activeMaster(t);
  const address = newAddress();
  const code = await askForCode(ownerClient, owner, address);
  await otherClient.get('/settings/email');
  const refused = await otherClient.post('/settings/email/verify', { code });
  assert.equal(errorCode(refused.body), 'EMAIL_CODE_EXPIRED', 'the other person has no open code');
  assert.equal((await userRow(t.deps, other)).email, other.email);
  assert.equal((await userRow(t.deps, owner)).email, owner.email);
});

test('an invalid address is refused with EMAIL_INVALID and no code is sent', async () => {
  const { person, client } = await activeMaster(t);
  for (const address of ['no-at-sign.example', 'a@b', 'ｆｕｌｌ＠customer.example', 'a b@customer.example']) {
    await client.get('/settings/email');
    const refused = await client.post('/settings/email', { email: address, confirmationPassword: person.confirmationPassword });
    assert.equal(refused.statusCode, 400, address);
    assert.equal(errorCode(refused.body), 'EMAIL_INVALID', address);
    assert.equal((await outboxTo(t.deps, address)).length, 0, address);
  }
});

test('R5.4, house rule 5: fifty parallel wrong codes evaluate at most three', { skip: needsPostgres }, async () => {
  const { person, client } = await activeMaster(t);
  const address = newAddress();
  const code = await askForCode(client, person, address);
  const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => client.post('/settings/email/verify', { code: otherCode(code, i + 1) })));
  assert.equal(answers.filter((answer) => errorCode(answer.body) === 'EMAIL_CODE_INVALID').length <= 2, true, 'at most two wrong codes are answered as merely wrong');
  const row = await t.deps.db
    .selectFrom('email_verification')
    .select(['failures', 'consumed_at'])
    .where('new_email', '=', address)
    .executeTakeFirstOrThrow();
  assert.ok(row.failures <= 3, `evaluated ${row.failures} wrong codes`);
  assert.notEqual(row.consumed_at, null);
  await assertUnchanged(person, address);
});

test('an address refused while a code is pending is shown again on the address form with its error, not on the code form', async () => {
  // Found by the form fuzz (test/fuzz/administration-forms.fuzz.test.ts): the refusal was shown above the earlier address's code form.
  const { person, client } = await activeMaster(t);
  await askForCode(client, person, newAddress());
  await client.get('/settings/email?again=1');
  for (const fields of [
    { email: newAddress(), confirmationPassword: '' },
    { email: 'not an address', confirmationPassword: person.confirmationPassword },
    { email: [newAddress(), newAddress()], confirmationPassword: person.confirmationPassword },
  ]) {
    const refused = await client.post('/settings/email', fields);
    assert.equal(refused.statusCode, 400, JSON.stringify(fields));
    assert.ok(errorCode(refused.body), 'an error code');
    assert.match(refused.body, /<form method="post" action="\/settings\/email"/, 'the address form again');
    assert.doesNotMatch(refused.body, /action="\/settings\/email\/verify"/, 'not the code form of the earlier address');
  }
});

test('R5.1: an OTP address sent twice while a code is pending is shown again on the address form, not on the code form', async () => {
  const { person, client } = await activeMaster(t);
  // One code a minute (the resend cooldown): the first logon sent the first.
  t.deps.clock.advanceSeconds(61);
  await client.get('/settings/otp-address');
  assert.equal((await client.post('/settings/otp-address', { address: `next.${newAddress()}`, confirmationPassword: person.confirmationPassword })).statusCode, 303);
  assert.match((await client.get('/settings/otp-address')).body, /action="\/settings\/otp-address\/verify"/, 'a code is pending');
  const refused = await client.post('/settings/otp-address', { address: [newAddress(), newAddress()], confirmationPassword: person.confirmationPassword });
  assert.equal(refused.statusCode, 400);
  assert.equal(errorCode(refused.body), 'EMAIL_OTP_ADDRESS_INVALID');
  assert.match(refused.body, /<form method="post" action="\/settings\/otp-address"/, 'the address form again');
  assert.doesNotMatch(refused.body, /action="\/settings\/otp-address\/verify"/, 'not the code form of the earlier address');
});
