import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { Client, errorCode } from '../../helpers/client.ts';
import { lastOneTimePassword, logon, otpAddressOf, registerOtpAddress } from '../../helpers/people.ts';
import { appForFile, assertNoStackTrace, outboxTo, userRow } from '../../helpers/http-app.ts';
import { addUserWith } from '../../users/helpers.ts';
import { balanceOf } from '../fixtures.ts';
import { deliverDue } from '../../../src/outbox/delivery.ts';
import { smtpTransport } from '../../../src/outbox/transport.ts';
import { startSmtpPeer } from '../../outbox/smtp-peer.ts';
import { readMail } from '../../outbox/read-mail.ts';
import {
  adHocFields,
  confirmationOneTimePassword,
  createThroughPages,
  draftOf,
  entriesOf,
  hiddenValue,
  moneyContract,
  oneTimePasswordFor,
  transferUser,
  transfersOf,
  type MoneyContract,
} from './support.ts';

/**
 * R5.1–R5.3 at the pages: the OTP address a person who can finalise payments must have first, and
 * the one-time password of each transfer, whose email states the transfer, so that a transaction
 * altered in the browser (man in the browser) is seen in the email and refused by the server.
 */
const t = appForFile();

const heldPages = ['/status', '/transfers', '/transfers/new', '/approvals', '/accounts', '/payees', '/security', '/settings/password', '/settings/otp-address'];

test('R5.1: a person who may send transfers and has no OTP address is held at its registration on every page until it is confirmed', async () => {
  const contract = await moneyContract(t);
  const person = await addUserWith(t.deps, contract.master.contractId, [{ business: 'transfer', register: true, send: true, perTransactionLimitYen: 100_000n, dailyLimitYen: 200_000n }], [contract.from.id]);
  const client = new Client(t.app);
  assert.equal((await logon(client, person)).headers.location, '/status');
  for (const path of heldPages) {
    const answer = await client.get(path);
    assert.equal(answer.statusCode, 303, path);
    assert.equal(answer.headers.location, '/otp-address', `${path} leads to the OTP address`);
  }
  const posted = await client.post('/transfers/new', adHocFields(contract));
  assert.equal(posted.headers.location, '/otp-address', 'a form sent from an earlier page is not taken either');
  assert.equal((await transfersOf(t.deps, contract.master.contractId)).length, 0);
  const page = await client.get('/otp-address');
  assert.equal(page.statusCode, 200);
  assert.ok(!page.body.includes('nav class="menu"') && !page.body.includes('href="/transfers"'), 'no menu while held');

  // The confirmation password is asked (a stolen session alone does not choose where codes go), and counted.
  const before = (await userRow(t.deps, person)).failed_attempts;
  const wrong = await client.post('/otp-address', { address: otpAddressOf(person), confirmationPassword: 'Wrong2026pass' });
  assert.equal(errorCode(wrong.body), 'CONFIRMATION_PASSWORD_WRONG');
  assert.equal((await userRow(t.deps, person)).failed_attempts, before + 1);
  const malformed = await client.post('/otp-address', { address: 'not an address', confirmationPassword: person.confirmationPassword });
  assert.equal(errorCode(malformed.body), 'EMAIL_OTP_ADDRESS_INVALID');
  assertNoStackTrace(malformed);
  assert.equal((await outboxTo(t.deps, otpAddressOf(person))).length, 0, 'nothing was sent');

  await client.post('/otp-address', { address: otpAddressOf(person), confirmationPassword: person.confirmationPassword });
  const badCode = await client.post('/otp-address/verify', { otp: '12345' });
  assert.equal(errorCode(badCode.body), 'EMAIL_OTP_FORMAT');
  assert.equal((await client.get('/transfers')).headers.location, '/otp-address', 'still held with the code not yet entered');
  const confirmed = await client.post('/otp-address/verify', { otp: await lastOneTimePassword(t.deps, otpAddressOf(person)) });
  assert.equal(confirmed.headers.location, '/status');
  for (const path of ['/status', '/transfers', '/transfers/new', '/approvals', '/settings/password', '/settings/otp-address']) {
    assert.equal((await client.get(path)).statusCode, 200, `${path} opens once the address is confirmed`);
  }
  assert.equal((await client.get('/otp-address')).headers.location, '/status', 'the registration page is for those held');
  assert.equal((await userRow(t.deps, person)).otp_email, otpAddressOf(person));
  // R7.3: the person and the master are told.
  const aboutThem = (mails: { body: string }[]) => mails.filter((m) => m.body.includes(person.userId)).length;
  assert.equal(aboutThem(await outboxTo(t.deps, person.email, 'emailOtp.notice.subject')), 1);
  assert.equal(aboutThem(await outboxTo(t.deps, contract.master.email, 'emailOtp.notice.subject')), 1);
});

test('R5.1: without a step that finalises payments nobody is held; the permission given holds them, taken away frees them', async () => {
  const contract = await moneyContract(t);
  const clerk = await addUserWith(t.deps, contract.master.contractId, [{ business: 'transfer', register: true, approve: true, perTransactionLimitYen: 100_000n, dailyLimitYen: 200_000n }], [contract.from.id]);
  const client = new Client(t.app);
  await logon(client, clerk);
  assert.equal((await client.get('/transfers')).statusCode, 200, 'register and approve finalise nothing: no OTP address needed');
  await t.deps.db.updateTable('user_permission').set({ can_send: true }).where('user_ref', '=', clerk.ref).where('business', '=', 'transfer').execute();
  assert.equal((await client.get('/transfers')).headers.location, '/otp-address', 'the send step given: held at the next page');
  await t.deps.db.updateTable('user_permission').set({ can_send: false }).where('user_ref', '=', clerk.ref).where('business', '=', 'transfer').execute();
  assert.equal((await client.get('/transfers')).statusCode, 200, 'the send step taken away: no longer held');
  await t.deps.db.insertInto('user_permission').values({ user_ref: clerk.ref, business: 'tax_payment', can_register: false, can_approve: false, can_send: false, per_transaction_limit_yen: 100_000n, daily_limit_yen: 100_000n }).execute();
  assert.equal((await client.get('/transfers')).headers.location, '/otp-address', 'tax and fee payments are finalised by whoever holds them');
});

test('R5.1, R7.3: changing the OTP address needs the confirmation password and a code to the new address; the old, the new and the master are told', async () => {
  const contract = await moneyContract(t);
  const sender = await transferUser(t, contract, { register: true, send: true });
  const next = `new.${otpAddressOf(sender.person)}`;
  t.deps.clock.advanceSeconds(60); // a new code for the address only after the cool-down of the first
  const page = await sender.client.get('/settings/otp-address');
  assert.equal(page.statusCode, 200);
  assert.ok(page.body.includes(otpAddressOf(sender.person)), 'the current address is shown to its owner');
  await registerOtpAddress(sender.client, t.deps, sender.person, '/settings/otp-address', next);
  assert.equal((await userRow(t.deps, sender.person)).otp_email, next);
  for (const recipient of [otpAddressOf(sender.person), next, contract.master.email]) {
    const notices = await outboxTo(t.deps, recipient, 'emailOtp.notice.subject');
    assert.ok(notices.some((m) => m.body.includes(next)), `${recipient} is told`);
  }
  const trail = await t.deps.db.selectFrom('audit_log').select(['action', 'details']).where('user_ref', '=', sender.ref).where('action', 'like', 'otp_email.%').orderBy('id').execute();
  assert.deepEqual(trail.map((r) => r.action), ['otp_email.register', 'otp_email.change']);
  assert.equal(JSON.stringify(trail).includes(next), false, 'the audit trail keeps the addresses masked');
});

/** The confirmation page of a transfer the master sends at once, its code sent; what the email says. */
async function sentConfirmation(contract: MoneyContract, fields: Record<string, string>) {
  await contract.client.get('/transfers/new');
  const draft = draftOf(await contract.client.post('/transfers/new', fields));
  const page = await contract.client.get(`/transfers/confirm?draft=${draft}`);
  const key = hiddenValue(page.body, 'idempotencyKey', '/transfers/confirm');
  const otp = await confirmationOneTimePassword(t.deps, contract.client, contract.master, draft, key);
  const [email] = (await outboxTo(t.deps, otpAddressOf(contract.master), 'transfers.otpMail.subject')).slice(-1);
  assert.ok(email);
  return { draft, key, otp, email };
}

test('R5.3: the email states the transfer exactly as the transfer has it: payee name, bank, branch, account, amount, fee and date; the subject never the code', async () => {
  const contract = await moneyContract(t);
  // To みずほ銀行 東京営業部 (0001-001), another bank: its names come from the bank directory.
  const fields = adHocFields(contract, { bankCode: '0001', branchCode: '001', accountNumber: '7654321', name: 'ﾔﾏﾀﾞ ｼﾖｳｼﾞ(ｶ', amount: '123,456', executionDate: '2026-04-02' });
  const { draft, key, otp, email } = await sentConfirmation(contract, fields);
  const page = await contract.client.get(`/transfers/confirm?draft=${draft}&key=${key}`);
  assert.match(page.body, /id="otp-sent"/, 'the page says where the code went and until when');
  assert.match(page.body, /id="otp-compare"/);
  const done = await contract.client.post('/transfers/confirm', { draft, idempotencyKey: key, confirmationPassword: contract.master.confirmationPassword, otp });
  assert.equal(done.statusCode, 303, errorCode(done.body));
  const [transfer] = (await transfersOf(t.deps, contract.master.contractId)).slice(-1);
  assert.ok(transfer);
  for (const [label, shown] of [
    ['payee name', `受取人名: ${transfer.to_name_kana}`],
    ['bank', `振込先金融機関: みずほ銀行（金融機関コード ${transfer.to_bank_code}）`],
    ['branch', `振込先支店: 東京営業部（支店コード ${transfer.to_branch_code}）`],
    ['account', `口座: 普通 ${transfer.to_account_number}`],
    ['amount', '振込金額: 123,456円'],
    ['fee', `振込手数料: ${transfer.fee_yen.toLocaleString('en-US')}円`],
    ['date', '振込指定日: 2026年4月2日（木）'],
    ['English', 'Amount: 123,456 yen'],
  ] as const) {
    assert.ok(email.body.includes(shown), `${label}: ${shown}`);
  }
  assert.equal(email.subject.includes(otp), false);
  assert.equal(done.body.includes(otp) || page.body.includes(otp), false, 'no page shows the code');
  // R9.1: the transfer keeps the protection in force: where the code went (masked), when.
  const protections = transfer.protections as { emailOtp?: { to: string; verifiedAt: string } };
  assert.equal(protections.emailOtp?.to, otpAddressOf(contract.master).replace(/^(.)[^@]*/, '$1*****'));
  const trail = await t.deps.db.selectFrom('audit_log').select(['action', 'details']).where('contract_id', '=', contract.master.contractId).where('action', 'like', 'email_otp.%').orderBy('id').execute();
  const forTransfers = trail.filter((r) => (r.details as { purpose?: string } | null)?.purpose === 'transfer');
  assert.deepEqual(forTransfers.map((r) => r.action), ['email_otp.send', 'email_otp.verify']);
});

test('R5.3: the same email, delivered to a real SMTP server, reads the same in a mail program', async () => {
  const contract = await moneyContract(t);
  const { email } = await sentConfirmation(contract, adHocFields(contract, { amount: '45,678', name: 'ｽｽﾞｷ ｲﾁﾛｳ' }));
  const peer = await startSmtpPeer();
  const transport = smtpTransport(peer.url, 'ib-noreply@demo-bank.example');
  after(async () => {
    transport.close?.();
    await peer.close();
  });
  await t.deps.db.updateTable('outbox').set({ status: 'sent' }).where('id', '<>', email.id).where('status', '=', 'pending').execute();
  await deliverDue(t.deps.db, t.deps.clock, transport);
  const received = peer.accepted.find((m) => m.envelopeTo.includes(otpAddressOf(contract.master)));
  assert.ok(received, 'the one-time password arrived');
  const read = readMail(received.raw);
  assert.ok(read.subject.startsWith('【ワンタイムパスワード】振込内容のご確認'));
  for (const shown of ['受取人名: ｽｽﾞｷ ｲﾁﾛｳ', '振込金額: 45,678円', `口座: 普通 ${contract.payee.accountNumber}`, '振込指定日: 2026年4月1日（水）', '駅前支店（支店コード 002）']) {
    assert.ok(read.body.includes(shown), shown);
  }
});

test('R5.3, man in the browser: the request altered after the code was sent — another account, or one yen more — is refused and nothing moves', async () => {
  const contract = await moneyContract(t);
  const balance = await balanceOf(t.deps.db, contract.from.id);
  const transfers = (await transfersOf(t.deps, contract.master.contractId)).length;
  // Malware in the browser makes its own draft in the person's session and swaps it in as the form
  // is sent, with the code the person read for the transfer they saw.
  for (const [label, altered] of [
    ['another account', { accountNumber: '1111111' }],
    ['one yen more', { amount: '50,001' }],
  ] as const) {
    const seen = await sentConfirmation(contract, adHocFields(contract, { amount: '50,000' }));
    const swapped = draftOf(await contract.client.post('/transfers/new', adHocFields(contract, { amount: '50,000', ...altered })));
    const answer = await contract.client.post('/transfers/confirm', { draft: swapped, idempotencyKey: seen.key, confirmationPassword: contract.master.confirmationPassword, otp: seen.otp });
    assert.equal(errorCode(answer.body), 'EMAIL_OTP_CHANGED', label);
    assert.equal(answer.statusCode, 409, label);
    assertNoStackTrace(answer);
    // The code is spent for any transfer now: the one the person saw needs a new code, whose email states it.
    const original = await contract.client.post('/transfers/confirm', { draft: seen.draft, idempotencyKey: seen.key, confirmationPassword: contract.master.confirmationPassword, otp: seen.otp });
    assert.equal(errorCode(original.body), 'EMAIL_OTP_VOID', label);
  }
  assert.equal(await balanceOf(t.deps.db, contract.from.id), balance, 'nothing posted');
  assert.equal((await transfersOf(t.deps, contract.master.contractId)).length, transfers, 'no transfer made');
});

test('R5.2: a code sent for transfer A is refused for transfer B, and a used code is refused', async () => {
  const contract = await moneyContract(t, 'single');
  const clerk = await transferUser(t, contract, { register: true });
  const approver = await transferUser(t, contract, { approve: true, send: true });
  const a = await createThroughPages(clerk.client, clerk.person, adHocFields(contract, { amount: '10,000' }), t.deps);
  const b = await createThroughPages(clerk.client, clerk.person, adHocFields(contract, { amount: '20,000' }), t.deps);
  const codeA = await oneTimePasswordFor(t.deps, approver.client, approver.person, a);
  const page = await approver.client.get(`/transfers/${b}`);
  const onB = await approver.client.post(`/transfers/${b}/approve`, { idempotencyKey: hiddenValue(page.body, 'idempotencyKey', `/transfers/${b}/approve`), confirmationPassword: approver.person.confirmationPassword, otp: codeA });
  assert.equal(errorCode(onB.body), 'EMAIL_OTP_NOT_SENT');
  assert.equal((await transfersOf(t.deps, contract.master.contractId)).find((x) => x.id === b)?.status, 'awaiting_approval');
  const pageA = await approver.client.get(`/transfers/${a}`);
  const onA = await approver.client.post(`/transfers/${a}/approve`, { idempotencyKey: hiddenValue(pageA.body, 'idempotencyKey', `/transfers/${a}/approve`), confirmationPassword: approver.person.confirmationPassword, otp: codeA });
  assert.equal(onA.headers.location, `/transfers/${a}?done=approved`, errorCode(onA.body));
  assert.equal(await entriesOf(t.deps, a), 1);
});

test('R5.3: a transfer changed after its code was sent (another person, or the database behind the page) makes the code useless', async () => {
  const contract = await moneyContract(t, 'single');
  const clerk = await transferUser(t, contract, { register: true });
  const approver = await transferUser(t, contract, { approve: true, send: true });
  const id = await createThroughPages(clerk.client, clerk.person, adHocFields(contract, { amount: '30,000' }), t.deps);
  const code = await oneTimePasswordFor(t.deps, approver.client, approver.person, id);
  await t.deps.db.updateTable('transfer').set({ amount_yen: 30_001n }).where('id', '=', id).execute();
  const page = await approver.client.get(`/transfers/${id}`);
  const answer = await approver.client.post(`/transfers/${id}/approve`, { idempotencyKey: hiddenValue(page.body, 'idempotencyKey', `/transfers/${id}/approve`), confirmationPassword: approver.person.confirmationPassword, otp: code });
  assert.equal(errorCode(answer.body), 'EMAIL_OTP_CHANGED');
  assert.equal(await entriesOf(t.deps, id), 0);
});

test('R5.2: asking again during the cool-down is refused on the page with the time it may be asked again', async () => {
  const contract = await moneyContract(t, 'single');
  const clerk = await transferUser(t, contract, { register: true });
  const approver = await transferUser(t, contract, { approve: true, send: true });
  const id = await createThroughPages(clerk.client, clerk.person, adHocFields(contract, { amount: '3,000' }), t.deps);
  await oneTimePasswordFor(t.deps, approver.client, approver.person, id);
  const page = await approver.client.get(`/transfers/${id}`);
  assert.match(page.body, /id="otp-resend-at"/);
  const again = await approver.client.post(`/transfers/${id}/otp`, {});
  assert.equal(again.statusCode, 429);
  assert.equal(errorCode(again.body), 'EMAIL_OTP_COOLDOWN');
  assert.match(again.body, /<section class="otp" id="email-otp">[\s\S]*data-code="EMAIL_OTP_COOLDOWN"/, 'the refusal is shown in the one-time password section');
  assertNoStackTrace(again);
  t.deps.clock.advanceSeconds(60);
  assert.equal((await approver.client.post(`/transfers/${id}/otp`, {})).statusCode, 303, 'after the cool-down a new code is sent');
});

test('R5.2: asking for a code for a step that finalises nothing is refused on the page, and nothing is sent', async () => {
  const contract = await moneyContract(t, 'single');
  const clerk = await transferUser(t, contract, { register: true });
  const id = await createThroughPages(clerk.client, clerk.person, adHocFields(contract, { amount: '2,500' }), t.deps);
  await clerk.client.get(`/transfers/${id}`);
  const asked = await clerk.client.post(`/transfers/${id}/otp`, {});
  assert.equal(asked.statusCode, 409);
  assert.equal(errorCode(asked.body), 'TRANSFER_STATE_CONFLICT');
  assertNoStackTrace(asked);
  // A confirmation that waits for approval sends nothing at once, so it asks for no code either.
  await clerk.client.get('/transfers/new');
  const draft = draftOf(await clerk.client.post('/transfers/new', adHocFields(contract, { amount: '2,600' })));
  const page = await clerk.client.get(`/transfers/confirm?draft=${draft}`);
  assert.ok(!page.body.includes('id="email-otp"'));
  const refused = await clerk.client.post('/transfers/confirm/otp', { draft, idempotencyKey: hiddenValue(page.body, 'idempotencyKey', '/transfers/confirm') });
  assert.equal(errorCode(refused.body), 'TRANSFER_STATE_CONFLICT');
  assert.equal(await t.deps.db.selectFrom('email_otp_challenge').select('id').where('purpose', '=', 'transfer').where('user_ref', '=', clerk.ref).execute().then((rows) => rows.length), 0);
});
