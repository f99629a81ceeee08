import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Client, errorCode } from '../helpers/client.ts';
import { logon, type TestPerson } from '../helpers/people.ts';
import { verifySecret } from '../../src/auth/password-hash.ts';
import { activeMaster, appForFile, outboxTo, passwordStep, startApp, stateOf, userRow } from '../helpers/http-app.ts';

const t = appForFile();

type Kind = 'login' | 'confirmation';

async function change(client: Client, kind: Kind, current: string, next: string, nextRepeat = next) {
  await client.get(`/settings/password?kind=${kind}`);
  return client.post('/settings/password', { kind, current, next, nextRepeat });
}

function assertRefused(response: Awaited<ReturnType<typeof change>>, code: string, label = code): void {
  assert.equal(response.statusCode, 400, label);
  assert.equal(errorCode(response.body), code, label);
  assert.match(response.body, /<form method="post" action="\/settings\/password"/, `${label}: the form is shown again`);
}

test('R2.7: the login password is changed with the current one; then the new one works at logon and the old one does not', async () => {
  const { person, client } = await activeMaster(t);
  const next = 'NewLogin2026x';
  const done = await change(client, 'login', person.loginPassword, next);
  assert.equal(done.statusCode, 303);
  assert.equal(done.headers.location, '/settings/password?done=1&kind=login');
  assert.equal((await outboxTo(t.deps, person.email, 'mail.passwordChanged.subject')).length, 1, 'R7.3: the change is notified');

  const old = await passwordStep(new Client(t.app), person);
  assert.equal(errorCode(old.body), 'AUTH_LOGON_FAILED');
  assert.equal((await logon(new Client(t.app), person, next)).headers.location, '/status');
});

test('R2.7: the confirmation password is changed with the current one, and the login password stays', async () => {
  const { person, client } = await activeMaster(t);
  const next = 'NewConfirm2026x';
  const done = await change(client, 'confirmation', person.confirmationPassword, next);
  assert.equal(done.headers.location, '/settings/password?done=1&kind=confirmation');
  const row = await userRow(t.deps, person);
  assert.equal(await verifySecret(row.confirmation_password_hash!, next), true);
  assert.equal(await verifySecret(row.confirmation_password_hash!, person.confirmationPassword), false);
  assert.equal(await verifySecret(row.login_password_hash!, person.loginPassword), true);
  assert.equal((await logon(new Client(t.app), person)).headers.location, '/status');
});

test('R2.7, R2.3: a wrong current password is refused, changes nothing, counts towards the stop, and the seventh stops the person', async () => {
  const { person, client } = await activeMaster(t);
  const before = await userRow(t.deps, person);
  for (let i = 1; i <= 6; i++) {
    assertRefused(await change(client, 'login', 'NotMine2026x', 'NewLogin2026x'), 'CURRENT_PASSWORD_WRONG');
    const row = await userRow(t.deps, person);
    assert.equal(row.failed_attempts, i);
    assert.equal(row.login_password_hash, before.login_password_hash);
  }
  assertRefused(await change(client, 'confirmation', 'NotMine2026x', 'NewConfirm2026x'), 'CURRENT_PASSWORD_WRONG');
  assert.notEqual((await userRow(t.deps, person)).stopped_at, null);
  assert.equal((await client.get('/status')).headers.location, '/logon?ended=stopped');
});

test('R2.7, R2.1: a new password that breaks a rule is refused with its code, and nothing changes', async () => {
  const { person, client } = await activeMaster(t);
  const cases: { kind: Kind; next: string; repeat?: string; code: string; why: string }[] = [
    { kind: 'login', next: 'Abc1234', code: 'PASSWORD_LENGTH', why: '7 characters' },
    { kind: 'login', next: 'Abc1234'.padEnd(33, 'x'), code: 'PASSWORD_LENGTH', why: '33 characters' },
    { kind: 'login', next: 'abcdefghijk', code: 'PASSWORD_NEEDS_LETTER_AND_DIGIT', why: 'letters only' },
    { kind: 'confirmation', next: '1234567890', code: 'PASSWORD_NEEDS_LETTER_AND_DIGIT', why: 'digits only' },
    { kind: 'login', next: `x9${person.userId}`, code: 'PASSWORD_CONTAINS_ID', why: 'contains the user ID' },
    { kind: 'login', next: `x9${person.userId.toUpperCase()}`, code: 'PASSWORD_CONTAINS_ID', why: 'contains the user ID in capitals' },
    { kind: 'confirmation', next: `a${person.contractId}`, code: 'PASSWORD_CONTAINS_ID', why: 'contains the contract ID' },
    { kind: 'login', next: 'ＡＢＣ１２３４５６７８', code: 'PASSWORD_CHARACTERS', why: 'full-width characters' },
    { kind: 'login', next: 'Abc 12345678', code: 'PASSWORD_CHARACTERS', why: 'a space' },
    { kind: 'login', next: person.confirmationPassword, code: 'PASSWORDS_MUST_DIFFER', why: 'R2.1: login equal to confirmation' },
    { kind: 'confirmation', next: person.loginPassword, code: 'PASSWORDS_MUST_DIFFER', why: 'R2.1: confirmation equal to login' },
    { kind: 'login', next: 'NewLogin2026x', repeat: 'NewLogin2026y', code: 'PASSWORD_REPEAT_MISMATCH', why: 'the repeat differs' },
    { kind: 'login', next: person.loginPassword, code: 'PASSWORD_REUSED', why: 'the current login password' },
    { kind: 'confirmation', next: person.confirmationPassword, code: 'PASSWORD_REUSED', why: 'the current confirmation password' },
  ];
  const before = await stateOf(t.deps, person);
  for (const c of cases) {
    const current = c.kind === 'login' ? person.loginPassword : person.confirmationPassword;
    assertRefused(await change(client, c.kind, current, c.next, c.repeat ?? c.next), c.code, c.why);
  }
  const after = await stateOf(t.deps, person);
  assert.deepEqual(after, before, 'no hash, history, count or email changed');
});

test('R2.7: neither the current password nor any of the last three before it can be used again; the fourth back can', async () => {
  const { person, client } = await activeMaster(t);
  const passwords = [person.loginPassword, 'Second2026pw', 'Third2026pw', 'Fourth2026pw'];
  for (let i = 1; i < passwords.length; i++) {
    assert.equal((await change(client, 'login', passwords[i - 1]!, passwords[i]!)).statusCode, 303, `change ${i}`);
  }
  const current = passwords.at(-1)!;
  for (const old of passwords) assertRefused(await change(client, 'login', current, old), 'PASSWORD_REUSED', `reusing ${old}`);

  assert.equal((await change(client, 'login', current, 'Fifth2026pw')).statusCode, 303);
  assert.equal((await change(client, 'login', 'Fifth2026pw', passwords[0]!)).statusCode, 303, 'four changes back is allowed again');
});

async function securityNotice(person: TestPerson): Promise<string | undefined> {
  const client = new Client(t.app);
  assert.equal((await logon(client, person)).headers.location, '/status');
  const status = await client.get('/status');
  return /<section class="security-notice"[\s\S]*?<\/section>/.exec(status.body)?.[0];
}

test('R2.6: a password unchanged for more than 90 days shows the security notice at logon, with a link to change it, and not before', async () => {
  const { person } = await activeMaster(t);
  t.deps.clock.advanceSeconds(90 * 86_400);
  assert.equal(await securityNotice(person), undefined, 'not at 90 days');

  t.deps.clock.advanceSeconds(86_400);
  const notice = await securityNotice(person);
  assert.ok(notice, 'shown after 90 days');
  assert.match(notice, /href="\/settings\/password\?kind=login"/);
  assert.match(notice, /href="\/settings\/password\?kind=confirmation"/);

  const fresh = new Client(t.app);
  await logon(fresh, person);
  assert.equal((await change(fresh, 'login', person.loginPassword, 'Renewed2026pw')).statusCode, 303);
  const after = await securityNotice({ ...person, loginPassword: 'Renewed2026pw' });
  assert.ok(after, 'the confirmation password is still old');
  assert.doesNotMatch(after, /kind=login/, 'the changed login password is no longer named');
  assert.match(after, /kind=confirmation/);
});

test('R2.6: the period of the security notice is configurable (PASSWORD_MAX_AGE_DAYS)', async () => {
  const short = await startApp(t.db, { PASSWORD_MAX_AGE_DAYS: '30' });
  try {
    const { person } = await activeMaster(short);
    short.deps.clock.advanceSeconds(31 * 86_400);
    const client = new Client(short.app);
    await logon(client, person);
    assert.match((await client.get('/status')).body, /class="security-notice"/);
  } finally {
    await short.app.close();
  }
});
