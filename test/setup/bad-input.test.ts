import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '../helpers/client.ts';
import { lastEmailCode, logon, onboardMaster, type TestPerson } from '../helpers/people.ts';
import { appForFile, userRow } from '../helpers/http-app.ts';
import { assertRefused, assertRefusedAfterSessionEnd, commonBadInputs, fullWidth, type BadInput, type Fields } from '../helpers/bad-input.ts';

const t = appForFile();

type SetupStep = 'passwords' | 'email' | 'verify';

/** A master in the middle of the first logon (R1.3), at the given step of the setup. */
async function masterAt(step: SetupStep): Promise<{ person: TestPerson; client: Client }> {
  const person = await onboardMaster(t.deps);
  const client = new Client(t.app);
  assert.equal((await logon(client, person, person.registrationPassword)).headers.location, '/setup');
  await client.get('/setup');
  if (step === 'passwords') return { person, client };
  const set = await client.post('/setup/passwords', passwordFields(person));
  assert.equal(set.statusCode, 303);
  await client.get('/setup');
  if (step === 'email') return { person, client };
  await client.post('/setup/email', addressFields(person));
  await client.get('/setup');
  return { person, client };
}

/** R7.3: an address with the confirmation password just set. */
function addressFields(person: TestPerson): Fields {
  return { email: person.email, confirmationPassword: person.confirmationPassword };
}

function passwordFields(person: TestPerson): Fields {
  return {
    login: person.loginPassword,
    loginRepeat: person.loginPassword,
    confirmation: person.confirmationPassword,
    confirmationRepeat: person.confirmationPassword,
  };
}

test('/setup/passwords refuses bad input on the same page; the registration password stays unused', async () => {
  const { person, client } = await masterAt('passwords');
  const valid = passwordFields(person);
  const inputs: BadInput[] = [
    ...commonBadInputs(valid, ['login', 'confirmationRepeat']),
    { label: 'a 10 kB login password', fields: { ...valid, login: 'Ab1'.repeat(3414), loginRepeat: 'Ab1' }, code: 'PASSWORD_LENGTH' },
    { label: 'full-width characters', fields: { ...valid, login: fullWidth(person.loginPassword), loginRepeat: fullWidth(person.loginPassword) }, code: 'PASSWORD_CHARACTERS' },
    { label: 'a control character', fields: { ...valid, login: `${person.loginPassword}\u0007`, loginRepeat: `${person.loginPassword}\u0007` }, code: 'PASSWORD_CHARACTERS' },
    { label: 'a line break', fields: { ...valid, confirmation: `${person.confirmationPassword}\n`, confirmationRepeat: `${person.confirmationPassword}\n` }, code: 'PASSWORD_CHARACTERS' },
    { label: 'R2.1: login equal to confirmation', fields: { ...valid, confirmation: person.loginPassword, confirmationRepeat: person.loginPassword }, code: 'PASSWORDS_MUST_DIFFER' },
    { label: 'the repeat differs', fields: { ...valid, loginRepeat: `${person.loginPassword}x` }, code: 'PASSWORD_REPEAT_MISMATCH' },
    { label: 'R2.7: contains the user ID', fields: { ...valid, login: `Z9${person.userId}`, loginRepeat: `Z9${person.userId}` }, code: 'PASSWORD_CONTAINS_ID' },
    { label: 'R2.7: letters only', fields: { ...valid, confirmation: 'abcdefghij', confirmationRepeat: 'abcdefghij' }, code: 'PASSWORD_NEEDS_LETTER_AND_DIGIT' },
    { label: 'R2.7: too short', fields: { ...valid, login: 'Ab12345', loginRepeat: 'Ab12345' }, code: 'PASSWORD_LENGTH' },
  ];
  await assertRefused(t.deps, client, person, { url: '/setup/passwords' }, inputs);
  assert.notEqual((await userRow(t.deps, person)).registration_password_hash, null);

  // The steps go in order: no address is taken before the passwords.
  await assertRefused(t.deps, client, person, { url: '/setup/email', action: '/setup/passwords' }, [
    { label: 'an address before the passwords', fields: { email: person.email, confirmationPassword: person.confirmationPassword }, code: 'INPUT_INVALID' },
  ]);
  assert.equal((await client.post('/setup/passwords', valid)).headers.location, '/setup', 'the form still works afterwards');
});

test('/setup/passwords after the session ended changes nothing', async () => {
  const { person, client } = await masterAt('passwords');
  await assertRefusedAfterSessionEnd(t.deps, client, person, '/setup/passwords', passwordFields(person), { seconds: 600, reason: 'idle' });
  assert.equal((await userRow(t.deps, person)).login_password_hash, null);
});

function addressInputs(valid: Fields): BadInput[] {
  const email = String(valid.email);
  return [
    ...commonBadInputs(valid, ['email', 'confirmationPassword']),
    { label: 'a full-width address', fields: { ...valid, email: fullWidth(email) }, code: 'EMAIL_INVALID' },
    { label: 'an address with a NUL', fields: { ...valid, email: `${email}\u0000` }, code: 'EMAIL_INVALID' },
    { label: 'an address with a line break and a header', fields: { ...valid, email: `${email}\r\nBcc: thief@attacker.example` }, code: 'EMAIL_INVALID' },
    { label: 'two addresses', fields: { ...valid, email: `${email},thief@attacker.example` }, code: 'EMAIL_INVALID' },
    { label: 'no domain', fields: { ...valid, email: 'someone@' }, code: 'EMAIL_INVALID' },
  ];
}

test('/setup/email refuses bad input on the same page and sends no code', async () => {
  const { person, client } = await masterAt('email');
  await assertRefused(t.deps, client, person, { url: '/setup/email' }, addressInputs(addressFields(person)));
  assert.equal((await client.post('/setup/email', addressFields(person))).headers.location, '/setup');
});

test('/setup/email after the session ended sends no code', async () => {
  const { person, client } = await masterAt('email');
  await assertRefusedAfterSessionEnd(t.deps, client, person, '/setup/email', addressFields(person), { seconds: 600, reason: 'idle' });
});

function codeInputs(code: string): BadInput[] {
  return [
    ...commonBadInputs({ code }, ['code']),
    { label: 'the code in full-width digits', fields: { code: fullWidth(code) }, code: 'EMAIL_CODE_INVALID' },
    { label: 'five digits', fields: { code: code.slice(0, 5) }, code: 'EMAIL_CODE_INVALID' },
    { label: 'seven digits', fields: { code: `${code}0` }, code: 'EMAIL_CODE_INVALID' },
    { label: 'a NUL in the code', fields: { code: `${code.slice(0, 5)}\u0000` }, code: 'EMAIL_CODE_INVALID' },
    { label: 'letters', fields: { code: 'abcdef' }, code: 'EMAIL_CODE_INVALID' },
    { label: 'a negative number', fields: { code: '-12345' }, code: 'EMAIL_CODE_INVALID' },
  ];
}

test('/setup/email/verify refuses bad input on the same page without counting it against the code', async () => {
  const { person, client } = await masterAt('verify');
  const code = await lastEmailCode(t.deps, person.email);
  await assertRefused(t.deps, client, person, { url: '/setup/email/verify' }, codeInputs(code));
  assert.equal((await userRow(t.deps, person)).email, null);
  assert.equal((await client.post('/setup/email/verify', { code })).headers.location, '/status', 'the code still works');
});

test('/setup/email/verify after the session ended changes nothing', async () => {
  const { person, client } = await masterAt('verify');
  const code = await lastEmailCode(t.deps, person.email);
  await assertRefusedAfterSessionEnd(t.deps, client, person, '/setup/email/verify', { code }, { seconds: 600, reason: 'idle' });
  assert.equal((await userRow(t.deps, person)).email, null);
});

test('/setup/email refused while a code is pending shows the address form again, with its error, not the code form', async () => {
  // Found by the form fuzz (test/fuzz/logon-forms.fuzz.test.ts): the refusal was shown above the code form of the earlier address.
  const { person, client } = await masterAt('verify');
  await client.get('/setup?again=1');
  const inputs: BadInput[] = [
    { label: 'a wrong address while a code is pending', fields: { ...addressFields(person), email: 'not an address' }, code: 'EMAIL_INVALID' },
    { label: 'the address twice while a code is pending', fields: { ...addressFields(person), email: [person.email, person.email] }, code: 'EMAIL_INVALID' },
  ];
  await assertRefused(t.deps, client, person, { url: '/setup/email' }, inputs);
});
