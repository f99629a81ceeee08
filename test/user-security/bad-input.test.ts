import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Client, errorCode } from '../helpers/client.ts';
import { activeMaster, appForFile, assertNoStackTrace, stateOf, userRow } from '../helpers/http-app.ts';
import { assertRefused, assertRefusedAfterSessionEnd, commonBadInputs, fullWidth, type BadInput, type Fields } from '../helpers/bad-input.ts';
import { addPerson, securityPath, stopByWrongPasswords } from './people.ts';

const t = appForFile();

const temporary = 'Temporary2026x';

test('the lift form refuses bad input and forged posts on the same page; the user stays stopped and the master loses no attempt', async () => {
  const { person: master, client } = await activeMaster(t);
  const user = await addPerson(t.deps, master.contractId);
  await stopByWrongPasswords(t, user);
  await client.get(securityPath(user));
  const masterBefore = await stateOf(t.deps, master);
  const inputs: BadInput[] = [
    ...commonBadInputs({ confirmationPassword: master.confirmationPassword }, ['confirmationPassword']),
    { label: 'a confirmation password with a NUL', fields: { confirmationPassword: `${master.confirmationPassword}\u0000` }, code: 'CONFIRMATION_PASSWORD_WRONG' },
  ];
  await assertRefused(t.deps, client, user, { url: `${securityPath(user)}/lift` }, inputs);
  assert.deepEqual(await stateOf(t.deps, master), masterBefore, 'the master is as before: no attempt counted');
  assert.notEqual((await userRow(t.deps, user)).stopped_at, null);
});

test('the reset form refuses bad input and forged posts on the same page; nothing is reset and no attempt counted', async () => {
  const { person: master, client } = await activeMaster(t);
  const user = await addPerson(t.deps, master.contractId);
  await client.get(securityPath(user));
  const valid: Fields = { kind: 'login', temporary, temporaryRepeat: temporary, confirmationPassword: master.confirmationPassword };
  const inputs: BadInput[] = [
    ...commonBadInputs(valid, ['kind', 'temporary', 'temporaryRepeat', 'confirmationPassword']),
    { label: 'an unknown kind', fields: { ...valid, kind: 'registration' }, code: 'INPUT_INVALID' },
    { label: 'a temporary password with the user ID', fields: { ...valid, temporary: `${user.userId}X2026`, temporaryRepeat: `${user.userId}X2026` }, code: 'PASSWORD_CONTAINS_ID' },
    { label: 'a temporary password with the contract ID', fields: { ...valid, temporary: `A${master.contractId}`, temporaryRepeat: `A${master.contractId}` }, code: 'PASSWORD_CONTAINS_ID' },
    { label: 'a short temporary password', fields: { ...valid, temporary: 'Ab1', temporaryRepeat: 'Ab1' }, code: 'PASSWORD_LENGTH' },
    { label: 'a temporary password of letters only', fields: { ...valid, temporary: 'OnlyLetters', temporaryRepeat: 'OnlyLetters' }, code: 'PASSWORD_NEEDS_LETTER_AND_DIGIT' },
    { label: 'a full-width temporary password', fields: { ...valid, temporary: fullWidth(temporary), temporaryRepeat: fullWidth(temporary) }, code: 'PASSWORD_CHARACTERS' },
    { label: 'a temporary password with a tab', fields: { ...valid, temporary: `${temporary}\t`, temporaryRepeat: `${temporary}\t` }, code: 'PASSWORD_CHARACTERS' },
    { label: 'a repeat that differs', fields: { ...valid, temporaryRepeat: `${temporary}0` }, code: 'PASSWORD_REPEAT_MISMATCH' },
    { label: 'a 10 kB temporary password', fields: { ...valid, temporary: 'Ab1'.repeat(3414), temporaryRepeat: 'Ab1' }, code: 'PASSWORD_LENGTH' },
  ];
  const masterBefore = await stateOf(t.deps, master);
  await assertRefused(t.deps, client, user, { url: `${securityPath(user)}/reset` }, inputs);
  assert.deepEqual(await stateOf(t.deps, master), masterBefore);
  assert.equal((await client.post(`${securityPath(user)}/reset`, valid)).statusCode, 303, 'the form still works');
});

test('a user ID in the path that cannot exist is NOT_FOUND, without a stack trace', async () => {
  const { client } = await activeMaster(t);
  for (const userId of ['a'.repeat(31), encodeURIComponent(fullWidth('user1')), 'user%00', '..%2F..%2Fstatus', encodeURIComponent('<script>')]) {
    const page = await client.get(`/users/${userId}/security`);
    assert.equal(page.statusCode, 404, userId);
    assertNoStackTrace(page);
    await client.get('/status');
    const post = await client.post(`/users/${userId}/security/lift`, { confirmationPassword: 'Whatever2026' });
    assert.equal(post.statusCode, 404, userId);
    assert.equal(errorCode(post.body), 'NOT_FOUND');
    assert.doesNotMatch(post.body, /<script>/);
  }
});

test('CSRF: the token of another person\'s session does not carry a lift', async () => {
  const { person: master, client } = await activeMaster(t);
  const { client: other } = await activeMaster(t);
  const user = await addPerson(t.deps, master.contractId);
  await stopByWrongPasswords(t, user);
  await other.get('/status');
  await client.get(securityPath(user));
  const forged = await client.post(`${securityPath(user)}/lift`, { confirmationPassword: master.confirmationPassword }, { csrf: other.csrf });
  assert.equal(forged.statusCode, 403);
  assert.equal(errorCode(forged.body), 'CSRF_INVALID');
  assert.notEqual((await userRow(t.deps, user)).stopped_at, null);
});

test('R7.1: a lift posted after the session idled out changes nothing', async () => {
  const { person: master, client } = await activeMaster(t);
  const user = await addPerson(t.deps, master.contractId);
  await stopByWrongPasswords(t, user);
  await client.get(securityPath(user));
  await assertRefusedAfterSessionEnd(t.deps, client, user, `${securityPath(user)}/lift`, { confirmationPassword: master.confirmationPassword }, {
    seconds: t.deps.config.sessionIdleSeconds + 1,
    reason: 'idle',
  });
  const fresh = new Client(t.app);
  assert.equal((await fresh.get(securityPath(user))).headers.location, '/logon');
});
