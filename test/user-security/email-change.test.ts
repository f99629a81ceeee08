import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '../helpers/client.ts';
import { lastEmailCode, logon, type TestPerson } from '../helpers/people.ts';
import { activeMaster, appForFile, ja, outboxTo, userRow } from '../helpers/http-app.ts';
import { addPerson } from './people.ts';

const t = appForFile();

async function changeAddress(client: Client, person: TestPerson, address: string): Promise<void> {
  await client.get('/settings/email');
  assert.equal((await client.post('/settings/email', { email: address, confirmationPassword: person.confirmationPassword })).statusCode, 303);
  await client.get('/settings/email');
  assert.equal((await client.post('/settings/email/verify', { code: await lastEmailCode(t.deps, address) })).headers.location, '/settings/email?done=1');
}

test('R7.3: a user\'s change of address is told to the old address, the new one and the master, once each, saying what, when, from where and whom to call', async () => {
  const { person: master } = await activeMaster(t);
  const user = await addPerson(t.deps, master.contractId);
  const client = new Client(t.app, { ip: '203.0.113.77' });
  assert.equal((await logon(client, user)).headers.location, '/status');
  const address = `moved.${user.userId}@customer.example`;
  await changeAddress(client, user, address);

  assert.equal((await userRow(t.deps, user)).email, address);
  for (const recipient of [user.email, address, master.email]) {
    const mails = await outboxTo(t.deps, recipient, 'mail.emailChanged.subject');
    assert.equal(mails.length, 1, `${recipient} is told once`);
    const body = mails[0]!.body;
    assert.ok(body.includes(`「${user.userId}」`), 'whose address');
    assert.ok(body.includes(`${user.email} から ${address} へ`), 'what changed: from the old to the new address');
    assert.ok(body.includes('203.0.113.77'), 'from which IP address');
    assert.match(body, /\d{4}年\d{1,2}月\d{1,2}日（.） \d{2}:\d{2}/, 'when');
    assert.ok(body.includes(ja('mail.notYou').slice(0, 10)), 'what to do if it was not them');
  }
});

test('R7.3: the master\'s own change of address goes to the old and the new address only', async () => {
  const { person: master, client } = await activeMaster(t);
  const address = `moved.${master.userId}@customer.example`;
  await changeAddress(client, master, address);
  assert.equal((await outboxTo(t.deps, master.email, 'mail.emailChanged.subject')).length, 1);
  assert.equal((await outboxTo(t.deps, address, 'mail.emailChanged.subject')).length, 1, 'the new address, which is now the master\'s, once');
  const all = await t.deps.db.selectFrom('outbox').select('recipient').where('contract_id', '=', master.contractId).where('subject', 'like', `${ja('mail.emailChanged.subject')}%`).execute();
  assert.deepEqual(all.map((row) => row.recipient).sort(), [address, master.email].sort());
});

test('R7.3: a user\'s notice reaches a master without a registered address nowhere else, and the change still happens', async () => {
  const { person: master } = await activeMaster(t);
  await t.deps.db.updateTable('users').set({ email: null }).where('contract_id', '=', master.contractId).where('role', '=', 'master').execute();
  const user: TestPerson = await addPerson(t.deps, master.contractId);
  const client = new Client(t.app);
  await logon(client, user);
  const address = `moved.${user.userId}@customer.example`;
  await changeAddress(client, user, address);
  const all = await t.deps.db.selectFrom('outbox').select('recipient').where('contract_id', '=', master.contractId).where('subject', 'like', `${ja('mail.emailChanged.subject')}%`).execute();
  assert.deepEqual(all.map((row) => row.recipient).sort(), [address, user.email].sort());
});
