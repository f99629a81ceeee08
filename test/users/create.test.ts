import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Client, errorCode } from '../helpers/client.ts';
import { logon, type TestPerson } from '../helpers/people.ts';
import { issueGridCard } from '../../src/modules/contracts/service.ts';
import { registrationPasswordValidDays } from '../../src/auth/password-rules.ts';
import { activeMaster, appForFile, assertNoStackTrace, contractRow, ja, outboxTo, passwordStep, userRow } from '../helpers/http-app.ts';
import { fullWidth, tenKilobytes } from '../helpers/bad-input.ts';
import { addAccounts, completeUserFirstLogon, contractState, newUserFields, personRow } from './helpers.ts';

const t = appForFile();

async function masterWithAccounts() {
  const { person, client } = await activeMaster(t);
  const accounts = await addAccounts(t.deps, person.contractId, 3);
  return { master: person, client, accounts };
}

test('R1.4: the master creates a user with permissions, steps, limits and accounts; the initial password is stored as a one-time registration password with an expiry, and a card is asked of the bank', async () => {
  const { master, client, accounts } = await masterWithAccounts();
  const form = await client.get('/users/new');
  assert.equal(form.statusCode, 200);
  assert.ok(form.body.includes('<form method="post" action="/users/new"'));

  const created = await client.post('/users/new', newUserFields(master, [accounts[0]!, accounts[2]!]));
  assert.equal(created.statusCode, 303, errorCode(created.body));
  assert.equal(created.headers.location, '/users/clerk01?done=created');

  const row = await personRow(t.deps, master.contractId, 'clerk01');
  assert.ok(row);
  assert.equal(row.role, 'user');
  assert.equal(row.status, 'active');
  assert.equal(row.display_name, '経理 花子');
  assert.equal(row.email, null, 'R7.3: the address is not used before its owner confirms it');
  assert.equal(row.unconfirmed_email, 'clerk01@customer.example');
  assert.equal(row.login_password_hash, null, 'the user sets their own passwords at the first logon');
  assert.equal(row.confirmation_password_hash, null);
  assert.match(row.registration_password_hash ?? '', /^\$argon2id\$/, 'R2.2: only a hash of the initial password is kept');
  assert.equal(row.registration_password_expires_at?.getTime(), t.deps.clock.now().getTime() + registrationPasswordValidDays * 86_400_000);

  const permissions = await t.deps.db.selectFrom('user_permission').selectAll().where('user_ref', '=', row.id).orderBy('business').execute();
  assert.deepEqual(
    permissions.map((p) => [p.business, p.can_register, p.can_approve, p.can_send, p.per_transaction_limit_yen, p.daily_limit_yen]),
    [
      ['inquiry', false, false, false, null, null],
      ['transfer', true, false, false, 1_000_000n, 3_000_000n],
    ],
  );
  const usable = await t.deps.db.selectFrom('user_account').select('account_id').where('user_ref', '=', row.id).orderBy('account_id').execute();
  assert.deepEqual(usable.map((a) => a.account_id), [accounts[0], accounts[2]]);

  const masterRow = await userRow(t.deps, master);
  const requests = await t.deps.db.selectFrom('grid_card_request').selectAll().where('user_ref', '=', row.id).execute();
  assert.equal(requests.length, 1, 'R3.3: the new user’s card is asked of the bank');
  assert.equal(requests[0]!.reason, 'new_user');
  assert.equal(requests[0]!.requested_by, masterRow.id);
  assert.equal(requests[0]!.fulfilled_at, null);

  const audit = await t.deps.db.selectFrom('audit_log').selectAll().where('user_ref', '=', row.id).orderBy('seq').execute();
  assert.deepEqual(audit.map((a) => [a.action, a.outcome]), [['user.create', 'success'], ['grid_card.request', 'success'], ['email.code_sent', 'info']]);
  assert.equal(audit[0]!.actor, `user:${master.contractId}/${master.userId}`);
  assert.deepEqual((audit[0]!.details as { grants: unknown }).grants, [
    { business: 'inquiry', steps: [], perTransactionLimitYen: null, dailyLimitYen: null },
    { business: 'transfer', steps: ['register'], perTransactionLimitYen: '1000000', dailyLimitYen: '3000000' },
  ]);

  // R7.3: the master is told; the new address gets only the code that confirms it, naming who set
  // it; the initial password is in no email.
  const told = await outboxTo(t.deps, master.email, 'mail.securityChange.subject');
  assert.equal(told.length, 1);
  assert.match(told[0]!.body, /clerk01/);
  assert.match(told[0]!.body, new RegExp(master.userId));
  assert.match(told[0]!.body, /203\.0\.113\.10/);
  const toNewAddress = await outboxTo(t.deps, 'clerk01@customer.example');
  assert.deepEqual(toNewAddress.map((m) => m.subject), [`${ja('mail.emailCode.subject')} / Email confirmation code`]);
  assert.match(toNewAddress[0]!.body, new RegExp(`「${master.userId}」`));
  for (const mail of [...told, ...toNewAddress]) assert.doesNotMatch(mail.body, /Welcome2026a/);

  const page = await client.get('/users/clerk01?done=created');
  assert.equal(page.statusCode, 200);
  assert.ok(page.body.includes(ja('users.done.created', { userId: 'clerk01' })));
  const list = await client.get('/users');
  const listed = /<tr class="active" data-user-id="clerk01">[\s\S]*?<\/tr>/.exec(list.body)?.[0] ?? '';
  assert.ok(listed.includes(ja('users.role.general')));
  assert.ok(listed.includes(ja('users.card.requested')));
  assert.ok(listed.includes(ja('users.business.transfer')));
});

test('R1.3 for a new user: with the initial password and the card the bank issues, the user sets their own passwords and reaches the status page; the initial password never works again', async () => {
  const { master, client, accounts } = await masterWithAccounts();
  await client.get('/users/new');
  const created = await client.post('/users/new', newUserFields(master, [accounts[0]!], { userId: 'newcomer', email: 'newcomer@customer.example' }));
  assert.equal(created.statusCode, 303, errorCode(created.body));

  const user: TestPerson = {
    contractId: master.contractId,
    userId: 'newcomer',
    registrationPassword: 'Welcome2026a',
    digits: '',
    loginPassword: 'MyOwnLogin2026',
    confirmationPassword: 'MyOwnConfirm2026',
    email: 'newcomer@customer.example',
  };
  // Before the bank has issued the card, the logon cannot be completed.
  const early = new Client(t.app, { ip: '198.51.100.20' });
  assert.equal((await passwordStep(early, user, user.registrationPassword)).headers.location, '/logon/grid');
  assert.doesNotMatch((await early.get('/logon/grid')).body, /class="cell-name"/);

  const card = await issueGridCard(t.deps, { contractId: master.contractId, userId: 'newcomer', operator: 'bank-clerk' });
  user.digits = card.digits;
  const browser = new Client(t.app, { ip: '198.51.100.21' });
  await completeUserFirstLogon(browser, t.deps, user);
  const status = await browser.get('/status');
  assert.equal(status.statusCode, 200);
  assert.ok(status.body.includes('newcomer'));
  assert.ok(!status.body.includes('href="/users"'), 'a general user is not offered 利用者管理');
  assert.ok((await client.get('/status')).body.includes('href="/users"'), 'the master is');

  const row = await personRow(t.deps, master.contractId, 'newcomer');
  assert.equal(row?.registration_password_hash, null, 'the initial password is consumed');
  // R7.3: the code emailed when the master registered the address is the one entered at the first logon.
  assert.equal(row?.email, 'newcomer@customer.example');
  assert.equal((await t.deps.db.selectFrom('audit_log').select('id').where('user_ref', '=', row!.id).where('action', '=', 'email.code_sent').execute()).length, 1);
  const again = await logon(new Client(t.app), user, user.registrationPassword);
  assert.equal(errorCode(again.body), 'AUTH_LOGON_FAILED');
  const normal = await logon(new Client(t.app), user);
  assert.equal(normal.headers.location, '/status', 'the user’s own password works');
});

test('R1.2: a user ID is unique within its contract, deleted people’s IDs included, but free in another contract', async () => {
  const { master, client, accounts } = await masterWithAccounts();
  await client.get('/users/new');
  assert.equal((await client.post('/users/new', newUserFields(master, accounts))).statusCode, 303);
  const before = await contractState(t.deps, master.contractId);
  const duplicate = await client.post('/users/new', newUserFields(master, accounts, { email: 'other@customer.example' }));
  assert.equal(duplicate.statusCode, 409);
  assert.equal(errorCode(duplicate.body), 'USERS_USER_ID_TAKEN');
  assert.deepEqual(await contractState(t.deps, master.contractId), before);

  await t.deps.db.updateTable('users').set({ status: 'deleted' }).where('contract_id', '=', master.contractId).where('user_id', '=', 'clerk01').execute();
  assert.equal(errorCode((await client.post('/users/new', newUserFields(master, accounts))).body), 'USERS_USER_ID_TAKEN');

  const other = await masterWithAccounts();
  await other.client.get('/users/new');
  assert.equal((await other.client.post('/users/new', newUserFields(other.master, other.accounts))).statusCode, 303);
});

test('/users/new refuses bad input on the same page, creates nothing, sends nothing and counts no failure', async () => {
  const { master, client, accounts } = await masterWithAccounts();
  const foreign = await addAccounts(t.deps, (await masterWithAccounts()).master.contractId, 1);
  await client.get('/users/new');
  const valid = newUserFields(master, accounts);
  const cases: [string, Record<string, string | string[] | undefined>, string | undefined][] = [
    ['a 31-character user ID', { userId: 'a'.repeat(31) }, 'USER_ID_INVALID'],
    ['an empty user ID', { userId: '' }, 'USER_ID_INVALID'],
    ['a user ID with a hyphen', { userId: 'clerk-01' }, 'USER_ID_INVALID'],
    ['a full-width user ID', { userId: fullWidth('clerk01') }, 'USER_ID_INVALID'],
    ['a user ID with a NUL', { userId: 'clerk\u000001' }, 'USER_ID_INVALID'],
    ['the user ID that names the create page', { userId: 'new' }, 'USER_ID_INVALID'],
    ['the user ID sent twice', { userId: ['clerk01', 'clerk02'] }, 'USER_ID_INVALID'],
    ['no name', { displayName: '' }, 'USERS_NAME_INVALID'],
    ['a name with a control character', { displayName: '経理\u0007花子' }, 'USERS_NAME_INVALID'],
    ['a name with a right-to-left override', { displayName: '経理\u202e花子' }, 'USERS_NAME_INVALID'],
    ['a name of 61 characters', { displayName: 'あ'.repeat(61) }, 'USERS_NAME_INVALID'],
    ['the name sent twice', { displayName: ['a', 'b'] }, 'USERS_NAME_INVALID'],
    ['no email', { email: undefined }, 'EMAIL_INVALID'],
    ['a malformed email', { email: 'clerk01@' }, 'EMAIL_INVALID'],
    ['the email sent twice', { email: ['a@customer.example', 'b@customer.example'] }, 'EMAIL_INVALID'],
    ['a negative limit', { transfer_perTransactionYen: '-1' }, 'USERS_LIMIT_INVALID'],
    ['a fractional limit', { transfer_perTransactionYen: '1000.5' }, 'USERS_LIMIT_INVALID'],
    ['a limit with misplaced separators', { transfer_dailyYen: '30,00,000' }, 'USERS_LIMIT_INVALID'],
    ['a limit with an exponent', { transfer_dailyYen: '3e6' }, 'USERS_LIMIT_INVALID'],
    ['a limit of 16 digits', { transfer_dailyYen: '1'.repeat(16) }, 'USERS_LIMIT_INVALID'],
    ['a limit with a control character', { transfer_dailyYen: '3000\u000000' }, 'USERS_LIMIT_INVALID'],
    ['a limit sent twice', { transfer_dailyYen: ['1', '2'] }, 'USERS_LIMIT_INVALID'],
    ['a missing limit', { transfer_dailyYen: '' }, 'USERS_LIMIT_INVALID'],
    ['a per-transaction limit above the daily one', { transfer_perTransactionYen: '3000001' }, 'USERS_LIMIT_ORDER'],
    ['a daily limit above the master’s own', { transfer_dailyYen: '50000001' }, 'USERS_LIMIT_BEYOND_OWN'],
    ['fund transfer without any step', { transfer_register: undefined }, 'USERS_STEP_REQUIRED'],
    ['a checkbox with another value', { grant_inquiry: 'yes' }, 'INPUT_INVALID'],
    ['a checkbox sent twice', { grant_inquiry: ['1', '1'] }, 'INPUT_INVALID'],
    ['an account of another contract', { account: String(foreign[0]) }, 'USERS_ACCOUNT_BEYOND_OWN'],
    ['an account that does not exist', { account: '999999' }, 'USERS_ACCOUNT_BEYOND_OWN'],
    ['an account that is not a number', { account: '1 OR 1=1' }, 'INPUT_INVALID'],
    ['the same account twice', { account: [String(accounts[0]), String(accounts[0])] }, 'INPUT_INVALID'],
    ['a short initial password', { initialPassword: 'Ab1', initialPasswordRepeat: 'Ab1' }, 'PASSWORD_LENGTH'],
    ['an initial password without digits', { initialPassword: 'Welcomeabcd', initialPasswordRepeat: 'Welcomeabcd' }, 'PASSWORD_NEEDS_LETTER_AND_DIGIT'],
    ['an initial password holding the user ID', { initialPassword: 'clerk01pass', initialPasswordRepeat: 'clerk01pass' }, 'PASSWORD_CONTAINS_ID'],
    ['an initial password with a tab', { initialPassword: 'Welcome2026\t', initialPasswordRepeat: 'Welcome2026\t' }, 'PASSWORD_CHARACTERS'],
    ['a 10 kB initial password', { initialPassword: 'a1'.repeat(tenKilobytes / 2) }, 'PASSWORD_LENGTH'],
    ['a repeat that differs', { initialPasswordRepeat: 'Welcome2026b' }, 'PASSWORD_REPEAT_MISMATCH'],
    ['no confirmation password', { confirmationPassword: undefined }, 'CONFIRMATION_PASSWORD_WRONG'],
    ['a confirmation password with a NUL', { confirmationPassword: `${master.confirmationPassword}\u0000` }, 'CONFIRMATION_PASSWORD_WRONG'],
    ['a 10 kB confirmation password', { confirmationPassword: 'a1'.repeat(tenKilobytes / 2) }, 'CONFIRMATION_PASSWORD_WRONG'],
  ];
  const before = await contractState(t.deps, master.contractId);
  for (const [label, overrides, code] of cases) {
    const response = await client.post('/users/new', newUserFields(master, accounts, overrides));
    assert.ok(response.statusCode >= 400 && response.statusCode < 500, `${label}: 4xx (got ${response.statusCode})`);
    assert.ok(response.body.includes('<form method="post" action="/users/new"'), `${label}: the form is shown again`);
    assert.equal(errorCode(response.body), code, label);
    assertNoStackTrace(response);
    assert.deepEqual(await contractState(t.deps, master.contractId), before, `${label}: nothing changed`);
  }
  assert.equal((await userRow(t.deps, master)).failed_attempts, 0, 'bad input is not a wrong confirmation password');

  const typed = await client.post('/users/new', newUserFields(master, accounts, { displayName: '経理 花子', transfer_dailyYen: '3,000,000.5' }));
  assert.ok(typed.body.includes('value="経理 花子"'), 'what was typed is shown again');
  assert.ok(typed.body.includes('value="3,000,000.5"'));
  assert.ok(!typed.body.includes('Welcome2026a'), 'passwords are never written back');

  for (const [label, csrf] of [['no CSRF token', null], ['a wrong CSRF token', 'A'.repeat(32)]] as const) {
    const response = await client.post('/users/new', valid, { csrf });
    assert.equal(response.statusCode, 403, label);
    assert.equal(errorCode(response.body), 'CSRF_INVALID', label);
  }
  assert.deepEqual(await contractState(t.deps, master.contractId), before);
  assert.equal((await client.post('/users/new', valid)).statusCode, 303, 'the form still works');
});

test('R1.5, R2.3: a wrong confirmation password creates nothing and counts towards the actor’s stop; the seventh stops the master and with it the contract', async () => {
  const { master, client, accounts } = await masterWithAccounts();
  await client.get('/users/new');
  const before = await contractState(t.deps, master.contractId);
  for (let attempt = 1; attempt <= 6; attempt++) {
    const response = await client.post('/users/new', newUserFields(master, accounts, { confirmationPassword: 'Wrong2026pass' }));
    assert.equal(errorCode(response.body), 'CONFIRMATION_PASSWORD_WRONG');
    assert.equal((await userRow(t.deps, master)).failed_attempts, attempt);
  }
  assert.deepEqual(await contractState(t.deps, master.contractId), before, 'nothing created, nobody told');
  const failures = await t.deps.db.selectFrom('audit_log').select('reason').where('action', '=', 'user.create').where('outcome', '=', 'failure').where('contract_id', '=', master.contractId).execute();
  assert.equal(failures.length, 6);
  assert.ok(failures.every((f) => f.reason === 'wrong_confirmation_password'));

  await client.post('/users/new', newUserFields(master, accounts, { confirmationPassword: 'Wrong2026pass' }));
  assert.notEqual((await userRow(t.deps, master)).stopped_at, null, 'the seventh wrong entry stops the master');
  assert.notEqual((await contractRow(t.deps, master.contractId)).stopped_at, null, 'R2.3: a master’s stop stops the contract');
  const after = await client.get('/users/new');
  assert.equal(after.headers.location, '/logon?ended=stopped', 'the session ended with the stop');
  assert.equal(await personRow(t.deps, master.contractId, 'clerk01'), undefined);
});

test('a created user’s page and the list show the user in English too', async () => {
  const { master, client, accounts } = await masterWithAccounts();
  await client.get('/users/new');
  await client.post('/users/new', newUserFields(master, accounts));
  const page = await client.get('/users/clerk01?lang=en');
  assert.equal(page.statusCode, 200);
  assert.ok(page.body.includes('User details and changes'));
  assert.ok(page.body.includes('Fund transfer: Register'));
  for (const label of ['業務権限', '利用口座', '確認用暗証番号', '限度額']) assert.ok(!page.body.includes(label), `no Japanese label "${label}" on the English page`);
});
