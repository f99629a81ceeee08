import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '../helpers/client.ts';
import { gridAnswerFields } from '../helpers/people.ts';
import { contractIdFrom } from '../../src/domain/contract-id.ts';
import { activeMaster, appForFile, passwordStep, userRow } from '../helpers/http-app.ts';
import { assertRefused, assertRefusedAfterSessionEnd, commonBadInputs, fullWidth, tenKilobytes, type BadInput, type Fields } from '../helpers/bad-input.ts';

const t = appForFile();

test('/logon refuses bad input on the same page and evaluates nothing, even with the right password', async () => {
  const { person } = await activeMaster(t);
  const client = new Client(t.app);
  await client.get('/logon');
  const valid: Fields = { contractId: person.contractId, userId: person.userId, password: person.loginPassword };
  const otherBrowser = new Client(t.app);
  await otherBrowser.get('/logon');
  const wrongCheckDigit = person.contractId.slice(0, -1) + String((Number(person.contractId.at(-1)) + 1) % 10);

  const inputs: BadInput[] = [
    ...commonBadInputs(valid, ['contractId', 'userId', 'password']),
    { label: 'a 31-character user ID', fields: { ...valid, userId: 'a'.repeat(31) }, code: 'USER_ID_INVALID' },
    { label: 'a user ID with a symbol', fields: { ...valid, userId: `${person.userId}-1` }, code: 'USER_ID_INVALID' },
    { label: 'a contract ID of full-width digits', fields: { ...valid, contractId: fullWidth(person.contractId) }, code: 'CONTRACT_ID_INVALID' },
    { label: 'a user ID of full-width characters', fields: { ...valid, userId: fullWidth(person.userId) }, code: 'USER_ID_INVALID' },
    { label: 'a contract ID with a wrong check digit (R1.1)', fields: { ...valid, contractId: wrongCheckDigit }, code: 'CONTRACT_ID_INVALID' },
    { label: 'a contract ID of 10 digits', fields: { ...valid, contractId: person.contractId.slice(0, 10) }, code: 'CONTRACT_ID_INVALID' },
    { label: 'a contract ID with a NUL', fields: { ...valid, contractId: `${person.contractId.slice(0, 10)}\u0000` }, code: 'CONTRACT_ID_INVALID' },
    { label: 'a user ID with a bell character', fields: { ...valid, userId: `${person.userId}\u0007` }, code: 'USER_ID_INVALID' },
    { label: 'a user ID with a zero-width space', fields: { ...valid, userId: `${person.userId}\u200b` }, code: 'USER_ID_INVALID' },
    { label: 'a user ID with a line break', fields: { ...valid, userId: `${person.userId}\r\n` }, code: 'USER_ID_INVALID' },
    { label: 'another browser\'s CSRF token', fields: valid, csrf: otherBrowser.csrf!, code: 'CSRF_INVALID' },
    { label: 'the CSRF token sent twice', fields: { ...valid, _csrf: [client.csrf!, client.csrf!] }, csrf: null, code: 'CSRF_INVALID' },
  ];
  await assertRefused(t.deps, client, person, { url: '/logon' }, inputs);
  assert.equal((await userRow(t.deps, person)).failed_attempts, 0);
  assert.equal((await passwordStep(client, person)).headers.location, '/logon/grid', 'the form still works afterwards');
});

test('/logon refuses a password with control characters as input, without counting it against the person', async () => {
  const { person } = await activeMaster(t);
  const client = new Client(t.app);
  await client.get('/logon');
  const fields = { contractId: person.contractId, userId: person.userId };
  await assertRefused(t.deps, client, person, { url: '/logon' }, [
    { label: 'a password with a NUL', fields: { ...fields, password: `${person.loginPassword}\u0000` } },
    { label: 'a password with an escape character', fields: { ...fields, password: `\u001b${person.loginPassword}` } },
  ]);
});

test('/logon without a CSRF cookie refuses even a matching token', async () => {
  const { person } = await activeMaster(t);
  const client = new Client(t.app);
  await client.get('/logon');
  const token = client.csrf!;
  client.cookies.clear();
  const answer = await client.post('/logon', { contractId: person.contractId, userId: person.userId, password: person.loginPassword }, { csrf: token });
  assert.equal(answer.statusCode, 403);
  assert.match(answer.body, /data-code="CSRF_INVALID"/);
  assert.equal(client.cookies.has('__Host-sid'), false);
});

test('an unknown contract ID with a valid check digit is not an input error but a failed logon (R2.4)', async () => {
  const { person } = await activeMaster(t);
  const client = new Client(t.app);
  const answer = await passwordStep(client, { ...person, contractId: contractIdFrom('1234567890') });
  assert.equal(answer.statusCode, 401);
  assert.match(answer.body, /data-code="AUTH_LOGON_FAILED"/);
});

test('/logon/grid refuses bad input on the same page without counting it or consuming the challenge', async () => {
  const { person } = await activeMaster(t);
  const client = new Client(t.app);
  await passwordStep(client, person);
  const anonymousToken = client.csrf!;
  await client.get('/logon/grid');
  const valid = gridAnswerFields(client.lastPage, person.digits);
  const inputs: BadInput[] = [
    ...commonBadInputs(valid, ['cell0', 'cell3']),
    { label: 'a full-width digit', fields: { ...valid, cell0: fullWidth(valid.cell0!) }, code: 'INPUT_INVALID' },
    { label: 'all four digits in one cell', fields: { ...valid, cell0: Object.values(valid).join('') }, code: 'INPUT_INVALID' },
    { label: 'a letter', fields: { ...valid, cell1: 'a' }, code: 'INPUT_INVALID' },
    { label: 'a NUL', fields: { ...valid, cell2: '\u0000' }, code: 'INPUT_INVALID' },
    { label: 'a space', fields: { ...valid, cell2: ' ' }, code: 'INPUT_INVALID' },
    { label: 'a minus sign', fields: { ...valid, cell2: '-' }, code: 'INPUT_INVALID' },
    { label: 'the logon page\'s CSRF token', fields: valid, csrf: anonymousToken, code: 'CSRF_INVALID' },
    { label: `a 10 kB cell`, fields: { ...valid, cell1: '1'.repeat(tenKilobytes) }, code: 'INPUT_INVALID' },
  ];
  await assertRefused(t.deps, client, person, { url: '/logon/grid' }, inputs);
  assert.equal((await client.post('/logon/grid', valid)).headers.location, '/status', 'the same challenge is still answered');
});

test('/logon/grid after the pending logon expired sends the person to the logon page and changes nothing', async () => {
  const { person } = await activeMaster(t);
  const client = new Client(t.app);
  await passwordStep(client, person);
  await client.get('/logon/grid');
  const valid = gridAnswerFields(client.lastPage, person.digits);
  await assertRefusedAfterSessionEnd(t.deps, client, person, '/logon/grid', valid, { seconds: 300, reason: 'expired' });
});
