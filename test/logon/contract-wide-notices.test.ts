import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Client, errorCode } from '../helpers/client.ts';
import type { TestPerson } from '../helpers/people.ts';
import { liftStop } from '../../src/modules/contracts/service.ts';
import { setCertificateRequired } from '../../src/modules/certificates/bank-actions.ts';
import { translator, type MessageKey } from '../../src/web/i18n/index.ts';
import { activeMaster, addUser, appForFile, outboxTo, passwordStep, userRow } from '../helpers/http-app.ts';

/**
 * R2.3, R4.2, R7.3: a change of the whole contract is told to every person of it with an address,
 * each with what to do, and to nobody of another contract. Lines are found by their message key
 * (filled as the notice fills it), never by wording.
 */
const t = appForFile();

const wrongPassword = 'Wrong2026pass';

async function stop(person: TestPerson): Promise<void> {
  for (let i = 0; i < 7; i++) await passwordStep(new Client(t.app), person, wrongPassword);
  assert.notEqual((await userRow(t.deps, person)).stopped_at, null);
}

function says(body: string, key: MessageKey, params: Record<string, string> = {}): boolean {
  const ja = translator('ja', { contact: `${t.deps.config.bankName} ${t.deps.config.bankContact}` });
  return body.includes(ja(key, params));
}

async function lastMail(recipient: string, subject: MessageKey) {
  const mails = await outboxTo(t.deps, recipient, subject);
  assert.ok(mails.length > 0, `a notice ${subject} reached ${recipient}`);
  return mails.at(-1)!;
}

/** A contract with its master logged on once and two users, and a second contract beside it. */
async function twoContracts(lockMode: 'linked' | 'unlinked' = 'unlinked') {
  const { person: master } = await activeMaster(t, { lockMode });
  const users = [await addUser(t.deps, master.contractId), await addUser(t.deps, master.contractId)];
  const { person: otherMaster } = await activeMaster(t);
  const otherUser = await addUser(t.deps, otherMaster.contractId);
  return { master, users, others: [otherMaster, otherUser] };
}

test('R2.3: a master\'s stop that stops the contract is emailed to every person of it, and to nobody of another contract', async () => {
  const { master, users, others } = await twoContracts();
  await stop(master);
  const own = await lastMail(master.email, 'mail.stopped.subject');
  assert.ok(says(own.body, 'stopNotice.liftByBank'), 'the master is told to call the bank');
  assert.ok(!says(own.body, 'stopNotice.liftByAdmin', { userId: master.userId }));
  for (const user of users) {
    const told = await lastMail(user.email, 'mail.stopped.subject');
    assert.ok(says(told.body, 'stopNotice.contract.forUser'), `${user.userId} is told what to do`);
    assert.ok(told.body.includes(user.userId), 'each notice names its reader');
  }
  for (const other of others) assert.equal((await outboxTo(t.deps, other.email, 'mail.stopped.subject')).length, 0, `${other.userId} of another contract is not told`);
});

test('R2.3 linked: a user\'s stop stops the contract, so every person is told, and the master is told to call the bank', async () => {
  const { master, users } = await twoContracts('linked');
  await stop(users[0]!);
  assert.ok(says((await lastMail(users[0]!.email, 'mail.stopped.subject')).body, 'stopNotice.liftByBank'));
  assert.ok(says((await lastMail(master.email, 'mail.stopped.subject')).body, 'stopNotice.contract.forMaster'));
  assert.ok(says((await lastMail(users[1]!.email, 'mail.stopped.subject')).body, 'stopNotice.contract.forUser'));
});

test('R2.3 not linked: a general user\'s stop email names the master or an admin user and the user\'s page; only the master\'s names the bank', async () => {
  const { master, users } = await twoContracts();
  await stop(users[0]!);
  for (const reader of [users[0]!, master]) {
    const told = await lastMail(reader.email, 'mail.stopped.subject');
    assert.ok(says(told.body, 'stopNotice.liftByAdmin', { userId: users[0]!.userId }), `${reader.userId} is told who lifts it`);
    assert.ok(!says(told.body, 'stopNotice.liftByBank'), 'the bank is not named for a user\'s stop');
  }
  assert.equal((await outboxTo(t.deps, users[1]!.email, 'mail.stopped.subject')).length, 0, 'a person the stop does not concern is not told');
});

test('R2.3, R2.4: a person stopped because of the contract is told so only after the right password', async () => {
  const { master, users } = await twoContracts();
  await stop(master);
  const wrong = await passwordStep(new Client(t.app), users[0]!, wrongPassword);
  assert.equal(errorCode(wrong.body), 'AUTH_LOGON_FAILED', 'a wrong password learns nothing');
  const right = await passwordStep(new Client(t.app), users[0]!);
  assert.equal(errorCode(right.body), 'AUTH_CONTRACT_STOPPED');
  assert.ok(!String(right.headers['set-cookie'] ?? '').includes('__Host-sid='), 'no session is opened');
  assert.equal((await userRow(t.deps, users[0]!)).failed_attempts, 1, 'the right password gave its attempt back; the wrong one counts');
  const ownStop = await passwordStep(new Client(t.app), master);
  assert.equal(errorCode(ownStop.body), 'AUTH_LOGON_FAILED', 'the stopped master\'s own stop answers as before (R2.4)');
});

test('R2.3: the bank lifting a contract\'s stop is emailed to every person of it; one still stopped on their own is told who lifts that', async () => {
  const { master, users, others } = await twoContracts();
  await stop(users[0]!);
  await stop(master);
  assert.deepEqual(await liftStop(t.deps, { contractId: master.contractId, userId: master.userId, operator: 'test' }), { lifted: true });
  for (const person of [master, ...users]) await lastMail(person.email, 'stopNotice.resumed.subject');
  assert.ok(says((await lastMail(users[0]!.email, 'stopNotice.resumed.subject')).body, 'stopNotice.resumed.stillStopped', { yourUserId: users[0]!.userId }));
  assert.ok(!says((await lastMail(users[1]!.email, 'stopNotice.resumed.subject')).body, 'stopNotice.resumed.stillStopped', { yourUserId: users[1]!.userId }));
  for (const other of others) assert.equal((await outboxTo(t.deps, other.email, 'stopNotice.resumed.subject')).length, 0);
});

test('R4.2: the switch to client certificates is emailed to every person of the contract with what to do, and to nobody of another contract', async () => {
  const { master, users, others } = await twoContracts();
  const done = await setCertificateRequired(t.deps, { contractId: master.contractId, required: true, by: { actor: 'operator:test' } });
  assert.equal(done.changed, true);
  for (const person of [master, ...users]) {
    const told = await lastMail(person.email, 'contractNotice.certificates.subject');
    assert.ok(
      says(told.body, 'contractNotice.certificates.todo', {
        yourUserId: person.userId,
        logonUrl: `${t.deps.config.publicUrl}/logon`,
        certificateLogonUrl: `${t.deps.config.certPublicUrl}/logon`,
      }),
      `${person.userId} is told how to get a certificate`,
    );
  }
  assert.ok(says((await lastMail(master.email, 'contractNotice.certificates.subject')).body, 'contractNotice.certificates.forMaster'));
  assert.ok(!says((await lastMail(users[0]!.email, 'contractNotice.certificates.subject')).body, 'contractNotice.certificates.forMaster'));
  for (const other of others) assert.equal((await outboxTo(t.deps, other.email, 'contractNotice.certificates.subject')).length, 0);

  await setCertificateRequired(t.deps, { contractId: master.contractId, required: false, by: { actor: 'operator:test' } });
  for (const person of [master, ...users]) await lastMail(person.email, 'contractNotice.certificatesOff.subject');
});

test('R2.3: the lift the stop email names is on the user\'s own page under 利用者管理', async () => {
  const { person: master, client } = await activeMaster(t);
  const user = await addUser(t.deps, master.contractId);
  await stop(user);
  const page = await client.get(`/users/${user.userId}`);
  assert.equal(page.statusCode, 200);
  assert.match(page.body, new RegExp(`<li data-action="security"><a href="/users/${user.userId}/security">`));
  assert.equal((await client.get(`/users/${user.userId}/security`)).statusCode, 200);
});
