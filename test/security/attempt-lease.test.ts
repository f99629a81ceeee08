import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult, RootOperationNode, UnknownRow } from 'kysely';
import { attemptLeaseSeconds, customerHolder, lockoutFailuresMax, releaseAttempt, reserveAttempt, staffHolder, type SecretHolder } from '../../src/access/attempts.ts';
import { checkSecret } from '../../src/access/check-secret.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { Client, errorCode } from '../helpers/client.ts';
import { logon } from '../helpers/people.ts';
import { activeMaster, passwordStep, startApp, userRow, type TestApp } from '../helpers/http-app.ts';
import { newStaff, passwordStep as staffPasswordStep, startConsole, type TestConsole } from '../operator/console-support.ts';
import type { Deps } from '../../src/deps.ts';

/**
 * Decision 0024: a reserved attempt (decision 0001) is a lease. A process killed between the
 * reservation and its outcome leaves the reservation behind; it gates like any attempt in flight
 * until `attemptLeaseSeconds` have passed, and is then as if never made: the person is charged no
 * failure they did not make (R2.3), and nobody needs to correct the row.
 *
 * A killed process is played by reserving without ever giving an outcome; the fake clock moves
 * past the lease. Every request waits for nothing (ATTEMPTS_BUSY_WAIT_MS 0), so a gated one is
 * answered busy at once.
 */
let database: TestDatabase;
let portal: TestApp;
let console_: TestConsole;
before(async () => {
  database = await createTestDatabase();
  portal = await startApp(database.db, { ATTEMPTS_BUSY_WAIT_MS: '0' });
  console_ = await startConsole(database.db, { ATTEMPTS_BUSY_WAIT_MS: '0' });
});
after(async () => {
  await portal.app.close();
  await console_.app.close();
  await database.drop();
});

/** Reservations a killed process left: reserved, never given an outcome. */
async function leftByKilledProcess(deps: Deps, holder: SecretHolder, count: number): Promise<void> {
  for (let i = 0; i < count; i++) assert.ok(await reserveAttempt(deps.db, holder, deps.clock.now()), `reservation ${i + 1}`);
}

async function customer() {
  const { person } = await activeMaster(portal);
  const user = await userRow(portal.deps, person);
  return { person, holder: customerHolder(user) };
}

test('seven reservations left by a killed process gate the person until their lease passes, then charge nothing', async () => {
  const { person, holder } = await customer();
  await leftByKilledProcess(portal.deps, holder, lockoutFailuresMax);

  const gated = await passwordStep(new Client(portal.app), person);
  assert.equal(errorCode(gated.body), 'ATTEMPTS_BUSY', 'within the lease the seven still count: nothing is evaluated');
  portal.deps.clock.advanceSeconds(attemptLeaseSeconds - 1);
  assert.equal(errorCode((await passwordStep(new Client(portal.app), person)).body), 'ATTEMPTS_BUSY', 'one second before the lease ends');

  portal.deps.clock.advanceSeconds(1);
  const done = await logon(new Client(portal.app), person);
  assert.equal(done.headers.location, '/status', 'once the lease has passed, the right secrets log on');
  const row = await userRow(portal.deps, person);
  assert.deepEqual({ failures: row.failed_attempts, inFlight: row.attempts_in_flight, stopped: row.stopped_at }, { failures: 0, inFlight: 0, stopped: null });
});

test('a reservation left by a killed process never becomes a failure: the stop still needs seven wrong secrets', async () => {
  const { person, holder } = await customer();
  const leftOver = 2;
  await leftByKilledProcess(portal.deps, holder, leftOver);
  const wrong = () => passwordStep(new Client(portal.app), person, 'Wrong2026pass');
  for (let i = 0; i < lockoutFailuresMax - leftOver; i++) assert.equal(errorCode((await wrong()).body), 'AUTH_LOGON_FAILED');
  assert.equal(errorCode((await wrong()).body), 'ATTEMPTS_BUSY', 'five failures and the two left over fill the seven');
  assert.equal((await userRow(portal.deps, person)).stopped_at, null);

  portal.deps.clock.advanceSeconds(attemptLeaseSeconds);
  assert.equal(errorCode((await wrong()).body), 'AUTH_LOGON_FAILED');
  const six = await userRow(portal.deps, person);
  assert.deepEqual({ failures: six.failed_attempts, stopped: six.stopped_at }, { failures: lockoutFailuresMax - 1, stopped: null }, 'six wrong secrets, no stop');
  assert.equal(errorCode((await wrong()).body), 'AUTH_LOGON_FAILED');
  const seven = await userRow(portal.deps, person);
  assert.equal(seven.failed_attempts, lockoutFailuresMax);
  assert.notEqual(seven.stopped_at, null, 'the seventh wrong secret stops');
});

test('the outcome that comes after its lease has passed gives back nothing of the reservations made since', async () => {
  const { holder } = await customer();
  const late = await reserveAttempt(portal.deps.db, holder, portal.deps.clock.now());
  assert.ok(late);
  portal.deps.clock.advanceSeconds(attemptLeaseSeconds);
  await leftByKilledProcess(portal.deps, holder, lockoutFailuresMax);
  await releaseAttempt(portal.deps.db, late);
  assert.equal(await reserveAttempt(portal.deps.db, holder, portal.deps.clock.now()), undefined, 'the seven reserved since still fill the gate');
});

test('a staff member\'s reservations left by a killed process gate until their lease passes, then charge nothing', async () => {
  const member = await newStaff(console_.deps, 'approver');
  const staff = await console_.deps.db.selectFrom('staff').selectAll().where('login_id', '=', member.login).executeTakeFirstOrThrow();
  await leftByKilledProcess(console_.deps, staffHolder(staff), lockoutFailuresMax);
  assert.equal(errorCode((await staffPasswordStep(new Client(console_.app), member)).body), 'ATTEMPTS_BUSY');

  console_.deps.clock.advanceSeconds(attemptLeaseSeconds);
  assert.equal((await staffPasswordStep(new Client(console_.app), member)).headers.location, '/operator/logon/totp');
  const row = await console_.deps.db.selectFrom('staff').selectAll().where('id', '=', staff.id).executeTakeFirstOrThrow();
  assert.deepEqual({ failures: row.failed_attempts, inFlight: row.attempts_in_flight, stopped: row.stopped_at }, { failures: 0, inFlight: 0, stopped: null });
});

/** The database failing (as a process dies) at the statement that records a person's stop. */
function failingAtTheStop(deps: Deps): Deps {
  const plugin: KyselyPlugin = {
    transformQuery({ node }: PluginTransformQueryArgs): RootOperationNode {
      if (node.kind === 'UpdateQueryNode' && JSON.stringify(node.updates).includes('"stopped_at"')) throw new Error('the process died here');
      return node;
    },
    transformResult: async ({ result }: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> => result,
  };
  return { ...deps, db: deps.db.withPlugin(plugin) };
}

test('the seventh failure and its stop commit together: no crash between them leaves seven failures that nobody can lift', async () => {
  const { person, holder } = await customer();
  await portal.deps.db.updateTable('users').set({ failed_attempts: lockoutFailuresMax - 1 }).where('contract_id', '=', person.contractId).where('user_id', '=', person.userId).execute();
  const check = { holder, context: { ip: '192.0.2.60' }, verify: () => false, recordBusy: async () => assert.fail('not busy') };
  await assert.rejects(checkSecret(failingAtTheStop(portal.deps), check), /the process died here/);
  const after = await userRow(portal.deps, person);
  assert.deepEqual({ failures: after.failed_attempts, stopped: after.stopped_at }, { failures: lockoutFailuresMax - 1, stopped: null }, 'the failure went with the stop');

  portal.deps.clock.advanceSeconds(attemptLeaseSeconds);
  assert.equal(await checkSecret(portal.deps, check), 'wrong');
  assert.notEqual((await userRow(portal.deps, person)).stopped_at, null, 'the next wrong secret is the seventh, and stops');
});
