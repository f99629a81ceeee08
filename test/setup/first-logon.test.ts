import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { buildApp } from '../../src/app.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { testDeps } from '../helpers/deps.ts';
import { Client, errorCode } from '../helpers/client.ts';
import { completeFirstLogon, logon, onboardMaster } from '../helpers/people.ts';
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
