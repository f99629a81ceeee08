import type { Deps } from '../deps.ts';
import type { Staff } from '../db/schema.ts';
import { inTransaction } from '../db/transaction.ts';
import { AppError } from '../errors.ts';
import { recordAudit } from '../audit/audit-trail.ts';

/**
 * A member of staff puts a message marked failed back in the queue (the mail server was put right,
 * the customer's mailbox works again): it is sent at the next round, with a fresh count of attempts
 * and the same Message-ID. One conditional statement, so a form sent twice re-queues once; the
 * audit record (in the chain of the message's contract) commits with it.
 */
export async function requeueFailedMessage(deps: Deps, staff: Staff, id: bigint, context: { ip: string; userAgent?: string }): Promise<void> {
  const now = deps.clock.now();
  await inTransaction(deps.db, async (tx) => {
    const before = await tx.selectFrom('outbox').select(['attempts', 'last_error']).where('id', '=', id).where('status', '=', 'dead').forUpdate().executeTakeFirst();
    if (!before) throw new AppError('OUTBOX_NOT_FAILED');
    const requeued = await tx
      .updateTable('outbox')
      .set({ status: 'pending', attempts: 0, next_attempt_at: now })
      .where('id', '=', id)
      .where('status', '=', 'dead')
      .returning(['contract_id'])
      .executeTakeFirst();
    if (!requeued) throw new AppError('OUTBOX_NOT_FAILED');
    await recordAudit(tx, {
      at: now,
      contractId: requeued.contract_id,
      userRef: null,
      actor: `staff:${staff.login_id}`,
      action: 'outbox.requeue',
      outcome: 'success',
      ip: context.ip,
      userAgent: context.userAgent,
      details: { outboxId: id.toString(), attemptsBefore: before.attempts, lastError: before.last_error },
    });
  });
}
