import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { needsPostgres } from '../helpers/database.ts';
import { Client, errorCode } from '../helpers/client.ts';
import { logon, type TestPerson } from '../helpers/people.ts';
import { activeMaster, appForFile, outboxTo, stateOf, userRow } from '../helpers/http-app.ts';
import { assertRefused, assertRefusedAfterSessionEnd, commonBadInputs, fullWidth, type Fields } from '../helpers/bad-input.ts';
import { addPerson, auditOf, securityPath } from '../user-security/people.ts';

const t = appForFile();

const temporary = 'Temporary2026x';
const fresh = 'Fresh2026pass';

/** A user whose password of this kind the master has reset, logged on and held at the forced change. */
async function heldAtChange(kind: 'login' | 'confirmation'): Promise<{ user: TestPerson; client: Client; masterEmail: string }> {
  const { person: master, client: masterClient } = await activeMaster(t);
  const user = await addPerson(t.deps, master.contractId);
  await masterClient.get(securityPath(user));
  const reset = await masterClient.post(`${securityPath(user)}/reset`, {
    kind,
    temporary,
    temporaryRepeat: temporary,
    confirmationPassword: master.confirmationPassword,
  });
  assert.equal(reset.statusCode, 303);
  const client = new Client(t.app);
  assert.equal((await logon(client, user, kind === 'login' ? temporary : user.loginPassword)).headers.location, '/setup');
  await client.get('/setup');
  return { user, client, masterEmail: master.email };
}

function change(client: Client, kind: string, current: string, next = fresh, nextRepeat = next) {
  return client.post('/setup/change', { kind, current, next, nextRepeat });
}

test('R2.5, R2.3: a wrong temporary password changes nothing and counts; the seventh stops the user', async () => {
  const { user, client } = await heldAtChange('login');
  for (let i = 1; i <= 6; i++) {
    const before = await stateOf(t.deps, user);
    const wrong = await change(client, 'login', 'NotTheTemp2026');
    assert.equal(errorCode(wrong.body), 'CURRENT_PASSWORD_WRONG');
    const { user: row, ...rest } = before as { user: Record<string, unknown> };
    const { user: rowAfter, ...restAfter } = (await stateOf(t.deps, user)) as { user: Record<string, unknown> };
    assert.deepEqual(restAfter, rest, 'no password, session or mail changed');
    assert.equal(rowAfter.failed_attempts, i);
    assert.equal(rowAfter.login_password_hash, row.login_password_hash);
  }
  assert.equal((await auditOf(t.deps, user.contractId, 'password.forced_change.login')).filter((r) => r.reason === 'wrong_temporary_password').length, 6);
  await change(client, 'login', 'NotTheTemp2026');
  const stopped = await userRow(t.deps, user);
  assert.notEqual(stopped.stopped_at, null);
  assert.equal(stopped.must_change_login, true);
  assert.equal((await client.get('/setup')).headers.location, '/logon?ended=stopped');
});

test('R2.7, R2.1: the new password follows the rules: not the temporary one, not the other kind, not containing the IDs', async () => {
  const { user, client } = await heldAtChange('confirmation');
  const inputs = [
    { label: 'the temporary password kept', fields: { kind: 'confirmation', current: temporary, next: temporary, nextRepeat: temporary }, code: 'PASSWORD_REUSED' },
    { label: 'the login password', fields: { kind: 'confirmation', current: temporary, next: user.loginPassword, nextRepeat: user.loginPassword }, code: 'PASSWORDS_MUST_DIFFER' },
    { label: 'the previous confirmation password', fields: { kind: 'confirmation', current: temporary, next: user.confirmationPassword, nextRepeat: user.confirmationPassword }, code: 'PASSWORD_REUSED' },
    { label: 'the user ID inside', fields: { kind: 'confirmation', current: temporary, next: `${user.userId}X2026`, nextRepeat: `${user.userId}X2026` }, code: 'PASSWORD_CONTAINS_ID' },
    { label: 'a repeat that differs', fields: { kind: 'confirmation', current: temporary, next: fresh, nextRepeat: `${fresh}0` }, code: 'PASSWORD_REPEAT_MISMATCH' },
    { label: 'too short', fields: { kind: 'confirmation', current: temporary, next: 'Ab12', nextRepeat: 'Ab12' }, code: 'PASSWORD_LENGTH' },
    { label: 'full-width', fields: { kind: 'confirmation', current: temporary, next: fullWidth(fresh), nextRepeat: fullWidth(fresh) }, code: 'PASSWORD_CHARACTERS' },
    { label: 'the other kind of change', fields: { kind: 'login', current: user.loginPassword, next: fresh, nextRepeat: fresh }, code: 'INPUT_INVALID' },
    { label: 'an unknown kind', fields: { kind: 'registration', current: temporary, next: fresh, nextRepeat: fresh }, code: 'INPUT_INVALID' },
  ];
  await assertRefused(t.deps, client, user, { url: '/setup/change' }, inputs);
  assert.equal((await userRow(t.deps, user)).must_change_confirmation, true);
  assert.equal((await change(client, 'confirmation', temporary)).headers.location, '/status', 'the form still works');
});

test('R2.5: the forced-change form refuses malformed input on the same page, without counting a failure', async () => {
  const { user, client } = await heldAtChange('login');
  const valid: Fields = { kind: 'login', current: temporary, next: fresh, nextRepeat: fresh };
  await assertRefused(t.deps, client, user, { url: '/setup/change' }, commonBadInputs(valid, ['kind', 'current', 'next', 'nextRepeat']));
  assert.equal((await userRow(t.deps, user)).failed_attempts, 0);
});

test('R2.5: at the forced change the email step answers nothing', async () => {
  const { user, client } = await heldAtChange('login');
  const refused = await client.post('/setup/email', { email: 'other@customer.example', confirmationPassword: user.confirmationPassword });
  assert.equal(errorCode(refused.body), 'INPUT_INVALID');
  assert.equal((await outboxTo(t.deps, 'other@customer.example')).length, 0);
  assert.equal((await userRow(t.deps, user)).email, user.email);
});

test('R2.5: a change submitted twice changes the password once; the second finds the session already promoted', async () => {
  const { user, client } = await heldAtChange('login');
  const row = await userRow(t.deps, user);
  const historyBefore = (await t.deps.db.selectFrom('password_history').select('id').where('user_ref', '=', row.id).execute()).length;
  assert.equal((await change(client, 'login', temporary)).headers.location, '/status');
  const again = await change(client, 'login', temporary, 'Other2026pass');
  assert.equal(again.headers.location, '/status', 'a normal session is sent to its own page');
  const history = await t.deps.db.selectFrom('password_history').select('id').where('user_ref', '=', row.id).execute();
  assert.equal(history.length, historyBefore + 1);
  assert.equal((await logon(new Client(t.app), user, fresh)).headers.location, '/status');
});

test('R2.5: parallel submissions of the forced change change the password once', { skip: needsPostgres }, async () => {
  const { user, client } = await heldAtChange('login');
  const row = await userRow(t.deps, user);
  const historyBefore = (await t.deps.db.selectFrom('password_history').select('id').where('user_ref', '=', row.id).execute()).length;
  const answers = await Promise.all(['Race2026one', 'Race2026two', 'Race2026three', 'Race2026four'].map((next) => change(client, 'login', temporary, next)));
  assert.ok(answers.some((a) => a.headers.location === '/status'));
  const history = await t.deps.db.selectFrom('password_history').select('id').where('user_ref', '=', row.id).execute();
  assert.equal(history.length, historyBefore + 1, 'one new password stored');
  assert.equal((await auditOf(t.deps, user.contractId, 'password.forced_change.login')).filter((r) => r.outcome === 'success').length, 1);
  assert.equal((await userRow(t.deps, user)).must_change_login, false);
});

test('R7.1: a forced change posted after the session idled out changes nothing', async () => {
  const { user, client } = await heldAtChange('login');
  await assertRefusedAfterSessionEnd(t.deps, client, user, '/setup/change', { kind: 'login', current: temporary, next: fresh, nextRepeat: fresh }, {
    seconds: t.deps.config.sessionIdleSeconds + 1,
    reason: 'idle',
  });
});
