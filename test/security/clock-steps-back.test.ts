import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { Client, errorCode } from '../helpers/client.ts';
import { activeMaster, passwordStep, startApp, userRow, type TestApp } from '../helpers/http-app.ts';
import { gridAnswerFields } from '../helpers/people.ts';
import { lastOneTimePassword } from '../helpers/people.ts';
import { sessionCookie, sessionsOf } from './attack-helpers.ts';
import type { Deps } from '../../src/deps.ts';
import type { FakeClock } from '../../src/platform/clock.ts';
import { consumeChallengeAndReset } from '../../src/modules/logon/grid-challenge.ts';
import { customerHolder } from '../../src/access/attempts.ts';
import { canonicalDigest } from '../../src/access/email-otp/digest.ts';
import { enterCode } from '../../src/access/email-otp/check.ts';
import { sendChallenge } from '../../src/access/email-otp/send.ts';
import { activateToken } from '../../src/access/hardware-token/activate.ts';
import { confirmWithToken, tokenFailuresMax } from '../../src/access/hardware-token/check.ts';
import { resetStaffSecrets } from '../../src/operator/staff/accounts.ts';
import { addContract, addPerson } from '../transfers/fixtures.ts';
import { assignedToken, codeOf, liveOf, refusal, tokenContext, userById, wrongCodeOf } from '../tokens/support.ts';
import { currentCode, newStaff, ownPassword, passwordStep as staffPasswordStep, staffLogon, startConsole, type TestConsole } from '../operator/console-support.ts';

/**
 * The server's clock steps back an hour (NTP correcting a clock that ran ahead, a mistaken manual
 * setting, a process started after the step). Nothing used may open again and no stop may lift:
 * each single-use thing is spent by a mark, never by a time, and what is judged by time (a session's
 * idle end, a rate-limit window) does not restart at the earlier time. Each test uses the thing,
 * sets the clock back and tries again.
 */
const hourSeconds = 3600;
let database: TestDatabase;
let portal: TestApp;
let console_: TestConsole;
before(async () => {
  database = await createTestDatabase();
  portal = await startApp(database.db);
  console_ = await startConsole(database.db);
});
after(async () => {
  await console_.app.close();
  await portal.app.close();
  await database.drop();
});

/** Back an hour; the test's own timeline then goes on from there. */
function stepBack(clock: FakeClock): void {
  clock.advanceSeconds(-hourSeconds);
}

test('R1.3, R3.2: a grid challenge answered and a registration password used stay used when the clock steps back an hour', async () => {
  const { deps, app } = portal;
  const { person } = await activeMaster(portal);
  const client = new Client(app);
  await passwordStep(client, person);
  const pending = client.cookies.get(sessionCookie)!;
  const grid = await client.get('/logon/grid');
  const pendingCsrf = client.csrf;
  const answer = gridAnswerFields(grid.body, person.digits);
  const pendingId = pending.split('.')[0]!;
  const { grid_challenge_id: challengeId } = await deps.db.selectFrom('session').select('grid_challenge_id').where('id', '=', pendingId).executeTakeFirstOrThrow();
  assert.equal((await client.post('/logon/grid', answer)).headers.location, '/status');
  const user = await userRow(deps, person);
  const sessions = await sessionsOf(deps.db, user.id);

  stepBack(deps.clock);
  const replayer = new Client(app);
  replayer.cookies.set(sessionCookie, pending);
  const replay = await replayer.post('/logon/grid', answer, { csrf: pendingCsrf });
  assert.equal(replay.statusCode, 303);
  assert.match(String(replay.headers.location), /^\/(logon|status)/);
  assert.deepEqual(await sessionsOf(deps.db, user.id), sessions, 'no session is made');
  assert.equal(await consumeChallengeAndReset(deps.db, challengeId!, user.id, { holder: customerHolder(user), batchAt: deps.clock.now() }, deps.clock.now()), false, 'the challenge cannot be consumed again');
  const withRegistration = await passwordStep(new Client(app), person, person.registrationPassword);
  assert.equal(withRegistration.statusCode, 401, 'the registration password, spent at the setup, stays spent');
  assert.equal(errorCode(withRegistration.body), 'AUTH_LOGON_FAILED');
});

test('R5.4: an email one-time password used once stays used when the clock steps back an hour', async () => {
  const deps = portal.deps;
  const { contractId } = await addContract(deps);
  const actor = await addPerson(deps, contractId, { register: true, send: true });
  const owner = { user: actor.user, context: tokenContext };
  const target = { purpose: 'transfer' as const, subject: `clock:${actor.user.id}`, digest: canonicalDigest('transfer', { amountYen: '40000' }) };
  await sendChallenge(deps, owner, target, actor.user.otp_email!, { subject: 'transfers.otpMail.subject', intro: 'transfers.otpMail.intro', details: [] });
  const code = await lastOneTimePassword(deps, actor.user.otp_email!);
  assert.equal(await enterCode(deps, owner, target, code, async () => 'used'), 'used');

  stepBack(deps.clock);
  assert.equal(await refusal(enterCode(deps, owner, target, code, async () => 'used again')), 'EMAIL_OTP_USED');
});

test('R6.6, R6.8: a token time step used stays used, and a token stop stays, when the clock steps back an hour', async () => {
  const deps = portal.deps as Deps & { clock: FakeClock };
  const { contractId } = await addContract(deps);
  const sender = (await addPerson(deps, contractId, { register: true, send: true })).user;
  const token = await assignedToken(deps, contractId);
  const usedAt = deps.clock.now();
  await activateToken(deps, await liveOf(deps, sender.id), token.serial, codeOf(token, usedAt), tokenContext);
  const entry = { user: await userById(deps, sender.id), context: tokenContext, action: 'clock.test' };

  stepBack(deps.clock);
  // The code the token would have shown an hour ago: a step before the one spent, refused as used.
  assert.equal(await refusal(confirmWithToken(deps, entry, codeOf(token, deps.clock.now()))), 'TOKEN_CODE_USED');
  assert.notEqual(await refusal(confirmWithToken(deps, entry, codeOf(token, usedAt))), 'accepted', 'the step spent is not accepted again');

  for (let i = 0; i < tokenFailuresMax; i++) await refusal(confirmWithToken(deps, { ...entry, user: await userById(deps, sender.id) }, wrongCodeOf(token, deps.clock.now())));
  const stopped = await userById(deps, sender.id);
  assert.notEqual(stopped.token_stopped_at, null);
  stepBack(deps.clock);
  assert.equal(await refusal(confirmWithToken(deps, { ...entry, user: await userById(deps, sender.id) }, codeOf(token, deps.clock.now()))), 'TOKEN_STOPPED');
});

test('R2.3: a stop stays until a person lifts it when the clock steps back an hour', async () => {
  const { deps, app } = portal;
  const { person } = await activeMaster(portal);
  for (let i = 0; i < 7; i++) assert.equal((await passwordStep(new Client(app), person, 'Wrong2026pass')).statusCode, 401);
  const stoppedAt = (await userRow(deps, person)).stopped_at;
  assert.notEqual(stoppedAt, null);

  stepBack(deps.clock);
  const refused = await passwordStep(new Client(app), person);
  assert.equal(refused.statusCode, 401);
  assert.equal(errorCode(refused.body), 'AUTH_LOGON_FAILED');
  assert.deepEqual((await userRow(deps, person)).stopped_at, stoppedAt);
});

test('R7.1: an ended session stays ended, and one past its idle end does not open again, when the clock steps back an hour', async () => {
  const { deps, app } = portal;
  const { client: loggedOut } = await activeMaster(portal);
  const ended = loggedOut.cookies.get(sessionCookie)!;
  await loggedOut.get('/status');
  assert.equal((await loggedOut.post('/logout', {})).headers.location, '/logon?ended=logout');

  const { person, client: idle } = await activeMaster(portal);
  const idleToken = idle.cookies.get(sessionCookie)!;
  deps.clock.advanceSeconds(deps.config.sessionIdleSeconds + 60);
  stepBack(deps.clock);

  const replayed = new Client(app);
  replayed.cookies.set(sessionCookie, ended);
  assert.match(String((await replayed.get('/status')).headers.location), /^\/logon/);
  const resumed = await idle.get('/status');
  assert.equal(resumed.statusCode, 303, 'the idle session is not reopened');
  assert.match(String(resumed.headers.location), /^\/logon/);
  const row = await deps.db.selectFrom('session').select(['ended_at', 'end_reason']).where('id', '=', idleToken.split('.')[0]!).executeTakeFirstOrThrow();
  assert.notEqual(row.ended_at, null);
  assert.equal(row.end_reason, 'clock');

  // The person logs on again at the clock as it now stands.
  const again = new Client(app);
  await passwordStep(again, person);
  const grid = await again.get('/logon/grid');
  assert.equal((await again.post('/logon/grid', gridAnswerFields(grid.body, person.digits))).headers.location, '/status');
  assert.equal((await again.get('/status')).statusCode, 200);
});

test('R2.4: an address the logon rate limit refused stays refused when the clock steps back an hour; another address is not', async () => {
  const limited = await startApp(database.db, { LOGON_RATE_PER_MINUTE: '3' });
  try {
    const attempt = (ip: string) => passwordStep(new Client(limited.app, { ip }), { contractId: '12345678903', userId: 'nobody', registrationPassword: '', digits: '', loginPassword: 'Wrong2026pass', confirmationPassword: '', email: '' });
    for (let i = 0; i < 3; i++) assert.equal((await attempt('198.51.100.61')).statusCode, 401);
    assert.equal((await attempt('198.51.100.61')).statusCode, 429);
    const refusedAt = limited.deps.clock.now();

    stepBack(limited.deps.clock);
    assert.equal((await attempt('198.51.100.61')).statusCode, 429, 'the used-up window still counts');
    assert.equal((await attempt('198.51.100.62')).statusCode, 401, 'an address within the limit is admitted');

    limited.deps.clock.set(new Date(refusedAt.getTime() + 60_000));
    assert.equal((await attempt('198.51.100.61')).statusCode, 401, 'admitted again once the clock has passed the window');
  } finally {
    await limited.app.close();
  }
});

test('operator console: a used authenticator step, a replaced reset password and an idle session stay refused when the clock steps back an hour', async () => {
  const t = console_;
  const member = await newStaff(t.deps, 'recorder');
  await staffLogon(t, member);
  // IT resets the member's secrets; the member logs on with them and replaces the password.
  const reset = await resetStaffSecrets(t.deps, { login: member.login, operator: 'test' });
  t.deps.clock.advanceSeconds(30);
  const client = new Client(t.app, { ip: '10.20.0.5' });
  assert.equal((await staffPasswordStep(client, reset, reset.initialPassword)).headers.location, '/operator/logon/totp');
  await client.get('/operator/logon/totp');
  const usedCode = currentCode(t.deps, reset);
  assert.equal((await client.post('/operator/logon/totp', { code: usedCode })).headers.location, '/operator/logon/password');
  await ownPassword(client, reset);
  assert.equal((await client.get('/operator/contracts')).statusCode, 200);
  t.deps.clock.advanceSeconds(t.deps.config.operatorSessionIdleSeconds + 60);

  stepBack(t.deps.clock);
  assert.match(String((await client.get('/operator/contracts')).headers.location), /^\/operator\/logon/, 'the idle session is not reopened');
  const withReset = await staffPasswordStep(new Client(t.app, { ip: '10.20.0.5' }), reset, reset.initialPassword);
  assert.equal(errorCode(withReset.body), 'OPERATOR_LOGON_FAILED', 'the reset password, replaced, stays refused');
  for (const code of [currentCode(t.deps, reset), usedCode]) {
    const next = new Client(t.app, { ip: '10.20.0.5' });
    assert.equal((await staffPasswordStep(next, reset)).headers.location, '/operator/logon/totp');
    await next.get('/operator/logon/totp');
    const refused = await next.post('/operator/logon/totp', { code });
    assert.equal(errorCode(refused.body), 'OPERATOR_TOTP_FAILED', 'no step at or before the one used is accepted');
  }
});
