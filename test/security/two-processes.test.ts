import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { buildApp } from '../../src/app.ts';
import { FakeClock } from '../../src/platform/clock.ts';
import { lockoutFailuresMax } from '../../src/access/attempts.ts';
import { createTestDatabase, needsPostgres, onPostgres, type TestDatabase } from '../helpers/database.ts';
import { testDeps, testKeyringSpec } from '../helpers/deps.ts';
import { Client, errorCode } from '../helpers/client.ts';
import { completeFirstLogon, gridAnswerFields, onboardMaster, type TestPerson } from '../helpers/people.ts';
import { dropWhenClosed, logonAudit, personRow, sessionCookie } from './attack-helpers.ts';
import { HttpsClient, type HttpsAnswer } from '../helpers/https-client.ts';
import { startServiceProcess, type ServiceProcess } from '../helpers/service-process.ts';

/**
 * All state lives in PostgreSQL (DESIGN §1): two service processes on one database must agree on
 * who is logged on and who is stopped, or running more of them would weaken R2.3 and R7.1.
 */
let database: TestDatabase | undefined;
const services: ServiceProcess[] = [];
const clients: HttpsClient[] = [];

before(async () => {
  if (!onPostgres) return;
  database = await createTestDatabase();
  const env = {
    DATABASE_URL: database.url!,
    ENCRYPTION_KEYS: testKeyringSpec, // both processes, and the onboarding below, seal and open grid cards with one key
    SEED_DEMO: 'false',
    LOG_LEVEL: 'warn',
    LOGON_RATE_PER_MINUTE: '1000',
  };
  const started = await Promise.allSettled([startServiceProcess(env), startServiceProcess(env)]);
  for (const result of started) if (result.status === 'fulfilled') services.push(result.value);
  const failed = started.find((r) => r.status === 'rejected');
  if (failed) throw (failed as PromiseRejectedResult).reason;
});

after(async () => {
  for (const client of clients) client.close();
  await Promise.all(services.map((s) => s.stop()));
  await dropWhenClosed(database);
});

function browser(): HttpsClient {
  const client = new HttpsClient();
  clients.push(client);
  return client;
}

async function passwordStep(client: HttpsClient, base: string, person: TestPerson, password: string): Promise<HttpsAnswer> {
  await client.get(base, '/logon');
  return client.post(base, '/logon', { contractId: person.contractId, userId: person.userId, password });
}

async function gridStep(client: HttpsClient, base: string, person: TestPerson): Promise<HttpsAnswer> {
  const grid = await client.get(base, '/logon/grid');
  assert.equal(grid.status, 200, `the grid page: ${grid.location ?? ''}`);
  return client.post(base, '/logon/grid', gridAnswerFields(grid.body, person.digits));
}

test('two service processes on one database share lockouts and sessions', { skip: needsPostgres }, async () => {
  const [a, b] = services as [ServiceProcess, ServiceProcess];
  const { db } = database!;
  // The processes run on the system clock: the onboarding's clock starts at the same moment.
  const deps = testDeps(db, { clock: new FakeClock(new Date()) });
  const app = await buildApp(deps, { logger: false });
  const person = await onboardMaster(deps);
  await completeFirstLogon(new Client(app), deps, person);
  await app.close();
  const user = await personRow(db, person);

  // R7.1: a logon begun on A completes on B, and the session it makes works on both.
  const owner = browser();
  assert.equal((await passwordStep(owner, a.base, person, person.loginPassword)).location, '/logon/grid');
  assert.equal((await gridStep(owner, b.base, person)).location, '/status');
  for (const base of [a.base, b.base]) {
    const status = await owner.get(base, '/status');
    assert.equal(status.status, 200, `status on ${base}: ${a.output()}${b.output()}`);
    assert.match(status.body, new RegExp(`<dd>${person.contractId}</dd>`));
  }

  // Logging off on B ends the session on A.
  const token = owner.cookies.get(sessionCookie)!;
  const out = await owner.post(b.base, '/logout', {});
  assert.equal(out.location, '/logon?ended=logout');
  owner.cookies.set(sessionCookie, token);
  const replayed = await owner.get(a.base, '/status');
  assert.equal(replayed.status, 303);
  assert.match(replayed.location ?? '', /^\/logon/);

  // R2.3: the count of wrong passwords is one count, whichever process takes them.
  const victim = browser();
  await passwordStep(victim, a.base, person, person.loginPassword);
  assert.equal((await gridStep(victim, a.base, person)).location, '/status');
  const victimToken = victim.cookies.get(sessionCookie)!;
  const attacker = browser();
  const wrongOn = async (base: string, i: number) => {
    const answer = await passwordStep(attacker, base, person, `Wrong${i}pass2026`);
    assert.equal(answer.status, 401);
    assert.equal(errorCode(answer.body), 'AUTH_LOGON_FAILED');
  };
  for (let i = 0; i < 4; i++) await wrongOn(a.base, i);
  for (let i = 4; i < lockoutFailuresMax - 1; i++) await wrongOn(b.base, i);
  assert.equal((await personRow(db, person)).stopped_at, null, 'six wrong passwords do not stop the person yet');
  await wrongOn(b.base, lockoutFailuresMax);
  assert.ok((await personRow(db, person)).stopped_at, 'the seventh, four on A and three on B, stops the person');

  // The stop ends the victim's live session on both, and the right password opens nothing on either.
  for (const base of [a.base, b.base]) {
    victim.cookies.set(sessionCookie, victimToken);
    const status = await victim.get(base, '/status');
    assert.equal(status.status, 303);
    assert.equal(status.location, '/logon?ended=stopped');
    victim.cookies.delete(sessionCookie);
    const right = await passwordStep(victim, base, person, person.loginPassword);
    assert.equal(right.status, 401);
    assert.equal(errorCode(right.body), 'AUTH_LOGON_FAILED');
    assert.equal(victim.cookies.get(sessionCookie), undefined);
  }
  const audit = await logonAudit(db, user.id);
  assert.equal(audit.reasons.wrong_password, lockoutFailuresMax);
  assert.equal(audit.reasons.stopped, 2);
});
