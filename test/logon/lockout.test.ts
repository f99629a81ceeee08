import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { Client, errorCode } from '../helpers/client.ts';
import { logon, wrongGridAnswerFields, type TestPerson } from '../helpers/people.ts';
import { contractIdFrom } from '../../src/domain/contract-id.ts';
import { liftStop } from '../../src/modules/contracts/service.ts';
import { activeMaster, addUser, appForFile, contractRow, outboxTo, passwordStep, startApp, userRow } from '../helpers/http-app.ts';
import { pruneLogonCounters, recordRefusalTotals, refusalMinuteClosedSeconds, refusalRowsKeptDays } from '../../src/access/logon-refusals.ts';
import { verifyAuditChain } from '../../src/audit/verify.ts';
import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult, RootOperationNode, UnknownRow } from 'kysely';
import type { Db } from '../../src/db/open.ts';
import { customerHolder, lockoutFailuresMax } from '../../src/access/attempts.ts';
import { checkSecret } from '../../src/access/check-secret.ts';
import { translator } from '../../src/web/i18n/index.ts';

const t = appForFile();

const wrongPassword = 'Wrong2026pass';

/** R2.3: seven wrong passwords in a row, each from a fresh browser as an attacker would send them. */
async function stop(person: TestPerson): Promise<void> {
  for (let i = 0; i < 7; i++) assert.equal((await passwordStep(new Client(t.app), person, wrongPassword)).statusCode, 401);
  assert.notEqual((await userRow(t.deps, person)).stopped_at, null);
}

function liftByOperator(person: TestPerson) {
  return liftStop(t.deps, { contractId: person.contractId, userId: person.userId, operator: 'test' });
}

/** The logon page as an outsider sees it, with this browser's CSRF token and the echoed IDs blanked. */
function comparable(response: LightMyRequestResponse): string {
  return response.body
    .replace(/(name="_csrf" value=")[^"]*"/g, '$1"')
    .replace(/(name="(?:contractId|userId)" type="text" value=")[^"]*"/g, '$1"');
}

test('R2.3: seven consecutive wrong secrets, passwords mixed with grid answers, stop the person; six do not', async () => {
  const { person } = await activeMaster(t);
  const attacker = new Client(t.app);
  for (let i = 0; i < 2; i++) await passwordStep(attacker, person, wrongPassword);
  const grid = new Client(t.app);
  await passwordStep(grid, person);
  await grid.get('/logon/grid');
  for (let i = 0; i < 2; i++) await grid.post('/logon/grid', wrongGridAnswerFields(grid.lastPage, person.digits));
  for (let i = 0; i < 2; i++) await passwordStep(attacker, person, wrongPassword);
  const six = await userRow(t.deps, person);
  assert.equal(six.failed_attempts, 6);
  assert.equal(six.stopped_at, null, 'six wrong entries do not stop');

  const seventh = await grid.post('/logon/grid', wrongGridAnswerFields(grid.lastPage, person.digits));
  assert.equal(errorCode(seventh.body), 'AUTH_GRID_FAILED');
  assert.notEqual((await userRow(t.deps, person)).stopped_at, null, 'the seventh stops');
  assert.equal((await grid.get('/logon/grid')).headers.location, '/logon?ended=stopped');

  const right = await passwordStep(new Client(t.app), person);
  assert.equal(right.statusCode, 401);
  assert.equal(errorCode(right.body), 'AUTH_LOGON_FAILED', 'the right password no longer opens anything');
});

test('R2.3: a completed logon resets the count, so failures spread over logons never stop the person', async () => {
  const { person } = await activeMaster(t);
  for (let round = 0; round < 3; round++) {
    for (let i = 0; i < 6; i++) await passwordStep(new Client(t.app), person, wrongPassword);
    assert.equal((await logon(new Client(t.app), person)).headers.location, '/status');
  }
  const row = await userRow(t.deps, person);
  assert.equal(row.stopped_at, null);
  assert.equal(row.failed_attempts, 0);
});

test('R2.4: a wrong password, an unknown contract, an unknown user and a stopped person get one and the same answer', async () => {
  const { person } = await activeMaster(t);
  const { person: stopped } = await activeMaster(t);
  await stop(stopped);
  let unknownContract = contractIdFrom('9876543210');
  if (unknownContract === person.contractId || unknownContract === stopped.contractId) unknownContract = contractIdFrom('9876543211');

  const attempt = (contractId: string, userId: string, password: string) =>
    passwordStep(new Client(t.app), { ...person, contractId, userId }, password);
  const answers = {
    wrongPassword: await attempt(person.contractId, person.userId, wrongPassword),
    unknownContract: await attempt(unknownContract, person.userId, person.loginPassword),
    unknownUser: await attempt(person.contractId, 'nobody1', person.loginPassword),
    stoppedWithRightPassword: await attempt(stopped.contractId, stopped.userId, stopped.loginPassword),
    stoppedWithWrongPassword: await attempt(stopped.contractId, stopped.userId, wrongPassword),
  };
  const reference = answers.wrongPassword;
  assert.equal(reference.statusCode, 401);
  assert.equal(errorCode(reference.body), 'AUTH_LOGON_FAILED');
  for (const [name, answer] of Object.entries(answers)) {
    assert.equal(answer.statusCode, reference.statusCode, name);
    assert.equal(errorCode(answer.body), 'AUTH_LOGON_FAILED', name);
    assert.equal(comparable(answer), comparable(reference), name);
    assert.deepEqual(Object.keys(answer.headers).sort(), Object.keys(reference.headers).sort(), name);
    assert.equal(answer.headers['set-cookie'], undefined, `${name}: no cookie tells them apart`);
  }
  assert.equal((await userRow(t.deps, person)).failed_attempts, 1, 'only the wrong password counted against the person');
});

test('R2.3: a stop is emailed to the person and to the master', async () => {
  const { person: master } = await activeMaster(t);
  const user = await addUser(t.deps, master.contractId);
  await stop(user);
  assert.equal((await outboxTo(t.deps, user.email, 'mail.stopped.subject')).length, 1, 'to the stopped user');
  assert.equal((await outboxTo(t.deps, master.email, 'mail.stopped.subject')).length, 1, 'to the master');
  const [notice] = await outboxTo(t.deps, master.email, 'mail.stopped.subject');
  assert.ok(notice!.body.includes(user.userId), 'the notice names who was stopped');

  await stop(master);
  assert.equal((await outboxTo(t.deps, master.email, 'mail.stopped.subject')).length, 2, 'a stopped master is told once more, not twice');
});

test('R2.3: a stop ends the person\'s live sessions at once', async () => {
  const { person, client: live } = await activeMaster(t);
  assert.equal((await live.get('/status')).statusCode, 200);
  await stop(person);
  const told = await live.get('/status');
  assert.equal(told.headers.location, '/logon?ended=stopped');
  const post = await live.post('/settings/email', { email: 'after-stop@customer.example' });
  assert.match(String(post.headers.location), /^\/logon/);
  assert.equal((await outboxTo(t.deps, 'after-stop@customer.example')).length, 0);
});

test('R2.3 not linked: a stopped user stops only that user; a stopped master stops the whole contract until the operator lifts it', async () => {
  const { person: master, client: masterSession } = await activeMaster(t, { lockMode: 'unlinked' });
  const stoppedUser = await addUser(t.deps, master.contractId);
  const otherUser = await addUser(t.deps, master.contractId);
  const otherSession = new Client(t.app);
  assert.equal((await logon(otherSession, otherUser)).headers.location, '/status');

  await stop(stoppedUser);
  assert.equal((await contractRow(t.deps, master.contractId)).stopped_at, null, 'a user\'s stop leaves the contract alone');
  assert.equal((await masterSession.get('/status')).statusCode, 200);
  assert.equal((await otherSession.get('/status')).statusCode, 200);

  await stop(master);
  assert.notEqual((await contractRow(t.deps, master.contractId)).stopped_at, null, 'the master\'s stop stops the contract');
  assert.equal((await otherSession.get('/status')).headers.location, '/logon?ended=stopped', 'every user of the contract is stopped');
  const refused = await passwordStep(new Client(t.app), otherUser);
  assert.equal(errorCode(refused.body), 'AUTH_CONTRACT_STOPPED', 'after the right password, the contract\'s stop is named');

  assert.deepEqual(await liftByOperator(master), { lifted: true });
  assert.equal((await contractRow(t.deps, master.contractId)).stopped_at, null);
  assert.equal((await logon(new Client(t.app), master)).headers.location, '/status');
  assert.equal((await logon(new Client(t.app), otherUser)).headers.location, '/status');
  assert.equal(errorCode((await passwordStep(new Client(t.app), stoppedUser)).body), 'AUTH_LOGON_FAILED', 'a user\'s own stop stays');
});

test('R2.3 not linked: lifting a user\'s own stop leaves the contract stopped while its master is stopped', async () => {
  const { person: master } = await activeMaster(t, { lockMode: 'unlinked' });
  const user = await addUser(t.deps, master.contractId);
  const bystander = await addUser(t.deps, master.contractId);
  await stop(user);
  await stop(master);

  assert.deepEqual(await liftByOperator(user), { lifted: true });
  assert.notEqual((await contractRow(t.deps, master.contractId)).stopped_at, null, 'only the master\'s lift releases the contract');
  assert.equal(errorCode((await passwordStep(new Client(t.app), bystander)).body), 'AUTH_CONTRACT_STOPPED');
  assert.equal(errorCode((await passwordStep(new Client(t.app), user)).body), 'AUTH_CONTRACT_STOPPED', 'lifted on their own, stopped with the contract');

  assert.deepEqual(await liftByOperator(master), { lifted: true });
  assert.equal((await logon(new Client(t.app), bystander)).headers.location, '/status');
});

test('R2.3 linked: any person\'s stop stops every service of the contract; the operator\'s lift restores logon', async () => {
  const { person: master, client: masterSession } = await activeMaster(t, { lockMode: 'linked' });
  const user = await addUser(t.deps, master.contractId);
  await stop(user);
  assert.notEqual((await contractRow(t.deps, master.contractId)).stopped_at, null);
  assert.equal((await masterSession.get('/status')).headers.location, '/logon?ended=stopped');
  assert.equal(errorCode((await passwordStep(new Client(t.app), master)).body), 'AUTH_CONTRACT_STOPPED');
  assert.equal((await outboxTo(t.deps, master.email, 'mail.stopped.subject')).length, 1);

  assert.deepEqual(await liftByOperator(user), { lifted: true });
  assert.equal((await logon(new Client(t.app), master)).headers.location, '/status');
  assert.equal((await logon(new Client(t.app), user)).headers.location, '/status');
});

test('R2.3: the lock mode is stored per contract', async () => {
  const { person: linked } = await activeMaster(t, { lockMode: 'linked' });
  const { person: unlinked } = await activeMaster(t, { lockMode: 'unlinked' });
  assert.equal((await contractRow(t.deps, linked.contractId)).lock_mode, 'linked');
  assert.equal((await contractRow(t.deps, unlinked.contractId)).lock_mode, 'unlinked');
});

test('R2.3: the operator\'s lift restores the master\'s logon and starts the count from zero', async () => {
  const { person } = await activeMaster(t);
  await stop(person);
  assert.deepEqual(await liftByOperator(person), { lifted: true });
  const row = await userRow(t.deps, person);
  assert.equal(row.stopped_at, null);
  assert.equal(row.failed_attempts, 0);
  assert.equal((await logon(new Client(t.app), person)).headers.location, '/status');
  assert.deepEqual(await liftByOperator(person), { lifted: false }, 'nothing left to lift');

  // A fresh count: six failures after the lift do not stop again.
  for (let i = 0; i < 6; i++) await passwordStep(new Client(t.app), person, wrongPassword);
  assert.equal((await userRow(t.deps, person)).stopped_at, null);
});

test('R2.4: logon attempts are rate limited per address, without counting against the person, and the limit passes with its window', async () => {
  const limited = await startApp(t.db, { LOGON_RATE_PER_MINUTE: '3' });
  try {
    const { person } = await activeMaster(limited, { ip: '192.0.2.199' });
    limited.deps.clock.advanceSeconds(60);
    const from = (ip: string) => new Client(limited.app, { ip });
    for (let i = 0; i < 3; i++) assert.equal(errorCode((await passwordStep(from('192.0.2.200'), person, wrongPassword)).body), 'AUTH_LOGON_FAILED');
    const refused = await passwordStep(from('192.0.2.200'), person);
    assert.equal(refused.statusCode, 429);
    assert.equal(errorCode(refused.body), 'AUTH_RATE_LIMITED');
    assert.match(refused.body, /<form method="post" action="\/logon"/);
    assert.equal((await userRow(limited.deps, person)).failed_attempts, 3, 'a refused attempt is not evaluated');

    assert.equal((await passwordStep(from('192.0.2.201'), person)).headers.location, '/logon/grid', 'another address is not limited');
    limited.deps.clock.advanceSeconds(60);
    assert.equal((await passwordStep(from('192.0.2.200'), person)).headers.location, '/logon/grid', 'the next window is open');
  } finally {
    await limited.app.close();
  }
});

test('R2.3: the stop email names the addresses the attempts came from, and which of them the person never logged on from', async () => {
  const own = '203.0.113.77';
  const { person } = await activeMaster(t, { ip: own });
  const from = (ip: string) => new Client(t.app, { ip });
  // An older failure, before a completed logon started the count again, is not one of the last seven.
  assert.equal((await passwordStep(from('198.51.100.99'), person, wrongPassword)).statusCode, 401);
  assert.equal((await logon(from(own), person)).headers.location, '/status');
  for (let i = 0; i < 3; i++) await passwordStep(from('198.51.100.20'), person, wrongPassword);
  for (let i = 0; i < 2; i++) await passwordStep(from(own), person, wrongPassword);
  for (let i = 0; i < 2; i++) await passwordStep(from('198.51.100.21'), person, wrongPassword);
  assert.notEqual((await userRow(t.deps, person)).stopped_at, null);

  const [notice] = await outboxTo(t.deps, person.email, 'mail.stopped.subject');
  const named = notice!.body.split('\n').find((line) => line.startsWith('誤った入力'));
  assert.ok(named, 'the notice has a line of addresses');
  for (const address of ['198.51.100.21', own, '198.51.100.20']) assert.ok(named.includes(address), `names ${address}`);
  assert.ok(!notice!.body.includes('198.51.100.99'), 'only the last seven failures are named');
  const neverSeen = notice!.body.split('\n').find((line) => line.includes('ログオンされたことがありません'));
  assert.ok(neverSeen, 'the notice says which addresses were never seen');
  assert.ok(neverSeen.includes('198.51.100.20') && neverSeen.includes('198.51.100.21'));
  assert.ok(!neverSeen.includes(own), 'the person\'s own address is not called unknown');
  assert.match(notice!.body, /never logged on from 198\.51\.100\.21, 198\.51\.100\.20\./, 'and in English');

  const record = await t.deps.db.selectFrom('audit_log').select('details').where('action', '=', 'person.stop').where('contract_id', '=', person.contractId).executeTakeFirstOrThrow();
  assert.deepEqual(record.details['addresses'], ['198.51.100.21', own, '198.51.100.20'], 'the stop\'s audit record keeps them, newest first');
  assert.deepEqual(record.details['neverSeen'], ['198.51.100.21', '198.51.100.20']);
  const kept = await t.deps.db.selectFrom('secret_failure').select('ip').where('user_ref', '=', (await userRow(t.deps, person)).id).execute();
  assert.equal(kept.length, 7, 'no more addresses are kept than the last seven');
});

test('R2.4, R9.1: a burst over the rate limit is in the audit trail once per address and minute, with the address and the count, and the trail still verifies', async () => {
  const limited = await startApp(t.db, { LOGON_RATE_PER_MINUTE: '3' });
  try {
    limited.deps.clock.set('2026-05-11T01:02:05Z');
    const nobody = { contractId: contractIdFrom('5555555555'), userId: 'nobody', loginPassword: wrongPassword } as TestPerson;
    const burst = async (ip: string, attempts: number) => {
      const answers: number[] = [];
      for (let i = 0; i < attempts; i++) answers.push((await passwordStep(new Client(limited.app, { ip }), nobody)).statusCode);
      return answers;
    };
    assert.deepEqual(await burst('198.51.100.7', 8), [401, 401, 401, 429, 429, 429, 429, 429]);
    assert.deepEqual(await burst('198.51.100.8', 5), [401, 401, 401, 429, 429]);

    const opened = () =>
      t.deps.db.selectFrom('audit_log').select(['ip', 'outcome', 'reason', 'details']).where('action', '=', 'logon.rate_limited').where('ip', 'like', '198.51.100.%').orderBy('id').execute();
    assert.deepEqual(
      (await opened()).map((row) => ({ ip: row.ip, outcome: row.outcome, reason: row.reason, portal: row.details['portal'], minute: row.details['minute'] })),
      [
        { ip: '198.51.100.7', outcome: 'failure', reason: 'rate_limited', portal: 'customer', minute: '2026-05-11T01:02:00.000Z' },
        { ip: '198.51.100.8', outcome: 'failure', reason: 'rate_limited', portal: 'customer', minute: '2026-05-11T01:02:00.000Z' },
      ],
      'one record at the first refusal of each address in the minute, not one per refused request',
    );

    const totals = () =>
      t.deps.db.selectFrom('audit_log').select(['ip', 'details']).where('action', '=', 'logon.rate_limited.total').where('ip', 'like', '198.51.100.%').orderBy('id').execute();
    await recordRefusalTotals(limited.deps, limited.deps.clock.now());
    assert.deepEqual(await totals(), [], 'a minute not over yet has no total');
    limited.deps.clock.advanceSeconds(refusalMinuteClosedSeconds);
    await recordRefusalTotals(limited.deps, limited.deps.clock.now());
    await recordRefusalTotals(limited.deps, limited.deps.clock.now());
    assert.deepEqual(
      (await totals()).map((row) => ({ ip: row.ip, refusals: row.details['refusals'], minute: row.details['minute'] })),
      [
        { ip: '198.51.100.7', refusals: 5, minute: '2026-05-11T01:02:00.000Z' },
        { ip: '198.51.100.8', refusals: 2, minute: '2026-05-11T01:02:00.000Z' },
      ],
      'each minute\'s count once, however often the job runs',
    );

    // A later minute of the same address is a record of its own.
    assert.deepEqual(await burst('198.51.100.7', 4), [401, 401, 401, 429]);
    assert.deepEqual((await opened()).map((row) => `${row.ip} ${String(row.details['minute'])}`).slice(2), ['198.51.100.7 2026-05-11T01:04:00.000Z']);

    const verified = await verifyAuditChain(t.db);
    assert.deepEqual(verified.problems, []);
    assert.equal(verified.ok, true);

    // The counters are pruned, the trail is not: a wave stays visible in the audit trail for good.
    const counters = async () => ({
      windows: (await t.db.selectFrom('rate_limit_hit').select('bucket').where('bucket', 'like', '%198.51.100.%').execute()).length,
      minutes: (await t.db.selectFrom('logon_refusal').select('ip').where('ip', 'like', '198.51.100.%').execute()).length,
    });
    await pruneLogonCounters(t.db, limited.deps.clock.now());
    assert.deepEqual(await counters(), { windows: 1, minutes: 3 }, 'the current window stays (the two of two minutes ago go), and the recent minutes');
    limited.deps.clock.advanceSeconds(refusalRowsKeptDays * 86_400);
    await pruneLogonCounters(t.db, limited.deps.clock.now());
    assert.deepEqual(await counters(), { windows: 0, minutes: 1 }, 'old windows go; of the old minutes only the one whose total is not recorded yet stays');
    assert.equal((await totals()).length, 2);
  } finally {
    await limited.app.close();
  }
});
/** The newest audit record of a person, whatever its action. */
function lastAudit(userRef: number) {
  return t.db.selectFrom('audit_log').selectAll().where('user_ref', '=', userRef).orderBy('id', 'desc').executeTakeFirstOrThrow();
}

test('decision 0022: a secret refused because all seven attempts are in flight is answered "busy, try again" in the page\'s language, audited as busy, and neither counts nor stops', async () => {
  const busy = await startApp(t.db, { ATTEMPTS_BUSY_WAIT_MS: '0' });
  try {
    const { person, client: session } = await activeMaster(busy);
    const colleague = await addUser(busy.deps, person.contractId);
    const pending = new Client(busy.app);
    assert.equal((await passwordStep(pending, person)).headers.location, '/logon/grid');
    await pending.get('/logon/grid');
    const user = await userRow(busy.deps, person);
    // Seven requests of the person are being evaluated at this moment, none of them finished yet.
    await t.db.updateTable('users').set({ failed_attempts: lockoutFailuresMax }).where('id', '=', user.id).execute();

    session.cookies.set('__Host-lang', 'en');
    await session.get(`/users/${colleague.userId}`);
    const answers = {
      logon: await passwordStep(new Client(busy.app), person),
      gridCard: await pending.post('/logon/grid', wrongGridAnswerFields(pending.lastPage, person.digits)),
      confirmation: await session.post(`/users/${colleague.userId}/suspend`, { confirmationPassword: person.confirmationPassword }),
    };
    for (const [name, answer] of Object.entries(answers)) {
      assert.equal(answer.statusCode, 429, name);
      assert.equal(errorCode(answer.body), 'ATTEMPTS_BUSY', name);
      assert.equal(answer.headers['retry-after'], '1', `${name}: says when to try again`);
      assert.equal((await lastAudit(user.id)).reason, 'attempts_busy', `${name}: audited as busy, not as wrong or stopped`);
    }
    assert.ok(answers.logon.body.includes(translator('ja')('error.ATTEMPTS_BUSY')), 'the logon page in Japanese by default');
    assert.ok(answers.confirmation.body.includes(translator('en')('error.ATTEMPTS_BUSY')), 'the page of a person who chose English');
    assert.ok(!answers.logon.cookies.some((c) => c.name === '__Host-sid' && c.value !== ''), 'no session is opened');

    const after = await userRow(busy.deps, person);
    assert.equal(after.failed_attempts, lockoutFailuresMax, 'nothing was counted');
    assert.equal(after.stopped_at, null, 'nobody is stopped');
    assert.equal((await userRow(busy.deps, colleague)).status, 'active', 'the change was not made');
    assert.equal((await session.get('/status')).statusCode, 200, 'the session lives on');
  } finally {
    await busy.app.close();
  }
});

/**
 * The database as `db` sees it, telling when a reservation of an attempt (an UPDATE … RETURNING)
 * found none left: the moment a request starts waiting for the attempts in flight.
 */
function watchingReservations(db: Db): { db: Db; refused: Promise<void> } {
  let tell!: () => void;
  const refused = new Promise<void>((resolve) => (tell = resolve));
  const reservations = new WeakSet<object>();
  const plugin: KyselyPlugin = {
    transformQuery({ node, queryId }: PluginTransformQueryArgs): RootOperationNode {
      if (node.kind === 'UpdateQueryNode' && node.returning) reservations.add(queryId);
      return node;
    },
    async transformResult({ result, queryId }: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
      if (reservations.has(queryId) && result.rows.length === 0) tell();
      return result;
    },
  };
  return { db: db.withPlugin(plugin), refused };
}

async function inFlightCheck(person: TestPerson, verify: () => boolean) {
  const user = await userRow(t.deps, person);
  await t.db.updateTable('users').set({ failed_attempts: lockoutFailuresMax }).where('id', '=', user.id).execute();
  const watched = watchingReservations(t.deps.db);
  const verdict = checkSecret(
    { ...t.deps, db: watched.db },
    { holder: customerHolder(user), context: { ip: '192.0.2.50' }, verify, recordBusy: async () => assert.fail('refused as busy while still waiting') },
  );
  await watched.refused;
  return { user, verdict };
}

test('decision 0022: a secret that finds all seven attempts in flight waits, and is evaluated once one of them is given back', async () => {
  const { person } = await activeMaster(t);
  let evaluations = 0;
  const { user, verdict } = await inFlightCheck(person, () => ++evaluations > 0);
  assert.equal(evaluations, 0, 'nothing is evaluated without an attempt');
  // One of the seven was a right secret: it gives its attempt back.
  await t.db.updateTable('users').set({ failed_attempts: lockoutFailuresMax - 1 }).where('id', '=', user.id).execute();
  assert.equal(await verdict, 'right');
  assert.equal(evaluations, 1);
  const row = await userRow(t.deps, person);
  assert.equal(row.failed_attempts, lockoutFailuresMax - 1, 'the waiting secret gave its own attempt back');
  assert.equal(row.stopped_at, null);
});

test('decision 0022, R2.4: a secret that finds all seven attempts in flight is answered as stopped, unevaluated, when they stop the person', async () => {
  const { person } = await activeMaster(t);
  let evaluations = 0;
  const { user, verdict } = await inFlightCheck(person, () => ++evaluations > 0);
  // The seven were wrong: the seventh stops the person.
  await t.db.updateTable('users').set({ stopped_at: t.deps.clock.now() }).where('id', '=', user.id).execute();
  assert.equal(await verdict, 'no_attempt_left', 'answered as a stopped person is, like an unknown one (R2.4)');
  assert.equal(evaluations, 0, 'never evaluated');
});
