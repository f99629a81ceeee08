import type { Executor } from '../db/transaction.ts';

/**
 * What the bank's staff see of the outbox (the console's mail page): messages marked failed, and
 * messages still waiting long after they were queued. Never the body — it may carry a one-time
 * password or a registration notice — only who it is for, its subject, how it went.
 */
export interface WatchedMessage {
  id: bigint;
  contractId: string | null;
  recipient: string;
  subject: string;
  queuedAt: Date;
  attempts: number;
  nextAttemptAt: Date;
  lastError: string | null;
}

/**
 * R5.2: an emailed one-time password lives ten minutes; a message waiting longer than that has
 * missed its purpose if it carries one, and says the mail server has been refusing for a while.
 */
export const outboxWaitingLongSeconds = 600;

/** How many messages of each list the console shows, newest first. */
export const outboxRowsShownMax = 200;

const shown = ['id', 'contract_id', 'recipient', 'subject', 'created_at', 'attempts', 'next_attempt_at', 'last_error'] as const;

function watched(row: { id: bigint; contract_id: string | null; recipient: string; subject: string; created_at: Date; attempts: number; next_attempt_at: Date; last_error: string | null }): WatchedMessage {
  return {
    id: row.id,
    contractId: row.contract_id,
    recipient: row.recipient,
    subject: row.subject,
    queuedAt: row.created_at,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    lastError: row.last_error,
  };
}

export async function failedMessages(executor: Executor): Promise<WatchedMessage[]> {
  const rows = await executor.selectFrom('outbox').select(shown).where('status', '=', 'dead').orderBy('id', 'desc').limit(outboxRowsShownMax).execute();
  return rows.map(watched);
}

export async function longWaitingMessages(executor: Executor, now: Date): Promise<WatchedMessage[]> {
  const rows = await executor
    .selectFrom('outbox')
    .select(shown)
    .where('status', '=', 'pending')
    .where('created_at', '<=', new Date(now.getTime() - outboxWaitingLongSeconds * 1000))
    .orderBy('id', 'desc')
    .limit(outboxRowsShownMax)
    .execute();
  return rows.map(watched);
}
