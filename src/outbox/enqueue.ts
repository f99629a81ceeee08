import type { Executor } from '../db/transaction.ts';

export interface OutgoingEmail {
  contractId: string | null;
  recipient: string;
  subject: string;
  body: string;
}

/**
 * Writes a message to the outbox with the caller's executor, so it commits or rolls back with the
 * change it reports; the delivery loop sends it later (at least once).
 */
export async function enqueueEmail(executor: Executor, email: OutgoingEmail, now: Date): Promise<void> {
  await executor
    .insertInto('outbox')
    .values({
      created_at: now,
      contract_id: email.contractId,
      recipient: email.recipient,
      subject: email.subject,
      body: email.body,
      next_attempt_at: now,
    })
    .execute();
}
