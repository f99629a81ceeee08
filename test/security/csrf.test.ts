import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { testDeps } from '../helpers/deps.ts';
import { Client, errorCode } from '../helpers/client.ts';
import { gridAnswerFields, type TestPerson } from '../helpers/people.ts';
import { activeMaster, anonymousCsrfCookie, dropWhenClosed, logonAudit, personRow, sessionCookie, sessionsOf } from './attack-helpers.ts';

/**
 * Every form carries the token of its own session, or for anonymous pages the browser's
 * double-submit token. A token from anywhere else — the anonymous one, another session's, an ended
 * session's — is refused before anything is changed.
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

async function snapshot(person: TestPerson) {
  const { db } = database;
  const user = await personRow(db, person);
  const emailCodes = await db.selectFrom('email_verification').select('id').where('user_ref', '=', user.id).execute();
  const outbox = await db.selectFrom('outbox').select('id').execute();
  const history = await db.selectFrom('password_history').select('id').where('user_ref', '=', user.id).execute();
  return { user, emailCodes: emailCodes.length, outbox: outbox.length, history: history.length, sessions: await sessionsOf(db, user.id) };
}

/** The forms of a live session, each posted with `csrf` in place of the session's own token. */
async function attackForms(client: Client, person: TestPerson, csrf: string | null): Promise<void> {
  const before = await snapshot(person);
  const forms: [string, Record<string, string>][] = [
    ['/settings/email', { email: 'csrf@attacker.example', confirmationPassword: person.confirmationPassword }],
    ['/settings/password', { kind: 'login', current: person.loginPassword, next: 'Hijacked2026x', nextRepeat: 'Hijacked2026x' }],
    ['/settings/password', { kind: 'confirmation', current: person.confirmationPassword, next: 'Hijacked2026y', nextRepeat: 'Hijacked2026y' }],
  ];
  for (const [url, fields] of forms) {
    const answer = await client.post(url, fields, { csrf });
    assert.equal(answer.statusCode, 403, url);
    assert.equal(errorCode(answer.body), 'CSRF_INVALID', url);
  }
  const out = await client.post('/logout', {}, { csrf });
  assert.equal(out.headers.location, '/status', 'logging off needs the session\'s token too');
  assert.deepEqual(await snapshot(person), before, 'nothing changed');
  assert.equal((await client.get('/status')).statusCode, 200, 'the session is still live');
}

test('a POST from a session with the anonymous CSRF token is refused and changes nothing', async () => {
  const { person, client } = await activeMaster(deps, app);
  const anonymous = client.cookies.get(anonymousCsrfCookie);
  assert.ok(anonymous, 'the browser holds the logon page\'s token');
  await attackForms(client, person, anonymous);
  await attackForms(client, person, null);
});

test('a POST from a session with another session\'s CSRF token is refused and changes nothing', async () => {
  const a = await activeMaster(deps, app);
  const b = await activeMaster(deps, app);
  await b.client.get('/status');
  await attackForms(a.client, a.person, b.client.csrf!);

  // The token of the person's own earlier session (the one rotated away at the grid step) is another session's too.
  const again = new Client(app);
  await again.get('/logon');
  await again.post('/logon', { contractId: a.person.contractId, userId: a.person.userId, password: a.person.loginPassword });
  const grid = await again.get('/logon/grid');
  const pendingToken = again.csrf!;
  assert.equal((await again.post('/logon/grid', gridAnswerFields(grid.body, a.person.digits))).headers.location, '/status');
  await again.get('/status');
  assert.notEqual(again.csrf, pendingToken, 'a new session has a new token');
  await attackForms(again, a.person, pendingToken);
});

test('a logon posted with a session\'s CSRF token instead of the browser\'s is refused and counts nothing', async () => {
  const { person, client, user } = await activeMaster(deps, app);
  await client.get('/status');
  const before = { audit: await logonAudit(database.db, user.id), sessions: await sessionsOf(database.db, user.id) };
  const answer = await client.post('/logon', { contractId: person.contractId, userId: person.userId, password: 'WrongGuess2026' }, { csrf: client.csrf! });
  assert.equal(answer.statusCode, 403);
  assert.equal(errorCode(answer.body), 'CSRF_INVALID');
  assert.deepEqual(await logonAudit(database.db, user.id), before.audit, 'no attempt is recorded');
  assert.equal((await personRow(database.db, person)).failed_attempts, 0, 'no attempt is counted (R2.3)');
  assert.deepEqual(await sessionsOf(database.db, user.id), before.sessions);
});

test('a grid answer posted with the anonymous CSRF token is refused and consumes nothing', async () => {
  const { person, user } = await activeMaster(deps, app);
  const client = new Client(app);
  await client.get('/logon');
  await client.post('/logon', { contractId: person.contractId, userId: person.userId, password: person.loginPassword });
  const grid = await client.get('/logon/grid');
  const answer = gridAnswerFields(grid.body, person.digits);
  const before = await logonAudit(database.db, user.id);

  const forged = await client.post('/logon/grid', answer, { csrf: client.cookies.get(anonymousCsrfCookie)! });
  assert.equal(forged.statusCode, 403);
  assert.equal(errorCode(forged.body), 'CSRF_INVALID');
  assert.deepEqual(await logonAudit(database.db, user.id), before);
  assert.equal((await personRow(database.db, person)).failed_attempts, 0);
  assert.ok(client.cookies.get(sessionCookie));

  // The challenge is still open: the same answer, with the right token, completes the logon.
  assert.equal((await client.post('/logon/grid', answer)).headers.location, '/status');
});
