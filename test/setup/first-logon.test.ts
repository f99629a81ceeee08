import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { buildApp } from '../../src/app.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { testDeps } from '../helpers/deps.ts';
import { Client, errorCode } from '../helpers/client.ts';
import { completeFirstLogon, lastEmailCode, logon, onboardMaster, registerOtpAddress } from '../helpers/people.ts';
import { registrationPasswordValidDays } from '../../src/auth/password-rules.ts';

let database: TestDatabase;
before(async () => {
  database = await createTestDatabase();
});
after(() => database.drop());

test('R1.3: the master logs on first with the registration password and grid card, sets passwords and email, lands on the status page', async () => {
  const deps = testDeps(database.db);
  const app = await buildApp(deps, { logger: false });
  const master = await onboardMaster(deps);
  const client = new Client(app);
  await completeFirstLogon(client, deps, master);
  const status = await client.get('/status');
  assert.equal(status.statusCode, 200);
  assert.match(status.body, /ステータス/);
  assert.match(status.body, new RegExp(master.email.replace('.', '\\.')));

  const again = new Client(app);
  const replay = await logon(again, master, master.registrationPassword);
  assert.equal(replay.statusCode, 401);
  assert.equal(errorCode(replay.body), 'AUTH_LOGON_FAILED');

  const normal = await logon(again, master);
  assert.equal(normal.headers.location, '/status');
  const first = await client.get('/status');
  assert.equal(first.headers.location, '/logon?ended=superseded');
  await app.close();
});

test('R1.3: a registration password past its validity fails like a wrong password and counts towards the stop', async () => {
  const deps = testDeps(database.db);
  const app = await buildApp(deps, { logger: false });
  const master = await onboardMaster(deps);
  deps.clock.advanceSeconds(registrationPasswordValidDays * 86_400);
  const client = new Client(app);
  const late = await logon(client, master, master.registrationPassword);
  assert.equal(late.statusCode, 401);
  assert.equal(errorCode(late.body), 'AUTH_LOGON_FAILED');
  const row = await deps.db.selectFrom('users').select('failed_attempts').where('contract_id', '=', master.contractId).executeTakeFirstOrThrow();
  assert.equal(row.failed_attempts, 1);
  await app.close();
});

test('R1.3: once set up, the first-logon pages cannot set the passwords again', async () => {
  const deps = testDeps(database.db);
  const app = await buildApp(deps, { logger: false });
  const master = await onboardMaster(deps);
  const client = new Client(app);
  await completeFirstLogon(client, deps, master);
  await client.get('/status');
  const again = await client.post('/setup/passwords', {
    login: 'Another2026pw',
    loginRepeat: 'Another2026pw',
    confirmation: 'Another2026cf',
    confirmationRepeat: 'Another2026cf',
  });
  assert.equal(again.headers.location, '/status');
  assert.equal((await logon(new Client(app), master)).headers.location, '/status', 'the passwords set at setup still work');
  await app.close();
});

/** Pages and forms of every kind — status, transfers, approvals, administration, settings, downloads — that a held person must not reach. */
const elsewhere = ['/status', '/transfers', '/transfers/new', '/approvals', '/users', '/users/new', '/payees', '/accounts', '/accounts/1/statement', '/settings/email', '/settings/otp-address', '/otp-address', '/security'];
const formsElsewhere: [string, Record<string, string>][] = [
  ['/users/new', { userId: 'intruder1', displayName: '侵入', email: 'intruder@attacker.example', initialPassword: 'Welcome2026a', initialPasswordRepeat: 'Welcome2026a', confirmationPassword: 'x' }],
  ['/settings/email', { email: 'thief@attacker.example', confirmationPassword: 'x' }],
  ['/settings/password', { kind: 'login', current: 'x', next: 'Another2026pw', nextRepeat: 'Another2026pw' }],
  ['/otp-address', { address: 'thief@attacker.example', confirmationPassword: 'x' }],
];

test('R1.3, R7.3: a master who leaves after setting the passwords is held at the email step at the next logon, and every other page and form sends them there', async () => {
  const deps = testDeps(database.db);
  const app = await buildApp(deps, { logger: false });
  const master = await onboardMaster(deps);
  const first = new Client(app);
  await logon(first, master, master.registrationPassword);
  await first.get('/setup');
  const set = await first.post('/setup/passwords', { login: master.loginPassword, loginRepeat: master.loginPassword, confirmation: master.confirmationPassword, confirmationRepeat: master.confirmationPassword });
  assert.equal(set.headers.location, '/setup');
  // The browser is closed here: the session is abandoned at the email step.

  const client = new Client(app);
  assert.equal((await logon(client, master)).headers.location, '/setup', 'the logon with the new password resumes the setup');
  assert.match((await client.get('/setup')).body, /<form method="post" action="\/setup\/email"/, 'at the email step');
  for (const path of elsewhere) assert.equal((await client.get(path)).headers.location, '/setup', `GET ${path} is sent to the setup`);
  const outboxBefore = (await deps.db.selectFrom('outbox').select('id').execute()).length;
  for (const [path, fields] of formsElsewhere) assert.equal((await client.post(path, fields)).headers.location, '/setup', `POST ${path} is sent to the setup`);
  assert.equal((await deps.db.selectFrom('users').select('id').where('contract_id', '=', master.contractId).execute()).length, 1, 'no user was created');
  assert.equal((await deps.db.selectFrom('outbox').select('id').execute()).length, outboxBefore, 'nothing was sent');
  const row = await deps.db.selectFrom('users').select(['email', 'email_confirmed_at', 'failed_attempts']).where('contract_id', '=', master.contractId).executeTakeFirstOrThrow();
  assert.deepEqual(row, { email: null, email_confirmed_at: null, failed_attempts: 0 });

  // Once the address is confirmed, the person is let through (the master on to the OTP address, R5.1, then the status page).
  await client.post('/setup/email', { email: master.email, confirmationPassword: master.confirmationPassword });
  await client.get('/setup');
  assert.equal((await client.post('/setup/email/verify', { code: await lastEmailCode(deps, master.email) })).headers.location, '/status');
  assert.equal((await client.get('/status')).headers.location, '/otp-address');
  await registerOtpAddress(client, deps, master, '/otp-address');
  const status = await client.get('/status');
  assert.equal(status.statusCode, 200);
  assert.ok(status.body.includes(master.email));
  assert.equal((await logon(new Client(app), master)).headers.location, '/status', 'a later logon goes straight on');
  await app.close();
});

test('R1.3, R7.3: a session already active whose person has no confirmed address is held at the setup on its next request', async () => {
  const deps = testDeps(database.db);
  const app = await buildApp(deps, { logger: false });
  const master = await onboardMaster(deps);
  const client = new Client(app);
  await completeFirstLogon(client, deps, master);
  assert.equal((await client.get('/status')).statusCode, 200);
  // As a session opened before addresses had to be confirmed: its stored stage says active.
  await deps.db.updateTable('users').set({ email_confirmed_at: null }).where('contract_id', '=', master.contractId).execute();
  for (const path of ['/status', '/transfers', '/accounts/1/statement']) assert.equal((await client.get(path)).headers.location, '/setup', path);
  const page = await client.get('/setup');
  assert.doesNotMatch(page.body, /<nav class="menu"/, 'no menu while held');
  assert.ok(page.body.includes(`value="${master.email}"`), 'the address in use is offered to confirm');
  await client.post('/setup/email', { email: master.email, confirmationPassword: master.confirmationPassword });
  await client.get('/setup');
  assert.equal((await client.post('/setup/email/verify', { code: await lastEmailCode(deps, master.email) })).headers.location, '/status');
  assert.equal((await client.get('/status')).statusCode, 200);
  await app.close();
});
