import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { enqueueEmail } from '../../src/outbox/enqueue.ts';
import { deliverDue } from '../../src/outbox/delivery.ts';
import { outboxWaitingLongSeconds } from '../../src/outbox/watch.ts';
import { smtpTransport, type MailTransport } from '../../src/outbox/transport.ts';
import { startSmtpPeer, type SmtpPeer } from '../outbox/smtp-peer.ts';
import type { StaffCredentials } from '../../src/operator/staff/accounts.ts';
import type { Client } from '../helpers/client.ts';
import { errorCode, newStaff, staffLogon, startConsole, type TestConsole } from './console-support.ts';

/**
 * R7.3: mail the customers wait for. A message the server refuses for good (5xx) is marked failed at
 * once; the console lists it, and messages waiting long, with what the staff need — recipient,
 * subject, attempts, the server's answer — never the body; a member puts a failed message back in
 * the queue, audited, and it is sent once.
 */
let database: TestDatabase;
let t: TestConsole;
let member: StaffCredentials;
let staff: Client;
let peer: SmtpPeer;
let transport: MailTransport;
before(async () => {
  database = await createTestDatabase();
  t = await startConsole(database.db);
  member = await newStaff(t.deps, 'recorder');
  peer = await startSmtpPeer();
  transport = smtpTransport(peer.url, 'ib-noreply@demo-bank.example');
});
after(async () => {
  transport.close?.();
  await peer.close();
  await t.app.close();
  await database.drop();
});

/** A code only the body carries: the page must never show it. */
const secretInBody = '482913';

const outboxRow = (recipient: string) => database.db.selectFrom('outbox').selectAll().where('recipient', '=', recipient).executeTakeFirstOrThrow();

/** The ids of a list's rows, in page order. */
function listed(body: string, list: 'failed' | 'waiting'): string[] {
  const table = new RegExp(`<table class="uses" id="${list}">([\\s\\S]*?)</table>`).exec(body)?.[1] ?? '';
  return [...table.matchAll(/<tr data-outbox-id="(\d+)"/g)].map((m) => m[1]!);
}

test('a message refused for good is failed at once, listed with recipient, subject, attempts and answer but no body, and a member re-queues it once, audited', async () => {
  const { clock } = t.deps;
  const rejected = 'no-such-mailbox@customer.example';
  const busy = 'full-mailbox@customer.example';
  const subject = 'ワンタイムパスワードのお知らせ / One-time password';
  await enqueueEmail(database.db, { contractId: null, recipient: rejected, subject, body: `ワンタイムパスワード: ${secretInBody}\n` }, clock.now());
  await enqueueEmail(database.db, { contractId: null, recipient: busy, subject: 'ご利用停止のお知らせ', body: `ワンタイムパスワード: ${secretInBody}\n` }, clock.now());
  peer.answers = ['reject-rcpt'];
  peer.otherwise = 'refuse-rcpt';

  assert.deepEqual(await deliverDue(database.db, clock, transport), { sent: 0, failed: 2 });
  const failed = await outboxRow(rejected);
  assert.equal(failed.status, 'dead', 'a 5xx answer is not retried');
  assert.equal(failed.attempts, 1);
  assert.match(failed.last_error ?? '', /550/);
  assert.equal((await outboxRow(busy)).status, 'pending', 'a 4xx answer is retried');
  clock.advanceSeconds(30);
  assert.deepEqual(await deliverDue(database.db, clock, transport), { sent: 0, failed: 1 }, 'only the waiting message is tried again');

  // Still refused when the list is read: the waiting message has waited long by then.
  clock.advanceSeconds(outboxWaitingLongSeconds);
  // The member's session ended meanwhile (ten idle minutes): a new logon.
  staff = await staffLogon(t, member);
  const page = await staff.get('/operator/mail');
  assert.equal(page.statusCode, 200);
  assert.deepEqual(listed(page.body, 'failed'), [String(failed.id)]);
  assert.deepEqual(listed(page.body, 'waiting'), [String((await outboxRow(busy)).id)]);
  assert.ok(page.body.includes(rejected) && page.body.includes(subject), 'recipient and subject are shown');
  assert.match(page.body, new RegExp(`<tr data-outbox-id="${failed.id}" data-attempts="1">`));
  assert.match(page.body, /550 no such mailbox/, "the server's answer is shown");
  assert.ok(!page.body.includes(secretInBody), 'no body, so no code, on the page');
  assert.match(page.body, /href="\/operator\/mail">/, 'the menu leads to the page');

  const requeued = await staff.post(`/operator/mail/${failed.id}/requeue`, {});
  assert.equal(requeued.statusCode, 303);
  assert.equal(requeued.headers.location, `/operator/mail?requeued=${failed.id}`);
  const again = await outboxRow(rejected);
  assert.equal(again.status, 'pending');
  assert.equal(again.attempts, 0, 'a fresh count of attempts');
  const audit = await database.db.selectFrom('audit_log').selectAll().where('action', '=', 'outbox.requeue').execute();
  assert.equal(audit.length, 1);
  assert.equal(audit[0]!.actor, `staff:${member.login}`);
  assert.equal((audit[0]!.details as { outboxId: string }).outboxId, String(failed.id));

  // The same form sent again re-queues nothing more.
  await staff.get('/operator/mail');
  const twice = await staff.post(`/operator/mail/${failed.id}/requeue`, {});
  assert.equal(twice.statusCode, 409);
  assert.equal(errorCode(twice.body), 'OUTBOX_NOT_FAILED');
  assert.equal((await database.db.selectFrom('audit_log').select('id').where('action', '=', 'outbox.requeue').execute()).length, 1);

  peer.otherwise = 'accept';
  assert.deepEqual(await deliverDue(database.db, clock, transport), { sent: 2, failed: 0 });
  assert.deepEqual(await deliverDue(database.db, clock, transport), { sent: 0, failed: 0 });
  assert.equal(peer.accepted.filter((mail) => mail.envelopeTo.includes(rejected)).length, 1, 'the re-queued message is sent once');
  const after = await staff.get('/operator/mail');
  assert.deepEqual(listed(after.body, 'failed'), []);
  assert.deepEqual(listed(after.body, 'waiting'), []);
});

test('only a logged-on member reaches the mail page and its re-queue', async () => {
  const anonymous = await t.app.inject({ method: 'GET', url: '/operator/mail' });
  assert.equal(anonymous.statusCode, 303);
  assert.match(String(anonymous.headers.location), /^\/operator\/logon/);
  const posted = await t.app.inject({ method: 'POST', url: '/operator/mail/1/requeue', payload: '' });
  assert.equal(posted.statusCode, 303);
  assert.match(String(posted.headers.location), /^\/operator\/logon/);
});
