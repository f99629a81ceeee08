import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Client, errorCode } from '../helpers/client.ts';
import { logon, type TestPerson } from '../helpers/people.ts';
import { activeMaster, appForFile, assertNoStackTrace, contractRow, ja, outboxTo, stateOf, userRow } from '../helpers/http-app.ts';
import { addAdminUser, addPerson, auditOf, securityPath, stopByWrongPasswords } from './people.ts';

const t = appForFile();

async function loggedOn(person: TestPerson, ip?: string): Promise<Client> {
  const client = new Client(t.app, { ip });
  assert.equal((await logon(client, person)).headers.location, '/status', `${person.userId} logs on`);
  return client;
}

function lift(client: Client, subject: TestPerson, confirmationPassword: string) {
  return client.post(`${securityPath(subject)}/lift`, { confirmationPassword });
}

test('R2.3, R1.5: the master lifts a user\'s stop with the confirmation password; the user logs on again; audited and mailed to the user and the master', async () => {
  const { person: master, client } = await activeMaster(t, { ip: '198.51.100.20' });
  const user = await addPerson(t.deps, master.contractId);
  await stopByWrongPasswords(t, user);

  const page = await client.get(securityPath(user));
  assert.equal(page.statusCode, 200);
  assert.ok(page.body.includes(`action="${securityPath(user)}/lift"`), 'the page offers the lift');
  assert.match(page.body, /id="subject-state">ご利用停止中/);

  const done = await lift(client, user, master.confirmationPassword);
  assert.equal(done.statusCode, 303);
  assert.equal(done.headers.location, `${securityPath(user)}?done=lifted`);
  assert.ok((await client.get(String(done.headers.location))).body.includes(ja('userSecurity.lift.done')));
  const row = await userRow(t.deps, user);
  assert.equal(row.stopped_at, null);
  assert.equal(row.failed_attempts, 0, 'the count starts again from zero');
  assert.equal((await logon(new Client(t.app), user)).headers.location, '/status');

  const [audit] = await auditOf(t.deps, master.contractId, 'person.lift_stop');
  assert.ok(audit);
  assert.equal(audit.outcome, 'success');
  assert.equal(audit.actor, `user:${master.contractId}/${master.userId}`);
  assert.equal(audit.user_ref, row.id);
  assert.equal(audit.ip, '198.51.100.20');
  assert.deepEqual({ ...audit.details }, { subjectUserId: user.userId, by: 'master', lockMode: 'unlinked', contractLifted: false });

  for (const recipient of [user.email, master.email]) {
    const mails = await outboxTo(t.deps, recipient, 'mail.securityChange.subject');
    assert.equal(mails.length, 1, `${recipient} is told once`);
    const body = mails[0]!.body;
    assert.ok(body.includes(ja('userSecurity.mail.lifted', { userId: user.userId })), 'what changed');
    assert.ok(body.includes(`操作者: ${master.userId}`), 'by whom');
    assert.ok(body.includes('198.51.100.20'), 'from which IP address');
    assert.match(body, /日時: \d{4}年\d{1,2}月\d{1,2}日（.） \d{2}:\d{2}/, 'when, with the weekday');
    assert.ok(body.includes('お心当たりがない場合は'), 'what to do if it was not them');
    assert.ok(body.includes('If this was not you'), 'in English too');
  }
});

test('R2.3: an admin user lifts a user\'s stop; the master is told', async () => {
  const { person: master } = await activeMaster(t);
  const admin = await addAdminUser(t.deps, master.contractId);
  const user = await addPerson(t.deps, master.contractId);
  await stopByWrongPasswords(t, user);
  const client = await loggedOn(admin);
  await client.get(securityPath(user));
  assert.equal((await lift(client, user, admin.confirmationPassword)).statusCode, 303);
  assert.equal((await userRow(t.deps, user)).stopped_at, null);
  const [audit] = await auditOf(t.deps, master.contractId, 'person.lift_stop');
  assert.equal(audit!.actor, `user:${master.contractId}/${admin.userId}`);
  assert.equal((await outboxTo(t.deps, master.email, 'mail.securityChange.subject')).length, 1);
  assert.equal((await outboxTo(t.deps, user.email, 'mail.securityChange.subject')).length, 1);
});

test('R1.4: a general user cannot see or lift another user\'s stop (FORBIDDEN), costs nobody an attempt, and the refusal is audited', async () => {
  const { person: master } = await activeMaster(t);
  const general = await addPerson(t.deps, master.contractId, ['inquiry', 'transfer']);
  const user = await addPerson(t.deps, master.contractId);
  await stopByWrongPasswords(t, user);
  const client = await loggedOn(general);

  const page = await client.get(securityPath(user));
  assert.equal(page.statusCode, 403);
  assertNoStackTrace(page);
  assert.doesNotMatch(page.body, /action="\/users\//, 'no form is offered');

  await client.get('/status');
  const before = await stateOf(t.deps, user);
  const refused = await lift(client, user, general.confirmationPassword);
  assert.equal(refused.statusCode, 403);
  assert.equal(errorCode(refused.body), 'FORBIDDEN');
  assert.deepEqual(await stateOf(t.deps, user), before, 'the user stays stopped, nothing is mailed');
  assert.equal((await userRow(t.deps, general)).failed_attempts, 0, 'the confirmation password was not even evaluated');
  const [audit] = await auditOf(t.deps, master.contractId, 'person.lift_stop');
  assert.equal(audit!.outcome, 'failure');
  assert.equal(audit!.reason, 'forbidden');
});

test('R2.3: nobody in the contract lifts the master\'s stop: an admin user (or the master) asking is told it is the bank\'s', async () => {
  const { person: master, client: masterClient } = await activeMaster(t);
  const admin = await addAdminUser(t.deps, master.contractId);
  const client = await loggedOn(admin);
  // The master cannot be stopped while anyone is logged on (the stop stops the contract), so the
  // rule answers before the state: the master's stop is never the contract's to lift.
  const page = await client.get(securityPath(master));
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /id="lift-refused"/);
  assert.match(page.body, /id="reset-refused"/);
  assert.doesNotMatch(page.body, /action="[^"]*\/lift"/);

  const before = await stateOf(t.deps, master);
  const refused = await lift(client, master, admin.confirmationPassword);
  assert.equal(refused.statusCode, 403);
  assert.equal(errorCode(refused.body), 'STOP_LIFT_OPERATOR_ONLY');
  assert.deepEqual(await stateOf(t.deps, master), before);
  assert.equal((await userRow(t.deps, admin)).failed_attempts, 0);

  await masterClient.get('/status');
  const own = await lift(masterClient, master, master.confirmationPassword);
  assert.equal(errorCode(own.body), 'STOP_LIFT_OPERATOR_ONLY');
});

test('R2.3 linked: a stop of a linked contract is the bank\'s to lift, even when the mode changed after the stop', async () => {
  const { person: master, client } = await activeMaster(t, { lockMode: 'unlinked' });
  const user = await addPerson(t.deps, master.contractId);
  await stopByWrongPasswords(t, user);
  // The bank switches the contract to linked locks (a change application) while the stop stands.
  await t.deps.db.updateTable('contract').set({ lock_mode: 'linked' }).where('id', '=', master.contractId).execute();

  const page = await client.get(securityPath(user));
  assert.match(page.body, /id="lift-refused"/, 'the page says why there is no lift');
  const before = await stateOf(t.deps, user);
  const refused = await lift(client, user, master.confirmationPassword);
  assert.equal(errorCode(refused.body), 'STOP_LIFT_OPERATOR_ONLY');
  assert.deepEqual(await stateOf(t.deps, user), before);
  assert.equal((await userRow(t.deps, master)).failed_attempts, 0, 'a refused lift costs no attempt');
  assert.equal((await contractRow(t.deps, master.contractId)).lock_mode, 'linked');
});

test('R2.3: lifting a person who is not stopped is refused and changes nothing', async () => {
  const { person: master, client } = await activeMaster(t);
  const user = await addPerson(t.deps, master.contractId);
  const page = await client.get(securityPath(user));
  assert.match(page.body, /id="lift-not-stopped"/);
  const before = await stateOf(t.deps, user);
  const refused = await lift(client, user, master.confirmationPassword);
  assert.equal(refused.statusCode, 409);
  assert.equal(errorCode(refused.body), 'STOP_NOT_STOPPED');
  assert.deepEqual(await stateOf(t.deps, user), before);
});

test('R1.5, R2.3: a wrong confirmation password lifts nothing and counts towards the actor\'s stop; the seventh stops the actor', async () => {
  const { person: master } = await activeMaster(t);
  const admin = await addAdminUser(t.deps, master.contractId);
  const user = await addPerson(t.deps, master.contractId);
  await stopByWrongPasswords(t, user);
  const client = await loggedOn(admin);
  await client.get(securityPath(user));

  for (let i = 1; i <= 6; i++) {
    const wrong = await lift(client, user, 'NotMyConfirm2026');
    assert.equal(wrong.statusCode, 400);
    assert.equal(errorCode(wrong.body), 'CONFIRMATION_PASSWORD_WRONG');
    assert.equal((await userRow(t.deps, admin)).failed_attempts, i);
  }
  assert.notEqual((await userRow(t.deps, user)).stopped_at, null, 'still stopped');
  const failures = (await auditOf(t.deps, master.contractId, 'person.lift_stop')).filter((r) => r.reason === 'wrong_confirmation_password');
  assert.equal(failures.length, 6, 'each wrong entry is audited');

  await lift(client, user, 'NotMyConfirm2026');
  assert.notEqual((await userRow(t.deps, admin)).stopped_at, null, 'the seventh stops the admin user');
  assert.equal((await client.get('/status')).headers.location, '/logon?ended=stopped');
  assert.equal((await contractRow(t.deps, master.contractId)).stopped_at, null, "an unlinked user's stop leaves the contract");
  assert.notEqual((await userRow(t.deps, user)).stopped_at, null);
  assert.equal((await outboxTo(t.deps, user.email, 'mail.securityChange.subject')).length, 0, 'no lift was mailed');
});

test('cross-contract: a master cannot reach another contract\'s people, even one with the same user ID', async () => {
  const { person: masterA, client } = await activeMaster(t);
  const { person: masterB } = await activeMaster(t);
  const userB = await addPerson(t.deps, masterB.contractId);
  await stopByWrongPasswords(t, userB);

  const page = await client.get(securityPath(userB));
  assert.equal(page.statusCode, 404, 'another contract\'s user does not exist here');
  assertNoStackTrace(page);
  await client.get('/status');
  const before = await stateOf(t.deps, userB);
  const refused = await lift(client, userB, masterA.confirmationPassword);
  assert.equal(refused.statusCode, 404);
  assert.equal(errorCode(refused.body), 'NOT_FOUND');
  assert.deepEqual(await stateOf(t.deps, userB), before);

  // A stopped user of contract A who happens to have the same user ID: only A's is lifted.
  const now = t.deps.clock.now();
  await t.deps.db
    .insertInto('users')
    .values({ contract_id: masterA.contractId, user_id: userB.userId, display_name: '同名', role: 'user', created_at: now, stopped_at: now })
    .execute();
  await client.get(securityPath(userB));
  assert.equal((await lift(client, userB, masterA.confirmationPassword)).statusCode, 303);
  const sameId = await t.deps.db.selectFrom('users').select(['contract_id', 'stopped_at']).where('user_id', '=', userB.userId).orderBy('contract_id').execute();
  assert.deepEqual(
    Object.fromEntries(sameId.map((row) => [row.contract_id, row.stopped_at === null ? 'lifted' : 'stopped'])),
    { [masterA.contractId]: 'lifted', [masterB.contractId]: 'stopped' },
  );
});
