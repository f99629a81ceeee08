import { sql, type RawBuilder } from 'kysely';
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

/**
 * The same messages as one INSERT for the caller to run inside a statement of its change (a
 * data-modifying CTE, e.g. the audit append's `alongside`, src/audit/audit-trail.ts): the change, its
 * audit records and its emails then commit together and cost one round trip.
 */
export function outboxInsert(emails: readonly OutgoingEmail[], now: Date, onlyIf?: RawBuilder<unknown>): RawBuilder<unknown> {
  const rows = emails.map((email) => sql`(${now}::timestamptz, ${email.contractId}::text, ${email.recipient}::text, ${email.subject}::text, ${email.body}::text, ${now}::timestamptz)`);
  // `onlyIf`: a condition of the caller's statement (the change was made), for messages that go only with it.
  if (onlyIf !== undefined) return sql`INSERT INTO outbox (created_at, contract_id, recipient, subject, body, next_attempt_at) SELECT * FROM (VALUES ${sql.join(rows)}) AS m WHERE ${onlyIf}`;
  return sql`INSERT INTO outbox (created_at, contract_id, recipient, subject, body, next_attempt_at) VALUES ${sql.join(rows)}`;
}
