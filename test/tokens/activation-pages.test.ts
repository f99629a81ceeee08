import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Client, errorCode } from '../helpers/client.ts';
import { logon, type TestPerson } from '../helpers/people.ts';
import { activeMaster, addUser, appForFile, contractRow, ja, outboxTo, stateOf, userRow } from '../helpers/http-app.ts';
import { formatMoment } from '../../src/domain/display-date.ts';
import { addUserWith, changeFields, newUserFields, personRow } from '../users/helpers.ts';
import { assignedToken, codeOf, tokenRow, type TestToken } from './support.ts';

/**
 * R6.3, R6.4, R6.5 on the customer's pages: the activation page offered after logon to a person
 * whose operations need a token, its skip for the session, the activation with the serial and the
 * code the token shows, refused input, and a user change confirmed with the token password once the
 * grace period is over.
 */
const t = appForFile();

async function masterWithToken(): Promise<{ person: TestPerson; client: Client; token: TestToken }> {
  const { person, client } = await activeMaster(t);
  const token = await assignedToken(t.deps, person.contractId);
  return { person, client, token };
}

/** A new logon of the person on a client of its own; the client is left where the logon leads. */
async function loggedOn(person: TestPerson): Promise<Client> {
  const client = new Client(t.app);
  const done = await logon(client, person);
  assert.equal(done.statusCode, 303, errorCode(done.body));
  return client;
}

const now = () => t.deps.clock.now();

test('a master whose contract has a token is sent to the activation page from the other pages, after logon and in a session open before', async () => {
  const { person, client, token } = await masterWithToken();
  // The session open when the bank assigned the token is led there at its next request.
  assert.equal((await client.get('/status')).headers.location, '/token-activation');

  const fresh = await loggedOn(person);
  for (const path of ['/status', '/users', '/settings/token']) {
    assert.equal((await fresh.get(path)).headers.location, '/token-activation', path);
  }
  const page = await fresh.get('/token-activation');
  assert.equal(page.statusCode, 200);
  assert.ok(page.body.includes('action="/token-activation"'), 'the activation form');
  assert.ok(page.body.includes('action="/token-activation/skip"'), 'the skip, while the token may not have arrived');
  assert.ok(page.body.includes('name="serial"') && page.body.includes('name="tokenCode"'));
  assert.equal((await tokenRow(t.deps, token.serial)).last_step, 0n);
});

test('skipping the activation opens the other pages for the rest of the session; the next logon offers it again', async () => {
  const { person, client } = await masterWithToken();
  await client.get('/token-activation');
  const skipped = await client.post('/token-activation/skip', {});
  assert.equal(skipped.statusCode, 303);
  assert.equal(skipped.headers.location, '/status');
  assert.equal((await client.get('/status')).statusCode, 200);
  assert.equal((await client.get('/users')).statusCode, 200);
  assert.equal((await client.get('/status')).statusCode, 200, 'still, later in the session');
  const { id } = await userRow(t.deps, person);
  const skips = await t.deps.db.selectFrom('audit_log').select('id').where('user_ref', '=', id).where('action', '=', 'token.activation_skip').execute();
  assert.equal(skips.length, 1);

  const next = await loggedOn(person);
  assert.equal((await next.get('/status')).headers.location, '/token-activation');
});

test('activation with the serial and the code the token shows: the person is told, and the page is offered no more', async () => {
  const { person, client, token } = await masterWithToken();
  await client.get('/token-activation');
  const activated = await client.post('/token-activation', { serial: token.serial, tokenCode: codeOf(token, now()) });
  assert.equal(activated.statusCode, 303, errorCode(activated.body));
  assert.equal(activated.headers.location, `/settings/token?done=${token.serial}`);
  const row = await userRow(t.deps, person);
  assert.equal(row.token_serial, token.serial);
  assert.notEqual(row.token_activated_at, null);
  const mails = await outboxTo(t.deps, person.email, 'hardwareToken.notice.subject');
  assert.equal(mails.length, 1);
  assert.ok(mails[0]!.body.includes(ja('hardwareToken.notice.activated', { serial: token.serial })));

  assert.equal((await client.get(String(activated.headers.location))).statusCode, 200);
  assert.equal((await client.get('/token-activation')).headers.location, '/status', 'not offered once activated');
  const settings = await client.get('/settings/token');
  assert.equal(settings.statusCode, 200);
  assert.ok(settings.body.includes('id="token-current"') && settings.body.includes(token.serial), 'the menu’s page shows the token in use');
  assert.ok(!settings.body.includes('name="tokenCode"'), 'and no form to activate another');

  const next = await loggedOn(person);
  assert.equal((await next.get('/status')).statusCode, 200, 'a new logon goes straight on');
});

test('the page an activation on the offered page leads to tells the person their token is activated', async () => {
  const { client, token } = await masterWithToken();
  await client.get('/token-activation');
  const activated = await client.post('/token-activation', { serial: token.serial, tokenCode: codeOf(token, now()) });
  assert.equal(activated.statusCode, 303, errorCode(activated.body));
  const landing = await client.get(String(activated.headers.location));
  assert.equal(landing.statusCode, 200);
  assert.ok(landing.body.includes(ja('hardwareToken.activation.done', { serial: token.serial })), `the notice on ${String(activated.headers.location)}`);
});

test('R6.3, R6.6: the security page shows each person’s token and a stop of its use', async () => {
  const { person, client, token } = await masterWithToken();
  await client.get('/token-activation');
  await client.post('/token-activation', { serial: token.serial, tokenCode: codeOf(token, now()) });
  await t.deps.db.updateTable('users').set({ token_stopped_at: now() }).where('id', '=', (await userRow(t.deps, person)).id).execute();
  const page = await client.get('/security');
  assert.equal(page.statusCode, 200);
  const line = new RegExp(`<section class="person" id="person-${person.userId}"[\\s\\S]*?<dd class="token">([\\s\\S]*?)</dd>`).exec(page.body)?.[1] ?? '';
  assert.ok(line.includes(ja('userSecurity.token.active', { serial: token.serial })), 'the token in use');
  assert.ok(line.includes('class="warning"'), 'and its stop');
});

test('the master revokes a token two people share through the person’s security page: neither has it any more', async () => {
  const { person: master, client, token } = await masterWithToken();
  await client.get('/token-activation');
  assert.equal((await client.post('/token-activation', { serial: token.serial, tokenCode: codeOf(token, now(), -1) })).statusCode, 303);
  const user = await addUserWith(t.deps, master.contractId, [{ business: 'inquiry' }]);
  const userClient = await loggedOn(user);
  await userClient.get('/settings/token');
  const shared = await userClient.post('/settings/token', { serial: token.serial, tokenCode: codeOf(token, now()) });
  assert.equal(shared.headers.location, `/settings/token?done=${token.serial}`, errorCode(shared.body));

  t.deps.clock.advanceSeconds(60);
  await client.get(`/users/${user.userId}/security`);
  const revoked = await client.post(`/users/${user.userId}/security/token-revoke`, {
    reason: 'lost',
    confirmationPassword: master.confirmationPassword,
    tokenCode: codeOf(token, now()),
  });
  assert.equal(revoked.headers.location, `/users/${user.userId}/security?done=token-revoked`, errorCode(revoked.body));
  const row = await tokenRow(t.deps, token.serial);
  assert.notEqual(row.revoked_at, null);
  assert.equal(row.revoke_reason, 'lost');
  for (const person of [master, user]) assert.equal((await userRow(t.deps, person)).token_serial, null, person.userId);
  const page = await userClient.get('/settings/token');
  assert.ok(!page.body.includes('id="token-current"') && page.body.includes('name="tokenCode"'), 'the person is asked to activate a new token');
});

test('a general user without any operation that needs a token is never sent to the activation page', async () => {
  const { person: master } = await masterWithToken();
  const user = await addUser(t.deps, master.contractId);
  const inquirer = await addUserWith(t.deps, master.contractId, [{ business: 'inquiry' }]);
  for (const person of [user, inquirer]) {
    const client = await loggedOn(person);
    assert.equal((await client.get('/status')).statusCode, 200, person.userId);
    assert.equal((await client.get('/token-activation')).headers.location, '/status', `${person.userId}: the page is not for them`);
  }
});

test('bad input on the activation page is answered on the same page with its error and changes nothing', async () => {
  const { person, client, token } = await masterWithToken();
  await client.get('/token-activation');
  const before = { person: await stateOf(t.deps, person), token: await tokenRow(t.deps, token.serial) };
  const cases: [Record<string, string>, string][] = [
    [{ serial: '', tokenCode: codeOf(token, now()) }, 'TOKEN_SERIAL_INVALID'],
    [{ serial: token.serial, tokenCode: '12ab56' }, 'TOKEN_CODE_FORMAT'],
    [{ serial: token.serial, tokenCode: '' }, 'TOKEN_CODE_FORMAT'],
    [{ serial: token.serial, tokenCode: '1234567' }, 'TOKEN_CODE_FORMAT'],
    [{ serial: 'HT 2030', tokenCode: codeOf(token, now()) }, 'TOKEN_SERIAL_INVALID'],
  ];
  for (const [fields, code] of cases) {
    const answer = await client.post('/token-activation', fields);
    assert.equal(answer.statusCode, 400, JSON.stringify(fields));
    assert.equal(errorCode(answer.body), code, JSON.stringify(fields));
    assert.ok(answer.body.includes('action="/token-activation"'), 'the same page, its form again');
  }
  assert.deepEqual({ person: await stateOf(t.deps, person), token: await tokenRow(t.deps, token.serial) }, before);
});

// This test moves the app's clock on by a month: it comes last.
test('after the grace period changing or adding a user needs the master’s token: refused without one activated and without its code, done with the right code', async () => {
  const { person: master, token } = await masterWithToken();
  const user = await addUserWith(t.deps, master.contractId, [{ business: 'inquiry' }]);
  const name = (await userRow(t.deps, user)).display_name;
  t.deps.clock.advanceSeconds(31 * 86_400);

  const client = await loggedOn(master);
  const offered = await client.get('/token-activation');
  const appliedAt = (await contractRow(t.deps, master.contractId)).tokens_applied_at!;
  const until = formatMoment(new Date(appliedAt.getTime() + 30 * 86_400_000), 'ja');
  assert.ok(offered.body.includes(ja('hardwareToken.activation.graceOver', { until })), 'the page says the grace period is over, and since when');
  assert.equal((await client.post('/token-activation/skip', {})).headers.location, '/status');

  const change = async (tokenCode: string | undefined) => {
    const page = await client.get(`/users/${user.userId}`);
    assert.equal(page.statusCode, 200);
    return client.post(`/users/${user.userId}`, changeFields(page.body, master.confirmationPassword, { displayName: '変更 次郎', tokenCode }));
  };
  const withoutToken = await change('');
  assert.equal(errorCode(withoutToken.body), 'TOKEN_NOT_ACTIVE');
  assert.equal((await userRow(t.deps, user)).display_name, name);

  await client.get('/settings/token');
  const activated = await client.post('/settings/token', { serial: token.serial, tokenCode: codeOf(token, now()) });
  assert.equal(activated.headers.location, `/settings/token?done=${token.serial}`, errorCode(activated.body));
  const done = await client.get(String(activated.headers.location));
  assert.ok(done.body.includes(ja('hardwareToken.activation.done', { serial: token.serial })));

  const form = await client.get(`/users/${user.userId}`);
  assert.ok(form.body.includes('name="tokenCode"'), 'the change form asks for the token password');
  for (const code of [undefined, '', 'abcdef']) {
    const refused = await change(code);
    assert.equal(errorCode(refused.body), 'TOKEN_CODE_FORMAT', String(code));
  }
  const used = await change(codeOf(token, now()));
  assert.equal(errorCode(used.body), 'TOKEN_CODE_USED', 'the activation spent this code');
  assert.equal((await userRow(t.deps, user)).display_name, name, 'nothing changed yet');

  t.deps.clock.advanceSeconds(60);
  const changed = await change(codeOf(token, now()));
  assert.equal(changed.headers.location, `/users/${user.userId}?done=changed`, errorCode(changed.body));
  assert.equal((await userRow(t.deps, user)).display_name, '変更 次郎');

  // Adding a user asks for it the same way.
  const create = async (tokenCode: string) => {
    await client.get('/users/new');
    const fields = newUserFields(master, [], { userId: 'tokenclerk', email: 'tokenclerk@customer.example', grant_transfer: undefined, transfer_register: undefined, transfer_perTransactionYen: undefined, transfer_dailyYen: undefined, tokenCode });
    return client.post('/users/new', fields);
  };
  assert.equal(errorCode((await create('')).body), 'TOKEN_CODE_FORMAT');
  assert.equal(await personRow(t.deps, master.contractId, 'tokenclerk'), undefined);
  t.deps.clock.advanceSeconds(60);
  const created = await create(codeOf(token, now()));
  assert.equal(created.statusCode, 303, errorCode(created.body));
  assert.notEqual(await personRow(t.deps, master.contractId, 'tokenclerk'), undefined);

  // So do the other changes of a person: suspending, resetting a password, lifting a stop.
  await client.get(`/users/${user.userId}/suspend`);
  const suspend = await client.post(`/users/${user.userId}/suspend`, { confirmationPassword: master.confirmationPassword });
  assert.equal(errorCode(suspend.body), 'TOKEN_CODE_FORMAT');
  assert.equal((await userRow(t.deps, user)).status, 'active');
  await client.get(`/users/${user.userId}/security`);
  const reset = await client.post(`/users/${user.userId}/security/reset`, { kind: 'login', temporary: 'Temporary2026pw', temporaryRepeat: 'Temporary2026pw', confirmationPassword: master.confirmationPassword });
  assert.equal(errorCode(reset.body), 'TOKEN_CODE_FORMAT');
  t.deps.clock.advanceSeconds(60);
  const suspended = await client.post(`/users/${user.userId}/suspend`, { confirmationPassword: master.confirmationPassword, tokenCode: codeOf(token, now()) });
  assert.equal(suspended.statusCode, 303, errorCode(suspended.body));
  assert.equal((await userRow(t.deps, user)).status, 'suspended');
});
