import type { Executor } from '../db/transaction.ts';

/**
 * R4.1, R4.5: a session opened with a client certificate is bound to it (sessions.client_certificate_id,
 * set by createSession) and lives only while that very certificate is presented and valid, which
 * resumeSession decides on every request. The two changes that end sessions at once for a
 * certificate's sake are here too, so the binding is kept in one place.
 */

/** A revoked certificate: every session bound to it ends; the logon page says the certificate no longer works. */
export async function endSessionsBoundTo(executor: Executor, certificateId: number, now: Date): Promise<number> {
  const ended = await executor
    .updateTable('session')
    .set({ ended_at: now, end_reason: 'certificate' })
    .where('client_certificate_id', '=', certificateId)
    .where('ended_at', 'is', null)
    .returning('id')
    .execute();
  return ended.length;
}

/**
 * A contract that starts using certificates: every live session opened without one ends, except
 * the acquisition session (R4.3), which exists to get one.
 */
export async function endUnboundSessionsOfContract(executor: Executor, contractId: string, now: Date): Promise<number> {
  const ended = await executor
    .updateTable('session')
    .set({ ended_at: now, end_reason: 'certificate_required' })
    .where('contract_id', '=', contractId)
    .where('ended_at', 'is', null)
    .where('client_certificate_id', 'is', null)
    .where('stage', '<>', 'certificate')
    .returning('id')
    .execute();
  return ended.length;
}
