import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Client, errorCode } from '../helpers/client.ts';
import { logon, type TestPerson } from '../helpers/people.ts';
import { verifySecret } from '../../src/auth/password-hash.ts';
import { deliverDue } from '../../src/outbox/delivery.ts';
import { smtpTransport } from '../../src/outbox/transport.ts';
import { startSmtpPeer } from '../outbox/smtp-peer.ts';
import { readMail } from '../outbox/read-mail.ts';
import { activeMaster, appForFile, ja, outboxTo, stateOf, userRow } from '../helpers/http-app.ts';
import { addAdminUser, addNewUser, addPerson, auditOf, securityPath, stopByWrongPasswords } from './people.ts';

const t = appForFile();

const temporary = 'Temporary2026x';

async function loggedOn(person: TestPerson, ip?: string): Promise<Client> {
  const client = new Client(t.app, { ip });
  assert.equal((await logon(client, person)).headers.location, '/status', `${person.userId} logs on`);
  return client;
}

function reset(client: Client, subject: TestPerson, kind: string, confirmationPassword: string, temp = temporary) {
  return client.post(`${securityPath(subject)}/reset`, { kind, temporary: temp, temporaryRepeat: temp, confirmationPassword });
}

test('R2.5: the master resets a user\'s login password; the old one stops working, the temporary one leads to a forced change; audited and mailed', async () => {
  const { person: master, client } = await activeMaster(t, { ip: '198.51.100.30' });
  const user = await addPerson(t.deps, master.contractId);
  const userSession = await loggedOn(user);
  const before = await userRow(t.deps, user);

  await client.get(securityPath(user));
  const done = await reset(client, user, 'login', master.confirmationPassword);
  assert.equal(done.statusCode, 303);
  assert.equal(done.headers.location, `${securityPath(user)}?done=reset-login`);
  const page = await client.get(String(done.headers.location));
  assert.ok(page.body.includes(ja('userSecurity.reset.done', { kind: ja('password.kind.login') })));
  assert.match(page.body, /id="subject-pending">ログイン暗証番号/);

  const row = await userRow(t.deps, user);
  assert.equal(row.must_change_login, true);
  assert.equal(row.must_change_confirmation, false);
  assert.equal(await verifySecret(row.login_password_hash!, temporary), true);
  assert.equal(row.confirmation_password_hash, before.confirmation_password_hash, 'the other password is untouched');
  assert.equal((await userSession.get('/status')).headers.location, '/logon?ended=credentials', "the user's live session ends, and the page says why");
  assert.match((await userSession.get('/logon?ended=credentials')).body, /class="notice" role="status"/, 'the logon page shows the reason');
  assert.equal(errorCode((await logon(new Client(t.app), user)).body), 'AUTH_LOGON_FAILED', 'the old password no longer works');

  const [audit] = await auditOf(t.deps, master.contractId, 'person.password_reset.login');
  assert.equal(audit!.outcome, 'success');
  assert.equal(audit!.actor, `user:${master.contractId}/${master.userId}`);
  assert.equal(audit!.user_ref, row.id);
  assert.deepEqual({ ...audit!.details }, { subjectUserId: user.userId, kind: 'login', by: 'master' });
  assert.doesNotMatch(JSON.stringify(audit, (_key, value: unknown) => (typeof value === 'bigint' ? String(value) : value)), new RegExp(temporary), 'the temporary password is never recorded');

  for (const recipient of [user.email, master.email]) {
    const mails = await outboxTo(t.deps, recipient, 'mail.securityChange.subject');
    assert.equal(mails.length, 1, recipient);
    const body = mails[0]!.body;
    assert.ok(body.includes(ja('userSecurity.mail.reset', { userId: user.userId, kind: ja('password.kind.login') })));
    assert.ok(body.includes('198.51.100.30'));
    assert.ok(body.includes(`操作者: ${master.userId}`));
    assert.ok(!body.includes(temporary), 'the temporary password is never mailed');
  }

  // The user's next logon, with the temporary password, can do nothing but set a new one.
  const next = new Client(t.app);
  assert.equal((await logon(next, user, temporary)).headers.location, '/setup');
  for (const path of ['/status', '/settings/password', '/settings/email', '/security', securityPath(master)]) {
    assert.equal((await next.get(path)).headers.location, '/setup', `${path} is not reachable before the change`);
  }
  const forced = await next.get('/setup');
  assert.match(forced.body, /id="forced-change" data-kind="login"/);
  const changed = await next.post('/setup/change', { kind: 'login', current: temporary, next: 'Fresh2026login', nextRepeat: 'Fresh2026login' });
  assert.equal(changed.headers.location, '/status');
  assert.equal((await next.get('/status')).statusCode, 200);
  assert.equal((await userRow(t.deps, user)).must_change_login, false);
  assert.equal((await logon(new Client(t.app), user, 'Fresh2026login')).headers.location, '/status', 'the next logon is a normal one');
  assert.equal(errorCode((await logon(new Client(t.app), user, temporary)).body), 'AUTH_LOGON_FAILED', 'the temporary one is gone');
  const setNotice = await outboxTo(t.deps, user.email, 'mail.securityChange.subject');
  assert.ok(setNotice.at(-1)!.body.includes(ja('userSecurity.mail.newPasswordSet', { userId: user.userId, kind: ja('password.kind.login') })));
});

test('R2.5: an admin user resets a user\'s confirmation password; the user must set a new one at the next logon, with the temporary one', async () => {
  const { person: master } = await activeMaster(t);
  const admin = await addAdminUser(t.deps, master.contractId);
  const user = await addPerson(t.deps, master.contractId);
  const client = await loggedOn(admin);
  await client.get(securityPath(user));
  assert.equal((await reset(client, user, 'confirmation', admin.confirmationPassword)).statusCode, 303);
  const row = await userRow(t.deps, user);
  assert.equal(row.must_change_confirmation, true);
  assert.equal(await verifySecret(row.confirmation_password_hash!, temporary), true);
  assert.equal((await outboxTo(t.deps, master.email, 'mail.securityChange.subject')).length, 1, 'the master is told');

  const next = new Client(t.app);
  assert.equal((await logon(next, user)).headers.location, '/setup', 'the login password still works, and leads to the change');
  assert.match((await next.get('/setup')).body, /data-kind="confirmation"/);
  const done = await next.post('/setup/change', { kind: 'confirmation', current: temporary, next: 'Fresh2026confirm', nextRepeat: 'Fresh2026confirm' });
  assert.equal(done.headers.location, '/status');
  const after = await userRow(t.deps, user);
  assert.equal(after.must_change_confirmation, false);
  assert.equal(await verifySecret(after.confirmation_password_hash!, 'Fresh2026confirm'), true);
});

test('R2.5: both passwords reset: the next logon asks for the login password, then the confirmation password, then opens the status page', async () => {
  const { person: master, client } = await activeMaster(t);
  const user = await addPerson(t.deps, master.contractId);
  await client.get(securityPath(user));
  assert.equal((await reset(client, user, 'login', master.confirmationPassword, 'TempLogin2026')).statusCode, 303);
  await client.get(securityPath(user));
  assert.equal((await reset(client, user, 'confirmation', master.confirmationPassword, 'TempConfirm2026')).statusCode, 303);

  const next = new Client(t.app);
  assert.equal((await logon(next, user, 'TempLogin2026')).headers.location, '/setup');
  await next.get('/setup');
  assert.equal((await next.post('/setup/change', { kind: 'login', current: 'TempLogin2026', next: 'Fresh2026login', nextRepeat: 'Fresh2026login' })).headers.location, '/setup');
  assert.equal((await next.get('/status')).headers.location, '/setup', 'still nothing else');
  assert.match((await next.get('/setup')).body, /data-kind="confirmation"/);
  const done = await next.post('/setup/change', { kind: 'confirmation', current: 'TempConfirm2026', next: 'Fresh2026confirm', nextRepeat: 'Fresh2026confirm' });
  assert.equal(done.headers.location, '/status');
  const row = await userRow(t.deps, user);
  assert.deepEqual([row.must_change_login, row.must_change_confirmation], [false, false]);
});

test('R2.5: a reset does not lift a stop; the stop is lifted on its own', async () => {
  const { person: master, client } = await activeMaster(t);
  const user = await addPerson(t.deps, master.contractId);
  await stopByWrongPasswords(t, user);
  await client.get(securityPath(user));
  assert.equal((await reset(client, user, 'login', master.confirmationPassword)).statusCode, 303);
  assert.notEqual((await userRow(t.deps, user)).stopped_at, null);
  assert.equal(errorCode((await logon(new Client(t.app), user, temporary)).body), 'AUTH_LOGON_FAILED');
  await client.get(securityPath(user));
  assert.equal((await client.post(`${securityPath(user)}/lift`, { confirmationPassword: master.confirmationPassword })).statusCode, 303);
  assert.equal((await logon(new Client(t.app), user, temporary)).headers.location, '/setup');
});

test('R1.4, R2.5: refusals — a general user (FORBIDDEN), the master\'s passwords (the bank\'s), one\'s own (changed, not reset), a user before the first logon — change nothing and cost no attempt', async () => {
  const { person: master, client: masterClient } = await activeMaster(t);
  const admin = await addAdminUser(t.deps, master.contractId);
  const general = await addPerson(t.deps, master.contractId);
  const user = await addPerson(t.deps, master.contractId);
  const newcomer = await addNewUser(t.deps, master.contractId);
  const generalClient = await loggedOn(general);
  const adminClient = await loggedOn(admin);

  const cases: { label: string; client: Client; actor: TestPerson; subject: TestPerson; code: string; status: number }[] = [
    { label: 'a general user on a user', client: generalClient, actor: general, subject: user, code: 'FORBIDDEN', status: 403 },
    { label: 'a general user on the master', client: generalClient, actor: general, subject: master, code: 'FORBIDDEN', status: 403 },
    { label: 'an admin user on the master', client: adminClient, actor: admin, subject: master, code: 'PASSWORD_RESET_OPERATOR_ONLY', status: 403 },
    { label: 'the master on itself', client: masterClient, actor: master, subject: master, code: 'PASSWORD_RESET_OPERATOR_ONLY', status: 403 },
    { label: 'an admin user on itself', client: adminClient, actor: admin, subject: admin, code: 'PASSWORD_RESET_SELF', status: 403 },
    { label: 'a user who has not logged on yet', client: masterClient, actor: master, subject: newcomer, code: 'PASSWORD_RESET_NOT_SET_UP', status: 409 },
  ];
  for (const { label, client, actor, subject, code, status } of cases) {
    await client.get('/status');
    const before = await stateOf(t.deps, subject);
    const refused = await reset(client, subject, 'login', actor.confirmationPassword);
    assert.equal(refused.statusCode, status, label);
    assert.equal(errorCode(refused.body), code, label);
    assert.deepEqual(await stateOf(t.deps, subject), before, `${label}: nothing changed`);
    assert.equal((await userRow(t.deps, actor)).failed_attempts, 0, `${label}: no attempt used`);
  }
  const refusals = (await auditOf(t.deps, master.contractId, 'person.password_reset.login')).map((r) => [r.outcome, r.reason]);
  assert.deepEqual(refusals, [
    ['failure', 'forbidden'],
    ['failure', 'forbidden'],
    ['failure', 'password_reset_operator_only'],
    ['failure', 'password_reset_operator_only'],
    ['failure', 'password_reset_self'],
  ]);
});

test('R1.5: a wrong confirmation password resets nothing and counts towards the actor\'s stop', async () => {
  const { person: master, client } = await activeMaster(t);
  const user = await addPerson(t.deps, master.contractId);
  await client.get(securityPath(user));
  const before = await stateOf(t.deps, user);
  const wrong = await reset(client, user, 'login', 'NotMyConfirm2026');
  assert.equal(errorCode(wrong.body), 'CONFIRMATION_PASSWORD_WRONG');
  assert.deepEqual(await stateOf(t.deps, user), before);
  assert.equal((await userRow(t.deps, master)).failed_attempts, 1);
  assert.equal((await auditOf(t.deps, master.contractId, 'person.password_reset.login')).at(-1)!.reason, 'wrong_confirmation_password');
  assert.equal((await reset(client, user, 'login', master.confirmationPassword)).statusCode, 303, 'the right one then works');
  assert.equal((await userRow(t.deps, master)).failed_attempts, 1, 'the earlier failure stays until a completed logon');
});

test('cross-contract: a reset of another contract\'s user is NOT_FOUND and touches nothing there', async () => {
  const { person: masterA, client } = await activeMaster(t);
  const { person: masterB } = await activeMaster(t);
  const userB = await addPerson(t.deps, masterB.contractId);
  await client.get('/status');
  const before = await stateOf(t.deps, userB);
  const refused = await reset(client, userB, 'login', masterA.confirmationPassword);
  assert.equal(refused.statusCode, 404);
  assert.equal(errorCode(refused.body), 'NOT_FOUND');
  assert.deepEqual(await stateOf(t.deps, userB), before);
  assert.equal((await userRow(t.deps, masterA)).failed_attempts, 0);
});

test('R7.3: a reset notice reaches the user and the master through a real SMTP server, each once, with what, when, where from and whom to call', async () => {
  const peer = await startSmtpPeer();
  const transport = smtpTransport(peer.url, 'ib-noreply@demo-bank.example');
  try {
    const { person: master, client } = await activeMaster(t, { ip: '192.0.2.45' });
    const user = await addPerson(t.deps, master.contractId);
    // Only this test's messages are delivered: everything older is marked sent beforehand.
    await t.deps.db.updateTable('outbox').set({ status: 'sent' }).where('status', '=', 'pending').execute();
    await client.get(securityPath(user));
    assert.equal((await reset(client, user, 'confirmation', master.confirmationPassword)).statusCode, 303);

    assert.deepEqual(await deliverDue(t.deps.db, t.deps.clock, transport), { sent: 2, failed: 0 });
    assert.deepEqual(peer.accepted.map((m) => m.envelopeTo).sort(), [[master.email], [user.email]].sort());
    for (const received of peer.accepted) {
      const mail = readMail(received.raw);
      assert.equal(mail.subject, `${ja('mail.securityChange.subject')} / A security-relevant change was made`);
      assert.ok(mail.body.includes(ja('userSecurity.mail.reset', { userId: user.userId, kind: ja('password.kind.confirmation') })), 'what changed');
      assert.ok(mail.body.includes(`対象の利用者ID: ${user.userId}`));
      assert.ok(mail.body.includes('接続元IPアドレス: 192.0.2.45'), 'from which IP address');
      assert.match(mail.body, /日時: 2026年\d{1,2}月\d{1,2}日（.） \d{2}:\d{2}/, 'when');
      assert.ok(mail.body.includes('If this was not you'), 'what to do if it was not them');
      assert.ok(!mail.body.includes(temporary), 'never the temporary password');
    }
    assert.deepEqual(await deliverDue(t.deps.db, t.deps.clock, transport), { sent: 0, failed: 0 }, 'each is sent once');
  } finally {
    transport.close?.();
    await peer.close();
  }
});
