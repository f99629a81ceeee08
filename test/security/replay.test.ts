import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { testDeps } from '../helpers/deps.ts';
import { Client, errorCode } from '../helpers/client.ts';
import { gridAnswerFields, logon, type TestPerson } from '../helpers/people.ts';
import { activeMaster, dropWhenClosed, logonAudit, personRow, sessionCookie, sessionsOf } from './attack-helpers.ts';

/**
 * House rule 4: what is used once cannot be used again — a grid challenge once answered, a session
 * id once ended, a registration password once the passwords are set (R1.3, R3.2, R7.1).
 */
let database: TestDatabase;
let app: FastifyInstance;
let deps: ReturnType<typeof testDeps>;
before(async () => {
  database = await createTestDatabase();
  deps = testDeps(database.db);
  app = await buildApp(deps, { logger: false });
});
after(async () => {
  await app?.close();
  await dropWhenClosed(database);
});

/** The password step of a logon; the client then holds a session waiting for the grid answer. */
async function passwordStep(client: Client, person: TestPerson): Promise<void> {
  await client.get('/logon');
  const passed = await client.post('/logon', { contractId: person.contractId, userId: person.userId, password: person.loginPassword });
  assert.equal(passed.headers.location, '/logon/grid');
}

function answerOf(fields: Record<string, string>): string {
  return Object.values(fields).join('');
}

/**
 * A rotated session (the loser of a double submit) is first sent to /status without touching the
 * cookie, since the browser may hold the new one by then; with only the old cookie it ends at /logon.
 */
async function assertLandsOnLogon(client: Client, response: { statusCode: number; headers: Record<string, unknown> }): Promise<void> {
  assert.equal(response.statusCode, 303);
  let location = response.headers.location;
  if (location === '/status') {
    const next = await client.get('/status');
    assert.equal(next.statusCode, 303);
    location = next.headers.location;
  }
  assert.equal(location, '/logon');
}

test('an answered grid challenge cannot be replayed', async () => {
  const { person, user } = await activeMaster(deps, app);
  const client = new Client(app);
  await passwordStep(client, person);
  const pending = client.cookies.get(sessionCookie)!;
  const grid = await client.get('/logon/grid');
  const pendingCsrf = client.csrf;
  const answered = gridAnswerFields(grid.body, person.digits);
  assert.equal((await client.post('/logon/grid', answered)).headers.location, '/status');
  const afterLogon = { sessions: await sessionsOf(database.db, user.id), audit: await logonAudit(database.db, user.id) };

  // The same answer again, with the pending session's cookie and token, as a recording would send it.
  const replayer = new Client(app);
  replayer.cookies.set(sessionCookie, pending);
  const replay = await replayer.post('/logon/grid', answered, { csrf: pendingCsrf });
  await assertLandsOnLogon(replayer, replay);
  assert.deepEqual(await sessionsOf(database.db, user.id), afterLogon.sessions, 'no session is made');
  assert.equal((await logonAudit(database.db, user.id)).successes, afterLogon.audit.successes);

  // R3.2: a new logon is asked a new challenge, which the recorded digits do not answer. Should the
  // new cells happen to carry the same digits, that logon is completed and another one is begun.
  const next = new Client(app);
  let page: string;
  for (;;) {
    await passwordStep(next, person);
    page = (await next.get('/logon/grid')).body;
    if (answerOf(gridAnswerFields(page, person.digits)) !== answerOf(answered)) break;
    assert.equal((await next.post('/logon/grid', gridAnswerFields(page, person.digits))).headers.location, '/status');
  }
  const refused = await next.post('/logon/grid', answered);
  assert.equal(refused.statusCode, 401);
  assert.equal(errorCode(refused.body), 'AUTH_GRID_FAILED');
  assert.equal((await logonAudit(database.db, user.id)).reasons.wrong_grid_answer, 1);
  const right = await next.post('/logon/grid', gridAnswerFields(next.lastPage, person.digits));
  assert.equal(right.headers.location, '/status', 'the person still logs on with the new challenge');
});

test('a session id rotated at the grid step is refused', async () => {
  const { person } = await activeMaster(deps, app);
  const client = new Client(app);
  await passwordStep(client, person);
  const pending = client.cookies.get(sessionCookie)!;
  const grid = await client.get('/logon/grid');
  assert.equal((await client.post('/logon/grid', gridAnswerFields(grid.body, person.digits))).headers.location, '/status');
  assert.notEqual(client.cookies.get(sessionCookie), pending, 'R7.1: a fresh session id at every logon');

  const old = new Client(app);
  for (const url of ['/status', '/logon/grid', '/settings/email']) {
    old.cookies.set(sessionCookie, pending);
    await assertLandsOnLogon(old, await old.get(url));
    assert.equal(old.cookies.get(sessionCookie), undefined, 'the refused cookie is cleared');
  }
  assert.equal((await client.get('/status')).statusCode, 200, 'the new session is unharmed');
});

test('a session id superseded by a new logon is refused', async () => {
  const { person, client: first } = await activeMaster(deps, app);
  const old = first.cookies.get(sessionCookie)!;
  const second = new Client(app);
  assert.equal((await logon(second, person)).headers.location, '/status');

  const stale = new Client(app);
  stale.cookies.set(sessionCookie, old);
  const answer = await stale.get('/status');
  assert.equal(answer.statusCode, 303);
  assert.equal(answer.headers.location, '/logon?ended=superseded');
  // Told once; the ended session stays refused.
  stale.cookies.set(sessionCookie, old);
  assert.match((await stale.get('/status')).headers.location ?? '', /^\/logon/);
  assert.equal((await second.get('/status')).statusCode, 200);
});

test('a session id is refused after logout', async () => {
  const { client } = await activeMaster(deps, app);
  const token = client.cookies.get(sessionCookie)!;
  await client.get('/status');
  const out = await client.post('/logout', {});
  assert.equal(out.headers.location, '/logon?ended=logout');
  assert.equal(client.cookies.get(sessionCookie), undefined);

  for (const url of ['/status', '/settings/password']) {
    client.cookies.set(sessionCookie, token);
    const answer = await client.get(url);
    assert.equal(answer.statusCode, 303, url);
    assert.equal(answer.headers.location, '/logon', url);
  }
  client.cookies.set(sessionCookie, token);
  const posted = await client.post('/settings/email', { email: 'after-logout@attacker.example' });
  assert.equal(posted.headers.location, '/logon');
  const pending = await database.db.selectFrom('email_verification').select('id').where('new_email', '=', 'after-logout@attacker.example').execute();
  assert.equal(pending.length, 0, 'nothing is changed through the ended session');
});

test('R1.3: a used registration password cannot be replayed', async () => {
  const { person, user } = await activeMaster(deps, app);
  const stored = await personRow(database.db, person);
  assert.equal(stored.registration_password_hash, null, 'setting the passwords consumed it');

  const replayer = new Client(app);
  const before = await sessionsOf(database.db, user.id);
  const replay = await logon(replayer, person, person.registrationPassword);
  assert.equal(replay.statusCode, 401);
  assert.equal(errorCode(replay.body), 'AUTH_LOGON_FAILED');
  assert.equal(replayer.cookies.get(sessionCookie), undefined);
  assert.deepEqual(await sessionsOf(database.db, user.id), before);
});
