import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { FakeClock } from '../../src/platform/clock.ts';
import { enqueueEmail, type OutgoingEmail } from '../../src/outbox/enqueue.ts';
import { deliverDue, deliveryAttemptsMax, deliveryLeaseSeconds, retryDelaySeconds } from '../../src/outbox/delivery.ts';
import { smtpTransport, type MailTransport, type OutboxMessage } from '../../src/outbox/transport.ts';
import { startSmtpPeer, type SmtpPeer } from './smtp-peer.ts';
import { readMail } from './read-mail.ts';

const from = 'ib-noreply@demo-bank.example';
let database: TestDatabase;
let peer: SmtpPeer;
let transport: MailTransport;

before(async () => {
  database = await createTestDatabase();
  peer = await startSmtpPeer();
  transport = smtpTransport(peer.url, from);
});
after(async () => {
  transport.close?.();
  await peer.close();
  await database.drop();
});
beforeEach(async () => {
  await database.db.deleteFrom('outbox').execute();
  peer.accepted.length = 0;
  peer.refused.length = 0;
  peer.answers = [];
  peer.otherwise = 'accept';
});

function email(recipient: string, subject = 'ご利用停止のお知らせ / Notice'): OutgoingEmail {
  return { contractId: null, recipient, subject, body: `${recipient} 様\n暗証番号の誤りが続いたため、ご利用を停止しました。\nThe service was stopped.\n` };
}

const rowOf = (recipient: string) =>
  database.db.selectFrom('outbox').selectAll().where('recipient', '=', recipient).executeTakeFirstOrThrow();

test('enqueued messages arrive with their recipient, subject and body, and are marked sent', async () => {
  const clock = new FakeClock();
  const messages = [email('a@customer.example'), email('b@customer.example', '確認コード / Confirmation code'), email('c@customer.example')];
  for (const message of messages) await enqueueEmail(database.db, message, clock.now());

  assert.deepEqual(await deliverDue(database.db, clock, transport), { sent: 3, failed: 0 });
  assert.equal(peer.accepted.length, 3);
  for (const message of messages) {
    const received = peer.accepted.find((m) => m.envelopeTo.includes(message.recipient));
    assert.ok(received, `${message.recipient} received its message`);
    assert.deepEqual(received.envelopeTo, [message.recipient], 'each message goes to its own recipient only');
    assert.equal(received.envelopeFrom, from);
    const mail = readMail(received.raw);
    assert.equal(mail.headers.get('to'), message.recipient);
    assert.equal(mail.subject, message.subject);
    assert.equal(mail.body.trimEnd(), message.body.trimEnd());
    const row = await rowOf(message.recipient);
    assert.equal(row.status, 'sent');
    assert.equal(row.attempts, 1);
    assert.equal(row.last_error, null);
    assert.deepEqual(row.sent_at, clock.now());
    assert.equal(mail.headers.get('message-id'), `<outbox-${row.id}@demo-bank.example>`);
  }

  assert.deepEqual(await deliverDue(database.db, clock, transport), { sent: 0, failed: 0 }, 'a second run right after sends nothing again');
  clock.advanceSeconds(86_400);
  assert.deepEqual(await deliverDue(database.db, clock, transport), { sent: 0, failed: 0 });
  assert.equal(peer.accepted.length, 3);
});

test('a message refused at RCPT TO stays pending with the error, and is sent once after the back-off', async () => {
  const clock = new FakeClock();
  const recipient = 'busy@customer.example';
  await enqueueEmail(database.db, email(recipient), clock.now());
  peer.answers = ['refuse-rcpt'];

  assert.deepEqual(await deliverDue(database.db, clock, transport), { sent: 0, failed: 1 });
  const failed = await rowOf(recipient);
  assert.equal(failed.status, 'pending');
  assert.equal(failed.attempts, 1);
  assert.match(failed.last_error ?? '', /busy|451/);
  assert.deepEqual(failed.next_attempt_at, new Date(clock.now().getTime() + retryDelaySeconds(1) * 1000));

  assert.deepEqual(await deliverDue(database.db, clock, transport), { sent: 0, failed: 0 }, 'not retried at once');
  clock.advanceSeconds(retryDelaySeconds(1) - 1);
  assert.deepEqual(await deliverDue(database.db, clock, transport), { sent: 0, failed: 0 }, 'not retried before the back-off');
  clock.advanceSeconds(1);
  assert.deepEqual(await deliverDue(database.db, clock, transport), { sent: 1, failed: 0 });
  assert.deepEqual(await deliverDue(database.db, clock, transport), { sent: 0, failed: 0 });

  assert.equal(peer.accepted.length, 1, 'delivered exactly once');
  const sent = await rowOf(recipient);
  assert.equal(sent.status, 'sent');
  assert.equal(sent.attempts, 2);
  assert.equal(sent.last_error, null);
});

test('a message refused after DATA is retried with a doubling back-off and the same Message-ID', async () => {
  const clock = new FakeClock();
  const recipient = 'queue-full@customer.example';
  await enqueueEmail(database.db, email(recipient), clock.now());
  peer.answers = ['refuse-data', 'refuse-data'];

  assert.deepEqual(await deliverDue(database.db, clock, transport), { sent: 0, failed: 1 });
  clock.advanceSeconds(retryDelaySeconds(1));
  assert.deepEqual(await deliverDue(database.db, clock, transport), { sent: 0, failed: 1 });
  const twice = await rowOf(recipient);
  assert.equal(twice.attempts, 2);
  assert.match(twice.last_error ?? '', /queue full|451/);
  assert.equal(retryDelaySeconds(2), 2 * retryDelaySeconds(1));

  clock.advanceSeconds(retryDelaySeconds(2) - 1);
  assert.deepEqual(await deliverDue(database.db, clock, transport), { sent: 0, failed: 0 });
  clock.advanceSeconds(1);
  assert.deepEqual(await deliverDue(database.db, clock, transport), { sent: 1, failed: 0 });

  assert.equal(peer.accepted.length, 1);
  assert.equal(peer.refused.length, 2);
  const ids = [...peer.refused, ...peer.accepted].map((m) => readMail(m.raw).headers.get('message-id'));
  assert.equal(new Set(ids).size, 1, 'a receiver can recognise a copy by its Message-ID');
});

test(`after ${deliveryAttemptsMax} failed attempts a message is dead and never sent`, async () => {
  const clock = new FakeClock();
  const recipient = 'gone@customer.example';
  await enqueueEmail(database.db, email(recipient), clock.now());
  peer.otherwise = 'refuse-rcpt';

  for (let attempt = 1; attempt <= deliveryAttemptsMax; attempt++) {
    assert.deepEqual(await deliverDue(database.db, clock, transport), { sent: 0, failed: 1 }, `attempt ${attempt}`);
    const row = await rowOf(recipient);
    assert.equal(row.attempts, attempt);
    assert.equal(row.status, attempt < deliveryAttemptsMax ? 'pending' : 'dead');
    clock.advanceSeconds(retryDelaySeconds(attempt));
  }
  peer.otherwise = 'accept';
  clock.advanceSeconds(7 * 86_400);
  assert.deepEqual(await deliverDue(database.db, clock, transport), { sent: 0, failed: 0 });
  assert.equal(peer.accepted.length, 0);
  assert.match((await rowOf(recipient)).last_error ?? '', /busy|451/);
});

test('the back-off doubles from 30 seconds up to an hour', () => {
  assert.deepEqual([1, 2, 3, 4, 5, 6, 7, 8].map(retryDelaySeconds), [30, 60, 120, 240, 480, 960, 1920, 3600]);
  assert.equal(retryDelaySeconds(50), 3600);
});

/** A transport whose sends wait until the test lets them finish, as a slow SMTP server does. */
function heldTransport(): MailTransport & { release(outcome: 'ok' | 'fail'): void; started: OutboxMessage[] } {
  const waiting: { resolve(): void; reject(error: Error): void }[] = [];
  return {
    started: [],
    send(message) {
      this.started.push(message);
      return new Promise<void>((resolve, reject) => waiting.push({ resolve, reject }));
    },
    release(outcome) {
      for (const w of waiting.splice(0)) outcome === 'ok' ? w.resolve() : w.reject(new Error('socket timeout'));
    },
  };
}

test('a message being sent is not claimed by another delivery run until its lease runs out', async () => {
  const clock = new FakeClock();
  const recipient = 'slow@customer.example';
  await enqueueEmail(database.db, email(recipient), clock.now());
  const slow = heldTransport();
  const first = deliverDue(database.db, clock, slow);
  while (slow.started.length === 0) await new Promise((resolve) => setImmediate(resolve));

  assert.deepEqual(await deliverDue(database.db, clock, transport), { sent: 0, failed: 0 }, 'claimed by the first run');
  clock.advanceSeconds(deliveryLeaseSeconds - 1);
  assert.deepEqual(await deliverDue(database.db, clock, transport), { sent: 0, failed: 0 }, 'still leased');
  slow.release('ok');
  assert.deepEqual(await first, { sent: 1, failed: 0 });
  clock.advanceSeconds(deliveryLeaseSeconds);
  assert.deepEqual(await deliverDue(database.db, clock, transport), { sent: 0, failed: 0 });
  assert.equal(peer.accepted.length, 0);
});

// A send that outlives its lease is taken over by another run; when the first one then fails, its
// late failure must not put a message the second run delivered back into the queue.
test('a late failure from an expired lease does not undo a later successful delivery', async () => {
  const clock = new FakeClock();
  const recipient = 'late@customer.example';
  await enqueueEmail(database.db, email(recipient), clock.now());
  const slow = heldTransport();
  const first = deliverDue(database.db, clock, slow);
  while (slow.started.length === 0) await new Promise((resolve) => setImmediate(resolve));

  clock.advanceSeconds(deliveryLeaseSeconds);
  assert.deepEqual(await deliverDue(database.db, clock, transport), { sent: 1, failed: 0 }, 'taken over after the lease');
  slow.release('fail');
  await first;

  assert.equal((await rowOf(recipient)).status, 'sent');
  clock.advanceSeconds(retryDelaySeconds(10));
  assert.deepEqual(await deliverDue(database.db, clock, transport), { sent: 0, failed: 0 }, 'not sent a second time');
  assert.equal(peer.accepted.length, 1);
});
