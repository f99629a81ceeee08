import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { openDatabase, type Db } from '../../src/db/open.ts';
import { FakeClock } from '../../src/platform/clock.ts';
import { enqueueEmail } from '../../src/outbox/enqueue.ts';
import { deliverDue, deliveryAttemptsMax, deliveryLeaseSeconds, retryMaxSeconds, type DeliveryResult } from '../../src/outbox/delivery.ts';
import { smtpTransport, type MailTransport } from '../../src/outbox/transport.ts';
import { startSmtpPeer, type SmtpPeer } from './smtp-peer.ts';
import { readMail } from './read-mail.ts';

/**
 * The SMTP server refuses everything for an hour, then accepts again, while two service processes
 * deliver the one outbox (DESIGN §1: any number of processes, at least once, deduplicated). On
 * PostgreSQL the second process has connections of its own, so the two claim at the same moment;
 * on the embedded database both share its one session. The clock is a FakeClock: an hour passes in
 * the rounds the delivery loops would run, without waiting for it.
 */
const from = 'ib-noreply@demo-bank.example';
const hourSeconds = 3600;
let database: TestDatabase;
let secondProcess: Db;
let peer: SmtpPeer;
let transport: MailTransport;

before(async () => {
  database = await createTestDatabase();
  secondProcess = database.url ? await openDatabase({ databaseUrl: database.url, poolSize: 5, refuseUseInsideTransaction: true }) : database.db;
  peer = await startSmtpPeer();
  transport = smtpTransport(peer.url, from);
});
after(async () => {
  transport.close?.();
  await peer.close();
  if (secondProcess !== database.db) await secondProcess.destroy();
  await database.drop();
});
beforeEach(async () => {
  await database.db.deleteFrom('outbox').execute();
  peer.accepted.length = 0;
  peer.refused.length = 0;
  peer.answers = [];
  peer.otherwise = 'accept';
});

async function queue(clock: FakeClock, count: number, tag: string): Promise<void> {
  for (let i = 0; i < count; i++) {
    await enqueueEmail(database.db, { contractId: null, recipient: `${tag}${i}@customer.example`, subject: `お知らせ ${tag}${i}`, body: `${tag}${i} 様\nご確認ください。\n` }, clock.now());
  }
}

/** One round of each process's delivery loop, at the same moment. */
async function bothProcesses(clock: FakeClock, via: MailTransport = transport): Promise<DeliveryResult> {
  const [a, b] = await Promise.all([deliverDue(database.db, clock, via), deliverDue(secondProcess, clock, via)]);
  return { sent: a.sent + b.sent, failed: a.failed + b.failed };
}

/** When the next waiting message is due; the loops (every two seconds) find it then. */
async function nextDue(): Promise<Date | undefined> {
  const row = await database.db.selectFrom('outbox').select((eb) => eb.fn.min('next_attempt_at').as('due')).where('status', '=', 'pending').executeTakeFirst();
  return row?.due ? new Date(row.due) : undefined;
}

function messageIds(): string[] {
  return peer.accepted.map((mail) => readMail(mail.raw).headers.get('message-id') ?? '');
}

test('mail queued while the SMTP server refuses for an hour is delivered once each when it comes back, by two processes at once', async () => {
  const clock = new FakeClock();
  const start = clock.now().getTime();
  // Each message is refused seven times in the hour, and the peer pauses 100 ms before it greets a
  // connection (smtp-server's check for clients that talk too soon): a few messages keep the file quick.
  const queued = 3;
  await queue(clock, queued, 'outage');
  peer.otherwise = 'refuse-rcpt';

  let rounds = 0;
  let marked = 0;
  let waitingAfterHour = 0;
  let cameBackAt: number | undefined;
  let lastSentAt = 0;
  for (;;) {
    const elapsed = (clock.now().getTime() - start) / 1000;
    if (cameBackAt === undefined && elapsed >= hourSeconds) {
      assert.equal(peer.accepted.length, 0, 'nothing accepted while the server refused');
      const waiting = await database.db.selectFrom('outbox').select(['status', 'attempts']).execute();
      assert.ok(waiting.every((row) => row.status === 'pending'), 'after an hour of refusals every message still waits: none is given up');
      const attempts = Math.max(...waiting.map((row) => row.attempts));
      // 30 s doubling: tried at 0, 30, 90, 210, 450, 930 and 1890 s — seven tries in the hour, not one every round.
      assert.equal(attempts, 7, 'the back-off bounds the attempts in the hour');
      assert.ok(attempts < deliveryAttemptsMax, 'the attempts are not spent in an hour');
      waitingAfterHour = waiting.length;
      peer.otherwise = 'accept';
      cameBackAt = elapsed;
    }
    const round = await bothProcesses(clock);
    rounds++;
    marked += round.sent;
    if (round.sent > 0) lastSentAt = (clock.now().getTime() - start) / 1000;
    const due = await nextDue();
    if (!due) break;
    // The next round at the next message's due time, or when the server comes back.
    const next = Math.max(due.getTime(), clock.now().getTime() + 2000);
    clock.set(new Date(cameBackAt === undefined ? Math.min(next, start + hourSeconds * 1000) : next));
    assert.ok(rounds < 200, 'the delivery ends');
  }

  assert.equal(peer.accepted.length, queued, 'messages received = messages queued');
  assert.equal(new Set(messageIds()).size, queued, 'no Message-ID twice');
  assert.equal(marked, queued, 'each message marked sent exactly once across both processes');
  const rows = await database.db.selectFrom('outbox').select(['status', 'attempts', 'sent_at']).execute();
  assert.ok(rows.every((row) => row.status === 'sent' && row.sent_at !== null));
  assert.ok(rows.every((row) => row.attempts === 8), 'sent at the eighth attempt, the first after the server came back');
  // Sent at the first retry after the server came back: within the longest back-off.
  assert.ok(lastSentAt - hourSeconds <= retryMaxSeconds, `delivered ${lastSentAt - hourSeconds} s after the server came back`);
  const duplicates = peer.accepted.length - new Set(messageIds()).size;
  console.log(
    `figures: queued ${queued}; waiting after the hour ${waitingAfterHour} (7 refusals each, none failed); received ${peer.accepted.length}, duplicates ${duplicates}, marked sent ${marked}; ${rounds} rounds; all sent at +${lastSentAt} s, ${lastSentAt - hourSeconds} s after the server came back`,
  );
});

test('a send that outlives its lease is left to the process that claimed the message since: nothing is sent twice', async () => {
  const clock = new FakeClock();
  const queued = 4;
  await queue(clock, queued, 'slow');
  // A server that takes 50 s per message: the third send of the batch ends past the batch's lease.
  const sendSeconds = 50;
  let otherRuns: DeliveryResult = { sent: 0, failed: 0 };
  const slow: MailTransport = {
    async send(message) {
      await transport.send(message);
      clock.advanceSeconds(sendSeconds);
      // Meanwhile the other process's loop runs, and claims what the lease no longer holds.
      const other = await deliverDue(secondProcess, clock, transport);
      otherRuns = { sent: otherRuns.sent + other.sent, failed: otherRuns.failed + other.failed };
    },
  };
  assert.ok(3 * sendSeconds > deliveryLeaseSeconds);
  const first = await deliverDue(database.db, clock, slow);

  assert.equal(peer.accepted.length, queued, 'each message received once');
  assert.equal(new Set(messageIds()).size, queued, 'no Message-ID twice');
  assert.ok(otherRuns.sent > 0, 'the other process took over the messages whose lease had run out');
  assert.equal(first.sent + otherRuns.sent, queued, 'each marked sent once');
  console.log(`figures: queued ${queued}; received ${peer.accepted.length} (${first.sent} by the slow process, ${otherRuns.sent} taken over), duplicates ${peer.accepted.length - new Set(messageIds()).size}`);
  const rows = await database.db.selectFrom('outbox').select('status').execute();
  assert.ok(rows.every((row) => row.status === 'sent'));
});
