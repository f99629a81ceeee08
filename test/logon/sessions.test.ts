import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { Client } from '../helpers/client.ts';
import { gridAnswerFields, logon, onboardMaster } from '../helpers/people.ts';
import { activeMaster, ja, passwordStep, sessionCookie, startApp, type TestApp } from '../helpers/http-app.ts';

let database: TestDatabase;
const apps: TestApp[] = [];
before(async () => {
  database = await createTestDatabase();
});
after(async () => {
  for (const { app } of apps) await app.close();
  await database.drop();
});

/** Each test gets an app with a clock of its own, so moving time in one leaves the others alone. */
async function app(env: Record<string, string> = {}): Promise<TestApp> {
  const started = await startApp(database.db, env);
  apps.push(started);
  return started;
}

test('R7.1: a session idle for 600 seconds by default ends, and the person is told why at the logon page', async () => {
  const t = await app();
  const { client } = await activeMaster(t);
  t.deps.clock.advanceSeconds(599);
  assert.equal((await client.get('/status')).statusCode, 200, 'one second before the idle end');
  const cookie = client.cookies.get(sessionCookie)!;

  t.deps.clock.advanceSeconds(600);
  const ended = await client.get('/status');
  assert.equal(ended.statusCode, 303);
  assert.equal(ended.headers.location, '/logon?ended=idle');
  const logonPage = await client.get(ended.headers.location);
  assert.ok(logonPage.body.includes(ja('logon.notice.idle')));

  // Coming back later with the same cookie still finds it ended.
  const replay = new Client(t.app);
  replay.cookies.set(sessionCookie, cookie);
  assert.match(String((await replay.get('/status')).headers.location), /^\/logon/);
});

test('R7.1: activity before the idle end keeps the session alive', async () => {
  const t = await app();
  const { client } = await activeMaster(t);
  for (let i = 0; i < 6; i++) {
    t.deps.clock.advanceSeconds(500);
    assert.equal((await client.get(i % 2 === 0 ? '/status' : '/settings/password')).statusCode, 200, `after ${(i + 1) * 500} s`);
  }
});

test('R7.1: the absolute limit (4 hours by default) ends a session even with steady activity', async () => {
  const t = await app();
  const { client } = await activeMaster(t);
  let elapsed = 0;
  while (elapsed + 590 < 4 * 3600) {
    t.deps.clock.advanceSeconds(590);
    elapsed += 590;
    assert.equal((await client.get('/status')).statusCode, 200, `after ${elapsed} s`);
  }
  t.deps.clock.advanceSeconds(4 * 3600 - elapsed);
  const ended = await client.get('/status');
  assert.equal(ended.headers.location, '/logon?ended=absolute');
});

test('R7.1: SESSION_IDLE_SECONDS and SESSION_ABSOLUTE_SECONDS configure both limits, and the page carries the idle time for its warning', async () => {
  const t = await app({ SESSION_IDLE_SECONDS: '120', SESSION_ABSOLUTE_SECONDS: '300' });
  const { person, client } = await activeMaster(t);
  const status = await client.get('/status');
  assert.match(status.body, /<body[^>]* data-idle-seconds="120"/);
  t.deps.clock.advanceSeconds(119);
  assert.equal((await client.get('/status')).statusCode, 200);
  t.deps.clock.advanceSeconds(120);
  assert.equal((await client.get('/status')).headers.location, '/logon?ended=idle');

  const again = new Client(t.app);
  assert.equal((await logon(again, person)).headers.location, '/status');
  for (let i = 0; i < 2; i++) {
    t.deps.clock.advanceSeconds(100);
    assert.equal((await again.get('/status')).statusCode, 200);
  }
  t.deps.clock.advanceSeconds(100);
  assert.equal((await again.get('/status')).headers.location, '/logon?ended=absolute');
});

test('R7.1: every page of a session carries data-idle-seconds (600 by default) and the warning script', async () => {
  const t = await app();
  const { client } = await activeMaster(t);
  for (const path of ['/status', '/settings/password', '/settings/email']) {
    const page = await client.get(path);
    assert.match(page.body, /<body[^>]* data-idle-seconds="600"/, path);
    assert.match(page.body, /<script src="\/static\/session-timer\.js" defer><\/script>/, path);
    assert.equal(page.body.includes('id="idle-warning"'), true, path);
  }
  const script = await client.get('/static/session-timer.js');
  assert.equal(script.statusCode, 200);
  assert.match(String(script.headers['content-type']), /javascript/);
});

test('R7.1: every logon gets a fresh session id, different from the one before the grid step and from the previous logon\'s', async () => {
  const t = await app();
  const { person } = await activeMaster(t);
  const client = new Client(t.app);
  const seen: string[] = [];
  for (let i = 0; i < 2; i++) {
    await passwordStep(client, person);
    const pending = client.cookies.get(sessionCookie)!;
    await client.get('/logon/grid');
    await client.post('/logon/grid', gridAnswerFields(client.lastPage, person.digits));
    const active = client.cookies.get(sessionCookie)!;
    assert.notEqual(active, pending);
    assert.notEqual(active.split('.')[0], pending.split('.')[0], 'a new id, not only a new secret');
    seen.push(pending, active);

    // The pre-grid cookie opens no page after the rotation: it is only ever sent elsewhere.
    for (const path of ['/logon/grid', '/setup', '/settings/password', '/status']) {
      const replay = new Client(t.app);
      replay.cookies.set(sessionCookie, pending);
      const answer = await replay.get(path);
      assert.equal(answer.statusCode, 303, path);
      assert.notEqual(answer.headers.location, path, path);
    }
    const replay = new Client(t.app);
    replay.cookies.set(sessionCookie, pending);
    assert.match(String((await replay.get('/status')).headers.location), /^\/logon(\?|$)/, 'its way ends at the logon page');
  }
  assert.equal(new Set(seen).size, 4);
});

test('R7.1: one live session per person: a completed second logon ends the first, which is told it was superseded', async () => {
  const t = await app();
  const { person, client: first } = await activeMaster(t);
  const second = new Client(t.app, { ip: '198.51.100.50' });
  await passwordStep(second, person);
  await second.get('/logon/grid');
  assert.equal((await first.get('/status')).statusCode, 200, 'a password alone does not end the live session');

  await second.post('/logon/grid', gridAnswerFields(second.lastPage, person.digits));
  assert.equal((await second.get('/status')).statusCode, 200);
  const told = await first.get('/status');
  assert.equal(told.headers.location, '/logon?ended=superseded');
  assert.ok((await first.get(told.headers.location)).body.includes(ja('logon.notice.superseded')));
  assert.equal((await second.get('/status')).statusCode, 200, 'the second session lives on');
});

test('R7.1: a logon left at the grid step expires after five minutes', async () => {
  const t = await app();
  const { person } = await activeMaster(t);
  const client = new Client(t.app);
  await passwordStep(client, person);
  t.deps.clock.advanceSeconds(299);
  assert.equal((await client.get('/logon/grid')).statusCode, 200);
  t.deps.clock.advanceSeconds(1);
  assert.equal((await client.get('/logon/grid')).headers.location, '/logon?ended=expired');
});

test('a session reaches only the pages of its stage: setup reaches neither /status nor /settings, the grid step not /status', async () => {
  const t = await app();
  const person = await onboardMaster(t.deps);
  const grid = new Client(t.app);
  await passwordStep(grid, person, person.registrationPassword);
  for (const path of ['/status', '/settings/password', '/settings/email', '/setup']) {
    assert.equal((await grid.get(path)).headers.location, '/logon/grid', path);
  }

  await grid.get('/logon/grid');
  assert.equal((await grid.post('/logon/grid', gridAnswerFields(grid.lastPage, person.digits))).headers.location, '/setup');
  for (const path of ['/status', '/settings/password', '/settings/email', '/logon/grid']) {
    assert.equal((await grid.get(path)).headers.location, '/setup', path);
  }
  // A form posted to a later stage's page is refused the same way and changes nothing.
  const post = await grid.post('/settings/email', { email: 'elsewhere@customer.example' });
  assert.equal(post.headers.location, '/setup');
  assert.equal((await t.deps.db.selectFrom('email_verification').selectAll().execute()).filter((r) => r.new_email === 'elsewhere@customer.example').length, 0);

  const { client: active } = await activeMaster(t);
  for (const path of ['/setup', '/logon/grid']) {
    assert.equal((await active.get(path)).headers.location, '/status', path);
  }
});

test('R7.1: 延長する keeps the session alive with a background HEAD request of the page, which leaves what is typed on it alone', async () => {
  const t = await app();
  const { client } = await activeMaster(t);
  const cookie = [...client.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  t.deps.clock.advanceSeconds(590);
  const extended = await t.app.inject({ method: 'HEAD', url: '/transfers/new', headers: { cookie } });
  assert.equal(extended.statusCode, 200);
  assert.equal(extended.body, '', 'nothing to replace the page with');
  t.deps.clock.advanceSeconds(590);
  assert.equal((await client.get('/status')).statusCode, 200, 'alive 1,180 s after the page was loaded');
  const script = (await client.get('/static/session-timer.js')).body;
  assert.match(script, /method: 'HEAD'/);
});
