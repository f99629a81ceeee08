import { sql } from 'kysely';
import { startRepeatingJob, type RepeatingJob, type RepeatingJobOptions } from '../platform/repeating-job.ts';
import type { Db } from '../db/open.ts';
import type { Clock } from '../platform/clock.ts';
import { PermanentRefusal, type MailTransport } from './transport.ts';

/**
 * Delivers the outbox at least once. A batch is claimed with SKIP LOCKED and a lease (its next
 * attempt moved into the future), so several processes never send the same message at the same time,
 * and a process that dies mid-batch leaves its messages to be retried after the lease. Each message's
 * claim is renewed just before it is sent, so a message whose turn in a slow batch comes after the
 * lease ran out is left to the run that claimed it since: the claim, not the batch, is the gate.
 */
export const deliveryBatchSize = 20;
export const deliveryLeaseSeconds = 120;
/** A message refused this many times (about three hours with the back-off below) is marked failed. */
export const deliveryAttemptsMax = 10;
export const retryBaseSeconds = 30;
export const retryMaxSeconds = 3600;

export function retryDelaySeconds(attempts: number): number {
  return Math.min(retryMaxSeconds, retryBaseSeconds * 2 ** Math.max(0, attempts - 1));
}

export interface DeliveryResult {
  sent: number;
  failed: number;
}

interface Claimed {
  id: bigint;
  recipient: string;
  subject: string;
  body: string;
  /** The attempt this claim is: the outcome is recorded only while the row still carries it. */
  attempt: number;
}

async function claimBatch(db: Db, now: Date): Promise<Claimed[]> {
  const lease = new Date(now.getTime() + deliveryLeaseSeconds * 1000);
  return db.transaction().execute(async (tx) => {
    const due = await tx
      .selectFrom('outbox')
      .select(['id', 'recipient', 'subject', 'body', 'attempts'])
      .where('status', '=', 'pending')
      .where('next_attempt_at', '<=', now)
      .orderBy('id')
      .limit(deliveryBatchSize)
      .forUpdate()
      .skipLocked()
      .execute();
    if (due.length > 0) {
      await tx
        .updateTable('outbox')
        .set({ next_attempt_at: lease, attempts: sql`attempts + 1` })
        .where('id', 'in', due.map((m) => m.id))
        .execute();
    }
    return due.map(({ attempts, ...message }) => ({ ...message, attempt: attempts + 1 }));
  });
}

/**
 * A fresh lease for the message just before it is sent, if this claim still holds it: nobody has
 * claimed it since (the attempt count is still ours) and it is not sent. Under a lock taken by
 * another run's claim, the statement waits and then finds the count changed.
 */
async function renewClaim(db: Db, message: Claimed, now: Date): Promise<boolean> {
  const renewed = await db
    .updateTable('outbox')
    .set({ next_attempt_at: new Date(now.getTime() + deliveryLeaseSeconds * 1000) })
    .where('id', '=', message.id)
    .where('status', '=', 'pending')
    .where('attempts', '=', message.attempt)
    .returning('id')
    .executeTakeFirst();
  return renewed !== undefined;
}

/**
 * The server accepted the message: it is sent, whichever claim sent it, and marked so once — a run
 * whose late success finds it marked already does not count it again.
 */
async function markSent(db: Db, message: Claimed, now: Date): Promise<boolean> {
  const marked = await db
    .updateTable('outbox')
    .set({ status: 'sent', sent_at: now, last_error: null })
    .where('id', '=', message.id)
    .where('status', '<>', 'sent')
    .returning('id')
    .executeTakeFirst();
  return marked !== undefined;
}

/** What the console shows of a refusal: the server's answer, never more. */
export const lastErrorLengthMax = 500;

/**
 * A refusal: retried after the back-off, or marked failed ('dead') when the server refused for good
 * or the attempts are spent. Only the holder of this claim records it: if a send outlived its lease
 * and another run claimed the message since, the attempt count no longer matches and this run stays
 * silent, so a late failure never undoes a later delivery.
 */
async function markRefused(db: Db, message: Claimed, error: unknown, now: Date): Promise<void> {
  const failedForGood = error instanceof PermanentRefusal || message.attempt >= deliveryAttemptsMax;
  await db
    .updateTable('outbox')
    .set({
      status: failedForGood ? 'dead' : 'pending',
      next_attempt_at: new Date(now.getTime() + retryDelaySeconds(message.attempt) * 1000),
      last_error: String((error as Error).message ?? error).slice(0, lastErrorLengthMax),
    })
    .where('id', '=', message.id)
    .where('status', '=', 'pending')
    .where('attempts', '=', message.attempt)
    .execute();
}

export async function deliverDue(db: Db, clock: Clock, transport: MailTransport): Promise<DeliveryResult> {
  const claimed = await claimBatch(db, clock.now());
  const result: DeliveryResult = { sent: 0, failed: 0 };
  for (const message of claimed) {
    if (!(await renewClaim(db, message, clock.now()))) continue;
    try {
      await transport.send(message);
    } catch (error) {
      await markRefused(db, message, error, clock.now());
      result.failed++;
      continue;
    }
    if (await markSent(db, message, clock.now())) result.sent++;
  }
  return result;
}

/** Runs `deliverDue` every `intervalMs` until stopped; an error is logged and the loop goes on. */
export function startDeliveryLoop(db: Db, clock: Clock, transport: MailTransport, options: RepeatingJobOptions): RepeatingJob {
  return startRepeatingJob(() => deliverDue(db, clock, transport), options);
}
