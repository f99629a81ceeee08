import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, needsPostgres, type TestDatabase } from '../helpers/database.ts';
import { Client } from '../helpers/client.ts';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { liftStaffStop, disableStaff, resetStaffSecrets } from '../../src/operator/staff/accounts.ts';
import { lockoutFailuresMax as staffLockoutFailuresMax } from '../../src/access/attempts.ts';
import { totpPeriodSeconds } from '../../src/operator/staff/totp.ts';
import { currentCode, errorCode, newStaff, ownPassword, passwordOf, passwordStep, staffLogon, staffSessionCookie, startConsole, type TestConsole } from './console-support.ts';

let database: TestDatabase;
let t: TestConsole;
before(async () => {
  database = await createTestDatabase();
  t = await startConsole(database.db, { OPERATOR_SESSION_IDLE_SECONDS: '600', OPERATOR_SESSION_ABSOLUTE_SECONDS: '3600' });
});
after(async () => {
  await t.app.close();
  await database.drop();
});

async function staffRow(login: string) {
  return t.deps.db.selectFrom('staff').selectAll().where('login_id', '=', login).executeTakeFirstOrThrow();
}

/** Where a logon with a password IT issued leads, and the only page such a member reaches. */
const held = '/operator/logon/password';

async function audit(login: string) {
  return t.deps.db
    .selectFrom('audit_log')
    .select(['actor', 'action', 'outcome', 'reason', 'contract_id'])
    .where((eb) => eb.or([eb('actor', '=', `staff:${login}`), eb(eb.ref('details'), '@>', JSON.stringify({ login }) as never)]))
    .orderBy('id')
    .execute();
}

test('a member logs on with login ID and password, then the authenticator code, and gets a fresh session id', async () => {
  const member = await newStaff(t.deps, 'recorder');
  await staffLogon(t, member); // the first logon replaces IT's password (tested below)
  t.deps.clock.advanceSeconds(totpPeriodSeconds);
  const client = new Client(t.app);
  const first = await passwordStep(client, member);
  assert.equal(first.statusCode, 303);
  assert.equal(first.headers.location, '/operator/logon/totp');
  const pending = client.cookies.get(staffSessionCookie);
  assert.ok(pending);
  // Half logged on, the console's pages are closed: the code comes first.
  assert.equal((await client.get('/operator/contracts')).headers.location, '/operator/logon/totp');

  const page = await client.get('/operator/logon/totp');
  assert.match(page.body, /name="code"/);
  const second = await client.post('/operator/logon/totp', { code: currentCode(t.deps, member) });
  assert.equal(second.headers.location, '/operator/contracts');
  const active = client.cookies.get(staffSessionCookie);
  assert.ok(active && active !== pending, 'a fresh session id at logon');
  assert.equal((await client.get('/operator/contracts')).statusCode, 200);
  const ended = await t.deps.db.selectFrom('staff_session').select(['stage', 'end_reason']).where('id', '=', pending.split('.')[0]!).executeTakeFirstOrThrow();
  assert.deepEqual(ended, { stage: 'totp', end_reason: 'rotated' });
  const trail = await audit(member.login);
  assert.deepEqual(trail.at(-1), { actor: `staff:${member.login}`, action: 'staff.logon', outcome: 'success', reason: null, contract_id: null });
});

test('an unknown login, a wrong password, a stopped and a disabled member all get the one same answer, and the trail keeps the reason', async () => {
  const member = await newStaff(t.deps, 'approver');
  const stopped = await newStaff(t.deps, 'approver');
  const disabled = await newStaff(t.deps, 'recorder');
  await t.deps.db.updateTable('staff').set({ stopped_at: t.deps.clock.now() }).where('login_id', '=', stopped.login).execute();
  await disableStaff(t.deps, { login: disabled.login, operator: 'test' });
  const answers = [];
  for (const [login, password] of [
    ['nobody.here', 'whatever-1'],
    [member.login, 'Wrong-password-1'],
    [stopped.login, stopped.initialPassword],
    [disabled.login, disabled.initialPassword],
  ] as const) {
    const client = new Client(t.app);
    const response = await passwordStep(client, { ...member, login }, password);
    answers.push([response.statusCode, errorCode(response.body)]);
    assert.equal(client.cookies.get(staffSessionCookie), undefined, 'no session of any stage');
    assert.match(response.body, new RegExp(`value="${login.replace('.', '\\.')}"`), 'the login ID typed is shown again');
  }
  assert.deepEqual(answers, Array(4).fill([401, 'OPERATOR_LOGON_FAILED']));
  const reasons = await t.deps.db
    .selectFrom('audit_log')
    .select('reason')
    .where('action', '=', 'staff.logon')
    .where('outcome', '=', 'failure')
    .orderBy('id', 'desc')
    .limit(4)
    .execute();
  assert.deepEqual(reasons.map((r) => r.reason).reverse(), ['unknown_staff', 'wrong_password', 'stopped', 'disabled']);
});

test('a code already used is refused: the same code again, and an older code after a newer one', async () => {
  const member = await newStaff(t.deps, 'approver');
  t.deps.clock.advanceSeconds(totpPeriodSeconds);
  const code = currentCode(t.deps, member);
  const earlier = currentCode(t.deps, member, -1);
  const first = new Client(t.app);
  await passwordStep(first, member);
  await first.get('/operator/logon/totp');
  assert.equal((await first.post('/operator/logon/totp', { code })).headers.location, held);

  // Someone who saw the code (and knows the password) within the same 30 seconds.
  const replay = new Client(t.app);
  await passwordStep(replay, member);
  await replay.get('/operator/logon/totp');
  const replayed = await replay.post('/operator/logon/totp', { code });
  assert.equal(replayed.statusCode, 401);
  assert.equal(errorCode(replayed.body), 'OPERATOR_TOTP_FAILED');
  // The previous step's code is within the allowed drift, but older than the step already used.
  const older = await replay.post('/operator/logon/totp', { code: earlier });
  assert.equal(errorCode(older.body), 'OPERATOR_TOTP_FAILED');
  assert.equal((await replay.get('/operator/contracts')).headers.location, '/operator/logon/totp', 'still only half logged on');
  // Both were right codes once: refused, but not counted as wrong secrets.
  assert.equal((await staffRow(member.login)).failed_attempts, 0);
  const reasons = (await audit(member.login)).filter((r) => r.outcome === 'failure').map((r) => r.reason);
  assert.deepEqual(reasons, ['totp_step_used', 'totp_step_used']);

  // The next step's code works.
  t.deps.clock.advanceSeconds(totpPeriodSeconds);
  assert.equal((await replay.post('/operator/logon/totp', { code: currentCode(t.deps, member) })).headers.location, held);
});

test('RFC 6238 drift: a code one step early or late is accepted, two steps off is refused', async () => {
  const member = await newStaff(t.deps, 'recorder');
  const at = async (offset: number) => {
    t.deps.clock.advanceSeconds(3 * totpPeriodSeconds);
    const client = new Client(t.app);
    await passwordStep(client, member);
    await client.get('/operator/logon/totp');
    const response = await client.post('/operator/logon/totp', { code: currentCode(t.deps, member, offset) });
    return response.headers.location ?? errorCode(response.body);
  };
  assert.equal(await at(-1), held);
  assert.equal(await at(1), held);
  assert.equal(await at(-2), 'OPERATOR_TOTP_FAILED');
  assert.equal(await at(2), 'OPERATOR_TOTP_FAILED');
});

test('seven consecutive wrong secrets (passwords and codes) stop the member; then the right ones get the same refusal; IT lifts the stop', async () => {
  const member = await newStaff(t.deps, 'approver');
  const live = await staffLogon(t, member);
  const attacker = new Client(t.app, { ip: '198.51.100.7' });
  for (let i = 0; i < 4; i++) assert.equal(errorCode((await passwordStep(attacker, member, `Wrong-${i}-pass`)).body), 'OPERATOR_LOGON_FAILED');
  assert.equal((await passwordStep(attacker, member)).headers.location, '/operator/logon/totp', 'the right password is accepted (and gives its attempt back)');
  await attacker.get('/operator/logon/totp');
  for (let i = 0; i < 3; i++) {
    const wrong = String((Number(currentCode(t.deps, member)) + 500_000 + i) % 1_000_000).padStart(6, '0');
    const response = await attacker.post('/operator/logon/totp', { code: wrong });
    // The seventh wrong secret stops the member, which also ends this pending session.
    if (i < 2) assert.equal(errorCode(response.body), 'OPERATOR_TOTP_FAILED');
    else assert.ok(errorCode(response.body) === 'OPERATOR_TOTP_FAILED' || response.headers.location === '/operator/logon?ended=stopped');
  }
  const row = await staffRow(member.login);
  assert.ok(row.stopped_at instanceof Date, 'stopped at the seventh');
  assert.equal(row.failed_attempts, staffLockoutFailuresMax);
  // The stop ends the member's live session at once.
  assert.equal((await live.get('/operator/contracts')).headers.location, '/operator/logon?ended=stopped');
  t.deps.clock.advanceSeconds(totpPeriodSeconds);
  const after = await passwordStep(new Client(t.app), member);
  assert.equal(errorCode(after.body), 'OPERATOR_LOGON_FAILED', 'the right password now gets the refusal a wrong one gets');
  assert.ok((await audit(member.login)).some((r) => r.action === 'staff.stop' && r.reason === 'too_many_failures'));

  assert.deepEqual(await liftStaffStop(t.deps, { login: member.login, operator: 'it-desk' }), { lifted: true });
  await staffLogon(t, member);
  assert.equal((await staffRow(member.login)).failed_attempts, 0, 'a completed logon starts the count again');
});

test('a completed logon resets the count, so failures are counted only in a row', async () => {
  const member = await newStaff(t.deps, 'recorder');
  for (let round = 0; round < 2; round++) {
    for (let i = 0; i < staffLockoutFailuresMax - 1; i++) await passwordStep(new Client(t.app), member, `Wrong-${i}-pass`);
    await staffLogon(t, member);
  }
  const row = await staffRow(member.login);
  assert.equal(row.stopped_at, null);
  assert.equal(row.failed_attempts, 0);
});

test('a pending logon lasts five minutes; a session ends after the idle time and at the absolute limit', async () => {
  const member = await newStaff(t.deps, 'recorder');
  t.deps.clock.advanceSeconds(totpPeriodSeconds);
  const pending = new Client(t.app);
  await passwordStep(pending, member);
  t.deps.clock.advanceSeconds(301);
  assert.equal((await pending.get('/operator/logon/totp')).headers.location, '/operator/logon?ended=expired');

  const idle = await staffLogon(t, member);
  t.deps.clock.advanceSeconds(599);
  assert.equal((await idle.get('/operator/contracts')).statusCode, 200, 'just before the idle end');
  t.deps.clock.advanceSeconds(600);
  assert.equal((await idle.get('/operator/contracts')).headers.location, '/operator/logon?ended=idle');

  const busy = await staffLogon(t, member);
  for (let elapsed = 0; elapsed < 3600; elapsed += 500) {
    assert.equal((await busy.get('/operator/contracts')).statusCode, 200);
    t.deps.clock.advanceSeconds(500);
  }
  assert.equal((await busy.get('/operator/contracts')).headers.location, '/operator/logon?ended=absolute');
  const page = await busy.get('/operator/logon?ended=absolute');
  assert.match(page.body, /class="notice"/);
});

test('a second logon ends the first session, which is told why; logging off needs the session\'s token', async () => {
  const member = await newStaff(t.deps, 'approver');
  const first = await staffLogon(t, member);
  const second = await staffLogon(t, member);
  assert.equal((await first.get('/operator/contracts')).headers.location, '/operator/logon?ended=superseded');

  await second.get('/operator/contracts');
  const forged = await second.post('/operator/logout', {}, { csrf: 'not-the-token' });
  assert.equal(forged.headers.location, '/operator');
  assert.equal((await second.get('/operator/contracts')).statusCode, 200, 'a logoff without the token does nothing');
  const out = await second.post('/operator/logout', {});
  assert.equal(out.headers.location, '/operator/logon?ended=logout');
  assert.equal((await second.get('/operator/contracts')).headers.location, '/operator/logon');
});

test('a member disabled by IT is logged off at once', async () => {
  const member = await newStaff(t.deps, 'recorder');
  const client = await staffLogon(t, member);
  await disableStaff(t.deps, { login: member.login, operator: 'it-desk' });
  assert.equal((await client.get('/operator/contracts')).headers.location, '/operator/logon?ended=stopped');
});

test('bad input on the logon forms is refused on the same page and counts nothing', async () => {
  const member = await newStaff(t.deps, 'recorder');
  const client = new Client(t.app);
  await client.get('/operator/logon');
  const bad: Record<string, string>[] = [{ login: member.login }, { password: 'x' }, { login: 'a'.repeat(33), password: 'x' }, { login: member.login, password: 'x'.repeat(10_000) }, { login: `${member.login}\u0000`, password: 'x' }];
  for (const fields of bad) {
    const response = await client.post('/operator/logon', fields);
    assert.equal(response.statusCode, 401, JSON.stringify(fields).slice(0, 60));
    assert.equal(errorCode(response.body), 'OPERATOR_LOGON_FAILED');
  }
  t.deps.clock.advanceSeconds(totpPeriodSeconds);
  await passwordStep(client, member);
  await client.get('/operator/logon/totp');
  for (const code of ['', '12345', '1234567', '１２３４５６', 'abcdef', '12 456']) {
    const response = await client.post('/operator/logon/totp', { code });
    assert.equal(errorCode(response.body), 'OPERATOR_TOTP_FAILED', code);
  }
  assert.equal((await staffRow(member.login)).failed_attempts, 0, 'malformed input is not evaluated, so it does not count');
});

test('decision 0022: a member\'s password refused because all seven attempts are in flight is answered busy, audited as busy, and neither counts nor stops', async () => {
  const busy = await startConsole(database.db, { ATTEMPTS_BUSY_WAIT_MS: '0' });
  try {
    const member = await newStaff(busy.deps, 'approver');
    await busy.deps.db.updateTable('staff').set({ failed_attempts: staffLockoutFailuresMax }).where('login_id', '=', member.login).execute();
    const answer = await passwordStep(new Client(busy.app), member);
    assert.equal(answer.statusCode, 429);
    assert.equal(errorCode(answer.body), 'ATTEMPTS_BUSY');
    assert.equal(answer.headers['retry-after'], '1');
    assert.equal((await audit(member.login)).at(-1)?.reason, 'attempts_busy');
    const row = await staffRow(member.login);
    assert.equal(row.failed_attempts, staffLockoutFailuresMax, 'nothing counted');
    assert.equal(row.stopped_at, null, 'not stopped');
  } finally {
    await busy.app.close();
  }
});

test('fifty parallel wrong passwords against one member evaluate at most seven and leave the member stopped', { skip: needsPostgres }, async () => {
  const member = await newStaff(t.deps, 'approver');
  const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => passwordStep(new Client(t.app, { ip: `198.51.100.${i + 1}` }), member, `Wrong-${i}-pass`)));
  assert.ok(answers.every((response) => errorCode(response.body) === 'OPERATOR_LOGON_FAILED'));
  const evaluated = await t.deps.db
    .selectFrom('audit_log')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('actor', '=', `staff:${member.login}`)
    .where('reason', '=', 'wrong_password')
    .executeTakeFirstOrThrow();
  assert.equal(Number(evaluated.n), staffLockoutFailuresMax);
  assert.ok((await staffRow(member.login)).stopped_at instanceof Date);
});

test('one code submitted by two pending logons at once opens one session', { skip: needsPostgres }, async () => {
  const member = await newStaff(t.deps, 'approver');
  t.deps.clock.advanceSeconds(totpPeriodSeconds);
  const clients = [new Client(t.app), new Client(t.app)];
  for (const client of clients) {
    await passwordStep(client, member);
    await client.get('/operator/logon/totp');
  }
  const code = currentCode(t.deps, member);
  const answers = await Promise.all(clients.map((client) => client.post('/operator/logon/totp', { code })));
  const outcomes = answers.map((r) => r.headers.location ?? errorCode(r.body));
  assert.equal(outcomes.filter((o) => o === held).length, 1, outcomes.join(', '));
  // The other is refused: either its code was already used, or the winner's logon ended its pending session first.
  assert.ok(outcomes.some((o) => o === 'OPERATOR_TOTP_FAILED' || o === '/operator/logon?ended=superseded'), outcomes.join(', '));
  const live = await t.deps.db
    .selectFrom('staff_session')
    .innerJoin('staff', 'staff.id', 'staff_session.staff_ref')
    .select('staff_session.id')
    .where('staff.login_id', '=', member.login)
    .where('staff_session.stage', '=', 'active')
    .execute();
  assert.equal(live.length, 1);
});

/** The console's routes as (method, path), parameters filled in: every page and form a member could ask for. */
function consoleRoutes(app: FastifyInstance): { method: 'GET' | 'POST'; path: string }[] {
  const routes: { method: 'GET' | 'POST'; path: string }[] = [];
  const segments: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const node = /^((?:│ {3}| {4})*)(?:├── |└── )(\S+)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!node) continue;
    segments.length = node[1]!.length / 4;
    segments.push(node[2]!);
    const path = segments.join('').replace(/:\w+/g, '1');
    if (path.includes('*')) continue; // the static files (style sheets, icons)
    for (const method of (node[3] ?? '').split(', ')) if (method === 'GET' || method === 'POST') routes.push({ method, path });
  }
  return routes;
}

test("a staff member's first logon leads only to the password change: every other page and form, GET and POST, sends them there and changes nothing", async () => {
  const member = await newStaff(t.deps, 'approver');
  t.deps.clock.advanceSeconds(totpPeriodSeconds);
  const client = new Client(t.app);
  await passwordStep(client, member);
  await client.get('/operator/logon/totp');
  assert.equal((await client.post('/operator/logon/totp', { code: currentCode(t.deps, member) })).headers.location, held);
  const page = await client.get(held);
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /<form method="post" action="\/operator\/logon\/password"/);
  assert.doesNotMatch(page.body, /class="menu"/, 'no menu while the change is due');
  const csrf = client.csrf;
  assert.ok(csrf);

  // The logon pages, the logoff, this page and the load balancer's health checks (no session) stay as they
  // are; '/' and '/operator' only redirect to pages checked here.
  const open = new Set(['/', '/operator', '/operator/logon', '/operator/logout', held, '/healthz', '/readyz']);
  const closed = consoleRoutes(t.app).filter((route) => !open.has(route.path));
  assert.ok(closed.length >= 20, `the console's routes were found (${closed.length})`);
  const trailBefore = (await audit(member.login)).length;
  for (const { method, path } of closed) {
    // A POST carries the session's own CSRF token, so only the pending change can refuse it.
    const answer: LightMyRequestResponse = method === 'GET' ? await client.get(path) : await client.post(path, { reference: 'A-1', kind: 'issue_card', contractId: '12345678903' }, { csrf });
    assert.equal(answer.statusCode, 303, `${method} ${path}`);
    assert.equal(answer.headers.location, held, `${method} ${path}`);
  }
  assert.equal((await audit(member.login)).length, trailBefore, 'nothing was done or recorded');
  assert.equal((await staffRow(member.login)).password_changed_at, null);

  const fresh = 'Own-2026-passphrase';
  const done = await client.post(held, { current: member.initialPassword, next: fresh, repeat: fresh });
  assert.equal(done.headers.location, '/operator/password?done=changed');
  assert.match((await client.get('/operator/password?done=changed')).body, /class="menu"/);
  assert.equal((await client.get('/operator/contracts')).statusCode, 200, 'the console works once the password is changed');
  assert.equal((await client.get(held)).headers.location, '/operator/contracts', 'the held page is closed once it is done');
  const changed = await t.deps.db
    .selectFrom('audit_log')
    .select(['outcome', 'details'])
    .where('actor', '=', `staff:${member.login}`)
    .where('action', '=', 'staff.password_change')
    .execute();
  assert.deepEqual(changed, [{ outcome: 'success', details: { initial: true } }], 'the change is audited as the replacement of IT\'s password');
  assert.ok((await staffRow(member.login)).password_changed_at instanceof Date);

  // The next logon goes straight to the console.
  t.deps.clock.advanceSeconds(totpPeriodSeconds);
  const next = new Client(t.app);
  await passwordStep(next, member, fresh);
  await next.get('/operator/logon/totp');
  assert.equal((await next.post('/operator/logon/totp', { code: currentCode(t.deps, member) })).headers.location, '/operator/contracts');
});

test('the initial password cannot be kept: given as the new one it is refused on the same page, and the member stays held', async () => {
  const member = await newStaff(t.deps, 'recorder');
  t.deps.clock.advanceSeconds(totpPeriodSeconds);
  const client = new Client(t.app);
  await passwordStep(client, member);
  await client.get('/operator/logon/totp');
  await client.post('/operator/logon/totp', { code: currentCode(t.deps, member) });
  await client.get(held);
  const kept = await client.post(held, { current: member.initialPassword, next: member.initialPassword, repeat: member.initialPassword });
  assert.equal(kept.statusCode, 400);
  assert.equal(errorCode(kept.body), 'OPERATOR_PASSWORD_UNCHANGED');
  assert.match(kept.body, /action="\/operator\/logon\/password"/, 'the same page, with its error');
  assert.equal((await staffRow(member.login)).failed_attempts, 0, 'a right current password costs no attempt');
  assert.equal((await staffRow(member.login)).password_changed_at, null);
  assert.equal((await client.get('/operator/contracts')).headers.location, held, 'still held');
  // Logging off and on again does not get round it.
  await client.post('/operator/logout', {});
  t.deps.clock.advanceSeconds(totpPeriodSeconds);
  await passwordStep(client, member);
  await client.get('/operator/logon/totp');
  assert.equal((await client.post('/operator/logon/totp', { code: currentCode(t.deps, member) })).headers.location, held);
});

test('after staff-reset the member must change the password again', async () => {
  const member = await newStaff(t.deps, 'approver');
  const before = await staffLogon(t, member);
  assert.equal((await before.get('/operator/contracts')).statusCode, 200, 'their own password opened the console');

  const reset = await resetStaffSecrets(t.deps, { login: member.login, operator: 'it-desk' });
  assert.equal((await before.get('/operator/contracts')).headers.location, '/operator/logon?ended=stopped');
  t.deps.clock.advanceSeconds(totpPeriodSeconds);
  const client = new Client(t.app);
  assert.equal(errorCode((await passwordStep(client, member)).body), 'OPERATOR_LOGON_FAILED', 'their own password was replaced by the reset');
  await passwordStep(client, reset);
  await client.get('/operator/logon/totp');
  assert.equal((await client.post('/operator/logon/totp', { code: currentCode(t.deps, reset) })).headers.location, held);
  assert.equal((await client.get('/operator/contracts')).headers.location, held);
  await ownPassword(client, reset);
  assert.equal((await client.get('/operator/contracts')).statusCode, 200);
});

test('a member changes the password from the menu: the rules hold, a wrong current password counts, and only the new one works afterwards', async () => {
  const member = await newStaff(t.deps, 'approver');
  const client = await staffLogon(t, member);
  const current = passwordOf(member);
  const change = async (fields: Record<string, string>) => {
    await client.get('/operator/password');
    return client.post('/operator/password', fields);
  };
  const fresh = 'Fresh-2026-passphrase';
  for (const [fields, code] of [
    [{ current, next: 'Short1', repeat: 'Short1' }, 'OPERATOR_PASSWORD_RULES'],
    [{ current, next: 'onlyletters-here', repeat: 'onlyletters-here' }, 'OPERATOR_PASSWORD_RULES'],
    [{ current, next: `x1-${member.login}-x1`, repeat: `x1-${member.login}-x1` }, 'OPERATOR_PASSWORD_RULES'],
    [{ current, next: 'Ｆｕｌｌ２０２６ｗｉｄｔｈ', repeat: 'Ｆｕｌｌ２０２６ｗｉｄｔｈ' }, 'OPERATOR_PASSWORD_RULES'],
    [{ current, next: current, repeat: current }, 'OPERATOR_PASSWORD_UNCHANGED'],
    [{ current, next: fresh, repeat: `${fresh}x` }, 'PASSWORD_REPEAT_MISMATCH'],
    [{ current: 'Not-the-password-1', next: fresh, repeat: fresh }, 'OPERATOR_PASSWORD_CURRENT_WRONG'],
  ] as const) {
    const response = await change(fields);
    assert.equal(response.statusCode, 400, JSON.stringify(fields));
    assert.equal(errorCode(response.body), code, JSON.stringify(fields));
    assert.doesNotMatch(response.body, new RegExp(fresh), 'no password is written back into the page');
  }
  assert.equal((await staffRow(member.login)).failed_attempts, 1, 'only the wrong current password counted');
  const done = await change({ current, next: fresh, repeat: fresh });
  assert.equal(done.headers.location, '/operator/password?done=changed');
  assert.equal((await staffRow(member.login)).failed_attempts, 1, 'a right current password gives its attempt back');
  const changes = (await audit(member.login)).filter((r) => r.action === 'staff.password_change' && r.outcome === 'success');
  assert.equal(changes.length, 2, 'the first logon\'s change and this one');
  t.deps.clock.advanceSeconds(totpPeriodSeconds);
  assert.equal(errorCode((await passwordStep(new Client(t.app), member, current)).body), 'OPERATOR_LOGON_FAILED', 'the previous password no longer works');
  assert.equal((await passwordStep(new Client(t.app), member, fresh)).headers.location, '/operator/logon/totp');
});

test('two password changes sent at once: one wins, the other is refused, and the password is the winner\'s', async () => {
  const member = await newStaff(t.deps, 'recorder');
  const client = await staffLogon(t, member);
  await client.get('/operator/password');
  const current = passwordOf(member);
  const candidates = ['First-2026-passphrase', 'Second-2026-passphrase'];
  const answers = await Promise.all(candidates.map((next) => client.post('/operator/password', { current, next, repeat: next })));
  const outcomes = answers.map((r) => r.headers.location ?? errorCode(r.body));
  assert.deepEqual([...outcomes].sort(), ['/operator/password?done=changed', 'OPERATOR_PASSWORD_CURRENT_WRONG'], outcomes.join(', '));
  const winner = candidates[outcomes.indexOf('/operator/password?done=changed')]!;
  t.deps.clock.advanceSeconds(totpPeriodSeconds);
  assert.equal((await passwordStep(new Client(t.app), member, winner)).headers.location, '/operator/logon/totp');
});
