import { sql } from 'kysely';
import { startRepeatingJob, type RepeatingJob, type RepeatingJobOptions } from '../platform/repeating-job.ts';
import type { Db } from '../db/open.ts';
import type { Clock } from '../platform/clock.ts';
import type { MailTransport } from './transport.ts';

/**
 * Delivers the outbox at least once. A batch is claimed with SKIP LOCKED and a lease (its next
 * attempt moved into the future), so several processes never send the same message at the same time,
 * and a process that dies mid-batch leaves its messages to be retried after the lease.
 */
export const deliveryBatchSize = 20;
export const deliveryLeaseSeconds = 120;
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

export async function deliverDue(db: Db, clock: Clock, transport: MailTransport): Promise<DeliveryResult> {
  const now = clock.now();
  const lease = new Date(now.getTime() + deliveryLeaseSeconds * 1000);
  const claimed = await db.transaction().execute(async (tx) => {
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
    return due;
  });

  const result: DeliveryResult = { sent: 0, failed: 0 };
  for (const message of claimed) {
    // Only the holder of this claim records the outcome: if a send outlived its lease and another
    // run claimed the message since, the attempt count no longer matches and this run stays silent.
    const attempts = message.attempts + 1;
    try {
      await transport.send(message);
      await db
        .updateTable('outbox')
        .set({ status: 'sent', sent_at: clock.now(), last_error: null })
        .where('id', '=', message.id)
        .where('status', '=', 'pending')
        .where('attempts', '=', attempts)
        .execute();
      result.sent++;
    } catch (error) {
      await db
        .updateTable('outbox')
        .set({
          status: attempts >= deliveryAttemptsMax ? 'dead' : 'pending',
          next_attempt_at: new Date(clock.now().getTime() + retryDelaySeconds(attempts) * 1000),
          last_error: String((error as Error).message ?? error).slice(0, 500),
        })
        .where('id', '=', message.id)
        .where('status', '=', 'pending')
        .where('attempts', '=', attempts)
        .execute();
      result.failed++;
    }
  }
  return result;
}

/** Runs `deliverDue` every `intervalMs` until stopped; an error is logged and the loop goes on. */
export function startDeliveryLoop(db: Db, clock: Clock, transport: MailTransport, options: RepeatingJobOptions): RepeatingJob {
  return startRepeatingJob(() => deliverDue(db, clock, transport), options);
}
