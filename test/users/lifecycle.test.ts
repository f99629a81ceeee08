import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { Client, errorCode } from '../helpers/client.ts';
import { logon } from '../helpers/people.ts';
import { activeMaster, appForFile, assertNoStackTrace, ja, outboxTo, userRow } from '../helpers/http-app.ts';
import { addAccounts, addUserWith, changeFields, contractState, newUserFields, personRow, refusal } from './helpers.ts';

const t = appForFile();

async function contractWithUser() {
  const { person: master, client } = await activeMaster(t);
  const accounts = await addAccounts(t.deps, master.contractId, 3);
  const user = await addUserWith(t.deps, master.contractId, [{ business: 'inquiry' }, { business: 'transfer', register: true, perTransactionLimitYen: 100_000n, dailyLimitYen: 200_000n }], [accounts[0]!]);
  return { master, client, accounts, user };
}

async function auditOf(ref: number, action: string) {
  return t.deps.db.selectFrom('audit_log').selectAll().where('user_ref', '=', ref).where('action', '=', action).orderBy('seq').execute();
}

test('R1.4: the master changes a user’s name, email, permissions, steps, limits and accounts; the change is audited and mailed to the address in use and the master, and the new address gets the code that confirms it', async () => {
  const { master, client, accounts, user } = await contractWithUser();
  const page = await client.get(`/users/${user.userId}`);
  assert.equal(page.statusCode, 200);
  assert.ok(page.body.includes('value="100000"'), 'the current limits are shown');
  const response = await client.post(
    `/users/${user.userId}`,
    changeFields(page.body, master.confirmationPassword, {
      displayName: '承認 次郎',
      email: 'approver@customer.example',
      transfer_approve: '1',
      transfer_perTransactionYen: '500000',
      transfer_dailyYen: '900000',
      grant_bulk_transfer: '1',
      bulk_transfer_send: '1',
      bulk_transfer_perTransactionYen: '10000000',
      bulk_transfer_dailyYen: '50000000',
      account: [String(accounts[1]), String(accounts[2])],
    }),
  );
  assert.equal(response.headers.location, `/users/${user.userId}?done=changed`, errorCode(response.body));

  const row = await userRow(t.deps, user);
  assert.equal(row.display_name, '承認 次郎');
  assert.equal(row.email, user.email, 'R7.3: the new address waits for its owner');
  assert.equal(row.unconfirmed_email, 'approver@customer.example');
  const permissions = await t.deps.db.selectFrom('user_permission').selectAll().where('user_ref', '=', user.ref).orderBy('business').execute();
  assert.deepEqual(
    permissions.map((p) => [p.business, p.can_register, p.can_approve, p.can_send, p.per_transaction_limit_yen, p.daily_limit_yen]),
    [
      ['bulk_transfer', false, false, true, 10_000_000n, 50_000_000n],
      ['inquiry', false, false, false, null, null],
      ['transfer', true, true, false, 500_000n, 900_000n],
    ],
  );
  const usable = await t.deps.db.selectFrom('user_account').select('account_id').where('user_ref', '=', user.ref).orderBy('account_id').execute();
  assert.deepEqual(usable.map((a) => a.account_id), [accounts[1], accounts[2]]);

  const [audit] = await auditOf(user.ref, 'user.change');
  assert.ok(audit);
  const details = audit.details as Record<string, { from: unknown; to: unknown }>;
  assert.deepEqual(details.email, { from: user.email, to: 'approver@customer.example', inUse: user.email });
  assert.deepEqual(details.accountIds, { from: [accounts[0]], to: [accounts[1], accounts[2]] });
  assert.deepEqual((details.grants!.to as { business: string }[]).map((g) => g.business), ['inquiry', 'transfer', 'bulk_transfer']);

  // R7.3: the change is told at the address in use and to the master; the new address gets only its code.
  assert.equal((await outboxTo(t.deps, 'approver@customer.example', 'mail.securityChange.subject')).length, 0);
  assert.equal((await outboxTo(t.deps, 'approver@customer.example', 'mail.emailCode.subject')).length, 1);
  for (const recipient of [user.email, master.email]) {
    const mails = await outboxTo(t.deps, recipient, 'mail.securityChange.subject');
    assert.equal(mails.length, 1, recipient);
    assert.ok(mails[0]!.body.includes(ja('users.mail.changed', { profile: ja('users.mail.mark.changed'), permissions: ja('users.mail.mark.changed'), accounts: ja('users.mail.mark.changed') })));
    assert.match(mails[0]!.body, new RegExp(user.userId));
  }
  const shown = await client.get(`/users/${user.userId}?done=changed`);
  assert.ok(shown.body.includes(ja('users.done.changed', { userId: user.userId })));
  assert.ok(shown.body.includes(ja('users.role.approver')), 'R1.6: holding the approve step makes an approver');
});

test('R7.3: an address set by an administrator receives no notice until its owner confirms the code sent to it; the confirmed address is then used', async () => {
  const { master, client, user } = await contractWithUser();
  const address = `${user.userId}.new@customer.example`;
  const change = async (fields: Record<string, string>) => {
    const page = await client.get(`/users/${user.userId}`);
    const response = await client.post(`/users/${user.userId}`, changeFields(page.body, master.confirmationPassword, fields));
    assert.equal(response.headers.location, `/users/${user.userId}?done=changed`, errorCode(response.body));
  };
  await change({ email: address });
  const shown = await client.get(`/users/${user.userId}`);
  assert.match(shown.body, /id="email-unconfirmed"/, 'the administration page shows the address as unconfirmed');
  assert.ok(shown.body.includes(ja('users.email.unconfirmed', { email: address })));
  assert.ok(shown.body.includes(`value="${address}"`), 'the form holds the address set');

  // Further notices about the person still go to the address they confirmed, not the one set.
  await change({ displayName: '名前 変更' });
  assert.equal((await outboxTo(t.deps, address, 'mail.securityChange.subject')).length, 0, 'nothing but the code reaches the new address');
  assert.equal((await outboxTo(t.deps, user.email, 'mail.securityChange.subject')).length, 2);

  // The owner logs on (they have a confirmed address, so nothing holds them) and enters the code.
  const userClient = new Client(t.app, { ip: '198.51.100.60' });
  assert.equal((await logon(userClient, user)).headers.location, '/status');
  const page = await userClient.get('/settings/email');
  assert.ok(page.body.includes(ja('email.unconfirmed', { email: address })), 'the owner is asked for the code');
  const code = /: (\d{6})/.exec((await outboxTo(t.deps, address, 'mail.emailCode.subject'))[0]!.body)![1]!;
  assert.equal((await userClient.post('/settings/email/verify', { code })).headers.location, '/settings/email?done=1');
  const row = await userRow(t.deps, user);
  assert.deepEqual([row.email, row.unconfirmed_email], [address, null]);
  assert.notEqual(row.email_confirmed_at, null);
  for (const recipient of [user.email, address, master.email]) {
    assert.equal((await outboxTo(t.deps, recipient, 'mail.emailChanged.subject')).length, 1, `${recipient} is told of the change`);
  }

  // From now on the confirmed address is the one notices go to.
  await change({ displayName: '名前 再変更' });
  assert.equal((await outboxTo(t.deps, address, 'mail.securityChange.subject')).length, 1);
  assert.equal((await outboxTo(t.deps, user.email, 'mail.securityChange.subject')).length, 2, 'the old address hears no more');
  assert.doesNotMatch((await client.get(`/users/${user.userId}`)).body, /id="email-unconfirmed"/);
});

test('R7.3: typing back the address in use withdraws an address waiting for its owner, whose code then confirms nothing', async () => {
  const { master, client, user } = await contractWithUser();
  const address = `${user.userId}.withdrawn@customer.example`;
  const page = await client.get(`/users/${user.userId}`);
  await client.post(`/users/${user.userId}`, changeFields(page.body, master.confirmationPassword, { email: address }));
  const again = await client.get(`/users/${user.userId}`);
  const withdrawn = await client.post(`/users/${user.userId}`, changeFields(again.body, master.confirmationPassword, { email: user.email }));
  assert.equal(withdrawn.headers.location, `/users/${user.userId}?done=changed`, errorCode(withdrawn.body));
  const row = await userRow(t.deps, user);
  assert.deepEqual([row.email, row.unconfirmed_email], [user.email, null]);
  const userClient = new Client(t.app, { ip: '198.51.100.61' });
  await logon(userClient, user);
  await userClient.get('/settings/email');
  const code = /: (\d{6})/.exec((await outboxTo(t.deps, address, 'mail.emailCode.subject'))[0]!.body)![1]!;
  assert.equal(errorCode((await userClient.post('/settings/email/verify', { code })).body), 'EMAIL_CODE_EXPIRED');
  assert.equal((await userRow(t.deps, user)).email, user.email);
});

test('a form sent back unchanged changes nothing, asks no confirmation and mails nobody', async () => {
  const { master, client, user } = await contractWithUser();
  const page = await client.get(`/users/${user.userId}`);
  const before = await contractState(t.deps, master.contractId);
  const response = await client.post(`/users/${user.userId}`, changeFields(page.body, 'Whatever2026x'));
  assert.equal(response.headers.location, `/users/${user.userId}?done=unchanged`);
  assert.deepEqual(await contractState(t.deps, master.contractId), before);
  assert.equal((await userRow(t.deps, master)).failed_attempts, 0);
});

test('R1.4: a suspended user cannot log on and is logged off at once; resuming lets them in again; each is audited and mailed', async () => {
  const { master, client, user } = await contractWithUser();
  const userClient = new Client(t.app, { ip: '198.51.100.50' });
  assert.equal((await logon(userClient, user)).headers.location, '/status');

  const confirmPage = await client.get(`/users/${user.userId}/suspend`);
  assert.equal(confirmPage.statusCode, 200);
  assert.ok(confirmPage.body.includes(`action="/users/${user.userId}/suspend"`));
  const suspended = await client.post(`/users/${user.userId}/suspend`, { confirmationPassword: master.confirmationPassword });
  assert.equal(suspended.headers.location, `/users/${user.userId}?done=suspended`, errorCode(suspended.body));
  assert.equal((await userRow(t.deps, user)).status, 'suspended');
  assert.equal((await userClient.get('/status')).headers.location, '/logon?ended=stopped', 'the live session ended');
  assert.equal(errorCode((await logon(new Client(t.app), user)).body), 'AUTH_LOGON_FAILED', 'no logon while suspended');
  const list = await client.get('/users');
  assert.ok((/<tr class="suspended" data-user-id="[^"]+">[\s\S]*?<\/tr>/.exec(list.body)?.[0] ?? '').includes(ja('users.status.suspended')));

  // Suspending again is refused as the state it is in.
  await client.get(`/users/${user.userId}`);
  assert.equal(refusal(await client.post(`/users/${user.userId}/suspend`, { confirmationPassword: master.confirmationPassword })), 'USERS_STATUS_CONFLICT');

  await client.get(`/users/${user.userId}/resume`);
  const resumed = await client.post(`/users/${user.userId}/resume`, { confirmationPassword: master.confirmationPassword });
  assert.equal(resumed.headers.location, `/users/${user.userId}?done=resumed`);
  assert.equal((await logon(new Client(t.app), user)).headers.location, '/status', 'logs on again');

  assert.equal((await auditOf(user.ref, 'user.suspend')).length, 1);
  assert.equal((await auditOf(user.ref, 'user.resume')).length, 1);
  for (const recipient of [user.email, master.email]) {
    const bodies = (await outboxTo(t.deps, recipient, 'mail.securityChange.subject')).map((m) => m.body);
    assert.ok(bodies.some((b) => b.includes(ja('users.mail.suspended'))), recipient);
    assert.ok(bodies.some((b) => b.includes(ja('users.mail.resumed'))), recipient);
  }
  assert.equal(refusal(await client.get(`/users/${user.userId}/resume`)), 'USERS_STATUS_CONFLICT', 'an active user has nothing to resume');
});

test('R1.4: a deleted user keeps the row as a record, cannot log on, is logged off, its open card request is withdrawn, and nothing more can be done to it', async () => {
  const { master, client, accounts } = await contractWithUser();
  await client.get('/users/new');
  await client.post('/users/new', newUserFields(master, accounts, { userId: 'leaver' }));
  const leaverRef = (await personRow(t.deps, master.contractId, 'leaver'))!.id;

  await client.get('/users/leaver/delete');
  const deleted = await client.post('/users/leaver/delete', { confirmationPassword: master.confirmationPassword });
  assert.equal(deleted.headers.location, '/users/leaver?done=deleted', errorCode(deleted.body));
  const row = await personRow(t.deps, master.contractId, 'leaver');
  assert.equal(row?.status, 'deleted', 'the row stays');
  const request = await t.deps.db.selectFrom('grid_card_request').selectAll().where('user_ref', '=', leaverRef).executeTakeFirstOrThrow();
  assert.notEqual(request.cancelled_at, null, 'the bank is no longer asked for the card');
  const page = await client.get('/users/leaver?done=deleted');
  assert.ok(page.body.includes(ja('users.readOnly.deleted')));
  assert.ok(!page.body.includes('class="card person-form"'));
  assert.ok(!page.body.includes('/users/leaver/resume'), 'no action is offered');

  const before = await contractState(t.deps, master.contractId);
  for (const act of ['suspend', 'resume', 'delete']) {
    await client.get('/status');
    assert.equal(refusal(await client.post(`/users/leaver/${act}`, { confirmationPassword: master.confirmationPassword })), 'USERS_DELETED', act);
  }
  assert.equal(refusal(await client.post('/users/leaver', { displayName: 'x', email: 'x@customer.example', confirmationPassword: master.confirmationPassword })), 'USERS_DELETED');
  assert.deepEqual(await contractState(t.deps, master.contractId), before);
  const [audit] = await auditOf(leaverRef, 'user.delete');
  assert.deepEqual((audit!.details as { status: unknown }).status, { from: 'active', to: 'deleted' });
});

test('R1.4: deleting a user who is logged on ends the session and the person can never log on again', async () => {
  const { master, client, user } = await contractWithUser();
  const userClient = new Client(t.app, { ip: '198.51.100.51' });
  await logon(userClient, user);
  await client.get(`/users/${user.userId}/delete`);
  await client.post(`/users/${user.userId}/delete`, { confirmationPassword: master.confirmationPassword });
  assert.equal((await userClient.get('/status')).headers.location, '/logon?ended=stopped');
  assert.equal(errorCode((await logon(new Client(t.app), user)).body), 'AUTH_LOGON_FAILED');
});

test('the change form refuses bad input on the same page and changes nothing', async () => {
  const { master, client, user } = await contractWithUser();
  const page = await client.get(`/users/${user.userId}`);
  const url = `/users/${user.userId}`;
  const cases: [string, Record<string, string | string[] | undefined>, string][] = [
    ['a name with a control character', { displayName: 'a\u0001b' }, 'USERS_NAME_INVALID'],
    ['the name as a list', { displayName: ['a', 'b'] }, 'USERS_NAME_INVALID'],
    ['an email with a newline', { email: 'a@customer.example\r\nBcc: x@evil.example' }, 'EMAIL_INVALID'],
    ['a negative limit', { transfer_perTransactionYen: '-100' }, 'USERS_LIMIT_INVALID'],
    ['a fractional limit', { transfer_perTransactionYen: '100.0' }, 'USERS_LIMIT_INVALID'],
    ['a limit above the master’s own', { transfer_perTransactionYen: '10000001', transfer_dailyYen: '10000001' }, 'USERS_LIMIT_BEYOND_OWN'],
    ['a limit of another business as a list', { transfer_perTransactionYen: ['1', '2'] }, 'USERS_LIMIT_INVALID'],
    ['a step as a list', { transfer_send: ['1', '1'] }, 'INPUT_INVALID'],
    ['no confirmation password', { confirmationPassword: undefined, displayName: 'changed' }, 'CONFIRMATION_PASSWORD_WRONG'],
  ];
  const before = await contractState(t.deps, master.contractId);
  for (const [label, overrides, code] of cases) {
    const response = await client.post(url, changeFields(page.body, master.confirmationPassword, overrides));
    assert.ok(response.statusCode >= 400 && response.statusCode < 500, label);
    assert.ok(response.body.includes(`<form method="post" action="${url}"`), `${label}: the form is shown again`);
    assert.equal(errorCode(response.body), code, label);
    assertNoStackTrace(response);
  }
  assert.deepEqual(await contractState(t.deps, master.contractId), before);
  assert.equal((await userRow(t.deps, master)).failed_attempts, 0);
  for (const act of ['suspend', 'delete']) {
    await client.get(`${url}/${act}`);
    const malformed: Record<string, string | string[]>[] = [{}, { confirmationPassword: ['a', 'b'] }, { confirmationPassword: '' }];
    for (const fields of malformed) {
      const response = await client.post(`${url}/${act}`, fields);
      assert.equal(errorCode(response.body), 'CONFIRMATION_PASSWORD_WRONG', act);
      assert.ok(response.body.includes(`action="${url}/${act}"`));
    }
  }
  assert.deepEqual(await contractState(t.deps, master.contractId), before);
});

test('the users pages are in Japanese by default and complete in English', async () => {
  const { client, user } = await contractWithUser();
  for (const url of ['/users', '/users/new', `/users/${user.userId}`, `/users/${user.userId}/suspend`]) {
    const japanese = await client.get(url);
    assert.equal(japanese.statusCode, 200, url);
    assert.match(japanese.body, /<html lang="ja">/);
    const english = await client.get(`${url}?lang=en`);
    assert.match(english.body, /<html lang="en">/);
    const main = /<main[\s\S]*<\/main>/.exec(english.body)?.[0] ?? '';
    // Only data may be Japanese on an English page: names, company names and holders in kana.
    const text = main.replace(/<[^>]+>/g, ' ').replace(/テスト商事\d+|テスト 太郎|利用者 \d+|ﾃｽﾄｼﾖｳｼﾞ/g, '');
    assert.doesNotMatch(text, /[\u3040-\u30ff\u4e00-\u9fff]/u, `${url}: no Japanese text on the English page`);
    await client.get(`${url}?lang=ja`);
  }
});
