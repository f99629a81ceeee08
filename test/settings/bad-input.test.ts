import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { lastEmailCode } from '../helpers/people.ts';
import { activeMaster, appForFile, userRow } from '../helpers/http-app.ts';
import { assertRefused, assertRefusedAfterSessionEnd, commonBadInputs, fullWidth, type BadInput, type Fields } from '../helpers/bad-input.ts';

const t = appForFile();

const newPassword = 'NewLogin2026x';

test('/settings/password refuses bad input on the same page, changes no hash and counts no failure', async () => {
  const { person, client } = await activeMaster(t);
  await client.get('/settings/password');
  const valid: Fields = { kind: 'login', current: person.loginPassword, next: newPassword, nextRepeat: newPassword };
  const inputs: BadInput[] = [
    ...commonBadInputs(valid, ['kind', 'current', 'next']),
    { label: 'an unknown kind', fields: { ...valid, kind: 'registration' }, code: 'INPUT_INVALID' },
    { label: 'a full-width new password', fields: { ...valid, next: fullWidth(newPassword), nextRepeat: fullWidth(newPassword) }, code: 'PASSWORD_CHARACTERS' },
    { label: 'a new password with a NUL', fields: { ...valid, next: `${newPassword}\u0000`, nextRepeat: `${newPassword}\u0000` }, code: 'PASSWORD_CHARACTERS' },
    { label: 'a new password with a tab', fields: { ...valid, next: `${newPassword}\t`, nextRepeat: `${newPassword}\t` }, code: 'PASSWORD_CHARACTERS' },
    { label: 'a 10 kB new password', fields: { ...valid, next: 'Ab1'.repeat(3414), nextRepeat: 'Ab1' }, code: 'PASSWORD_LENGTH' },
    { label: 'a 10 kB current password', fields: { ...valid, current: 'Ab1'.repeat(3414) } },
  ];
  await assertRefused(t.deps, client, person, { url: '/settings/password' }, inputs);
  assert.equal((await userRow(t.deps, person)).failed_attempts, 0);
  assert.equal((await client.post('/settings/password', valid)).headers.location, '/settings/password?done=1&kind=login', 'the form still works');
});

test('/settings/password refuses a current password with control characters as input, without counting it', async () => {
  const { person, client } = await activeMaster(t);
  await client.get('/settings/password');
  await assertRefused(t.deps, client, person, { url: '/settings/password' }, [
    { label: 'a current password with a NUL', fields: { kind: 'login', current: `${person.loginPassword}\u0000`, next: newPassword, nextRepeat: newPassword } },
  ]);
});

test('/settings/password after the session ended changes nothing', async () => {
  const { person, client } = await activeMaster(t);
  await client.get('/settings/password');
  const valid: Fields = { kind: 'login', current: person.loginPassword, next: newPassword, nextRepeat: newPassword };
  await assertRefusedAfterSessionEnd(t.deps, client, person, '/settings/password', valid, { seconds: 600, reason: 'idle' });
});

test('/settings/email refuses bad input on the same page and sends no code', async () => {
  const { person, client } = await activeMaster(t);
  await client.get('/settings/email');
  const valid: Fields = { email: 'new.address@customer.example', confirmationPassword: person.confirmationPassword };
  const inputs: BadInput[] = [
    ...commonBadInputs(valid, ['email', 'confirmationPassword']),
    { label: 'a full-width address', fields: { ...valid, email: fullWidth(valid.email as string) }, code: 'EMAIL_INVALID' },
    { label: 'an address with a NUL', fields: { ...valid, email: `${valid.email}\u0000` }, code: 'EMAIL_INVALID' },
    { label: 'an address with a line break and a header', fields: { ...valid, email: `${valid.email}\r\nBcc: thief@attacker.example` }, code: 'EMAIL_INVALID' },
    { label: 'two addresses', fields: { ...valid, email: `${valid.email},thief@attacker.example` }, code: 'EMAIL_INVALID' },
  ];
  await assertRefused(t.deps, client, person, { url: '/settings/email' }, inputs);
  assert.equal((await client.post('/settings/email', valid)).headers.location, '/settings/email');
});

test('/settings/email after the session ended sends no code', async () => {
  const { person, client } = await activeMaster(t);
  await client.get('/settings/email');
  await assertRefusedAfterSessionEnd(t.deps, client, person, '/settings/email', { email: 'late@customer.example', confirmationPassword: person.confirmationPassword }, { seconds: 600, reason: 'idle' });
});

test('/settings/email/verify refuses bad input on the same page without counting it against the code', async () => {
  const { person, client } = await activeMaster(t);
  await client.get('/settings/email');
  const address = 'verified@customer.example';
  await client.post('/settings/email', { email: address, confirmationPassword: person.confirmationPassword });
  await client.get('/settings/email');
  const code = await lastEmailCode(t.deps, address);
  const inputs: BadInput[] = [
    ...commonBadInputs({ code }, ['code']),
    { label: 'the code in full-width digits', fields: { code: fullWidth(code) }, code: 'EMAIL_CODE_INVALID' },
    { label: 'five digits', fields: { code: code.slice(0, 5) }, code: 'EMAIL_CODE_INVALID' },
    { label: 'a NUL in the code', fields: { code: `${code.slice(0, 5)}\u0000` }, code: 'EMAIL_CODE_INVALID' },
    { label: 'a code with spaces around it', fields: { code: ` ${code.slice(0, 4)} ` }, code: 'EMAIL_CODE_INVALID' },
  ];
  await assertRefused(t.deps, client, person, { url: '/settings/email/verify' }, inputs);
  assert.equal((await userRow(t.deps, person)).email, person.email);
  assert.equal((await client.post('/settings/email/verify', { code })).headers.location, '/settings/email?done=1', 'the code still works');
  assert.equal((await userRow(t.deps, person)).email, address);
});

test('/settings/email/verify after the session ended changes nothing', async () => {
  const { person, client } = await activeMaster(t);
  await client.get('/settings/email');
  await client.post('/settings/email', { email: 'ended@customer.example', confirmationPassword: person.confirmationPassword });
  await client.get('/settings/email');
  const code = await lastEmailCode(t.deps, 'ended@customer.example');
  await assertRefusedAfterSessionEnd(t.deps, client, person, '/settings/email/verify', { code }, { seconds: 600, reason: 'idle' });
  assert.equal((await userRow(t.deps, person)).email, person.email);
});
