import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.ts';
import { lockoutFailuresMax } from '../../src/access/attempts.ts';
import { createTestDatabase, needsPostgres, onPostgres, type TestDatabase } from '../helpers/database.ts';
import { testDeps } from '../helpers/deps.ts';
import { Client, errorCode } from '../helpers/client.ts';
import { logon, wrongGridAnswerFields } from '../helpers/people.ts';
import { activeMaster, dropWhenClosed, logonAudit, personRow, sessionCookie, sessionsOf, withoutTokens } from './attack-helpers.ts';

/**
 * R2.3, R2.4: the lockout counter is the race gate. However many wrong secrets arrive at once, at
 * most seven are ever evaluated, the person ends up stopped, and from then on the right secret is
 * answered exactly like a wrong one.
 */
const attackers = 50;

let database: TestDatabase;
let app: FastifyInstance;
let deps: ReturnType<typeof testDeps>;
before(async () => {
  if (!onPostgres) return;
  database = await createTestDatabase({ poolSize: 20 });
  // A wrong password costs what it costs in production, so the attempts overlap as they would there.
  deps = testDeps(database.db, { hashing: 'production' });
  app = await buildApp(deps, { logger: false });
});
after(async () => {
  await app?.close();
  await dropWhenClosed(database);
});

test('fifty parallel wrong passwords against one person evaluate at most seven and leave it stopped', { skip: needsPostgres }, async () => {
  const { person, user } = await activeMaster(deps, app);
  const before = await logonAudit(database.db, user.id);
  const attacker = new Client(app, { ip: '198.51.100.66' });
  await attacker.get('/logon');
  const guess = { contractId: person.contractId, userId: person.userId };

  const answers = await Promise.all(
    Array.from({ length: attackers }, (_, i) => attacker.post('/logon', { ...guess, password: `Wrong${i}pass2026` })),
  );
  for (const answer of answers) {
    assert.equal(answer.statusCode, 401);
    assert.equal(errorCode(answer.body), 'AUTH_LOGON_FAILED');
  }
  // R2.4: evaluated or refused unseen, every failure looks the same from outside.
  assert.equal(new Set(answers.map((a) => withoutTokens(a.body))).size, 1, 'all fifty answers are one and the same page');

  const audit = await logonAudit(database.db, user.id);
  const evaluated = (audit.reasons.wrong_password ?? 0) - (before.reasons.wrong_password ?? 0);
  assert.ok(evaluated >= 1 && evaluated <= lockoutFailuresMax, `${evaluated} wrong passwords were evaluated`);
  assert.equal(audit.failures - before.failures, attackers, 'every attempt is in the audit trail');
  const stopped = await personRow(database.db, person);
  assert.ok(stopped.stopped_at, 'the person is stopped');
  assert.equal(stopped.failed_attempts, lockoutFailuresMax);

  // The right password now gets the wrong password's answer and opens nothing.
  const sessionsBefore = await sessionsOf(database.db, user.id);
  const right = await attacker.post('/logon', { ...guess, password: person.loginPassword });
  const wrong = await attacker.post('/logon', { ...guess, password: 'StillWrong2026' });
  assert.equal(right.statusCode, wrong.statusCode);
  assert.equal(errorCode(right.body), 'AUTH_LOGON_FAILED');
  assert.equal(errorCode(right.body), errorCode(wrong.body));
  assert.equal(withoutTokens(right.body), withoutTokens(wrong.body));
  assert.equal(withoutTokens(right.body), withoutTokens(answers[0]!.body));
  assert.ok(!right.cookies.some((c) => c.name === sessionCookie && c.value !== ''), 'no session cookie is handed out');
  assert.deepEqual(await sessionsOf(database.db, user.id), sessionsBefore, 'no session is created');
  const unknown = await attacker.post('/logon', { ...guess, userId: 'nobody', password: person.loginPassword });
  assert.equal(unknown.statusCode, right.statusCode);
  assert.equal(errorCode(unknown.body), errorCode(right.body));
});

test('fifty parallel wrong grid answers after a right password evaluate at most seven and leave it stopped', { skip: needsPostgres }, async () => {
  const { person, user } = await activeMaster(deps, app);
  const before = await logonAudit(database.db, user.id);
  const thief = new Client(app, { ip: '198.51.100.77' });
  await thief.get('/logon');
  const passed = await thief.post('/logon', { contractId: person.contractId, userId: person.userId, password: person.loginPassword });
  assert.equal(passed.headers.location, '/logon/grid');
  const grid = await thief.get('/logon/grid');
  const wrong = wrongGridAnswerFields(grid.body, person.digits);
  const challengesShown = await challengesOf(user.id);

  const answers = await Promise.all(Array.from({ length: attackers }, () => thief.post('/logon/grid', wrong)));
  for (const answer of answers) {
    // A request that arrives after the stop has ended the pending session is sent back to the logon page.
    if (answer.statusCode === 303) assert.equal(answer.headers.location, '/logon?ended=stopped');
    else {
      assert.equal(answer.statusCode, 401);
      assert.equal(errorCode(answer.body), 'AUTH_GRID_FAILED');
    }
  }

  const audit = await logonAudit(database.db, user.id);
  const evaluated = (audit.reasons.wrong_grid_answer ?? 0) - (before.reasons.wrong_grid_answer ?? 0);
  assert.ok(evaluated >= 1 && evaluated <= lockoutFailuresMax, `${evaluated} wrong grid answers were evaluated`);
  assert.equal(audit.successes, before.successes, 'no logon completed');
  assert.ok((await personRow(database.db, person)).stopped_at, 'the person is stopped');
  assert.equal((await sessionsOf(database.db, user.id)).live, 0, 'the stop ends the pending session');

  // R3.2: all fifty were judged against the challenge shown; none drew new cells from the card.
  assert.equal(await challengesOf(user.id), challengesShown);

  const again = await logon(new Client(app), person);
  assert.equal(again.statusCode, 401);
  assert.equal(errorCode(again.body), 'AUTH_LOGON_FAILED');
});

async function challengesOf(userRef: number): Promise<number> {
  const rows = await database.db
    .selectFrom('grid_challenge')
    .innerJoin('grid_card', 'grid_card.id', 'grid_challenge.card_id')
    .select('grid_challenge.id')
    .where('grid_card.user_ref', '=', userRef)
    .execute();
  return rows.length;
}
