import type { Deps } from '../../deps.ts';
import { inTransaction } from '../../db/transaction.ts';
import { recordAudit, type AuditEvent } from '../../audit/audit-trail.ts';
import { startRepeatingJob, type RepeatingJob, type RepeatingJobOptions } from '../../platform/repeating-job.ts';
import { auditEvent, type ChallengeOwner } from './challenge.ts';
import { maskedAddress } from './mask.ts';

/**
 * R9.1: an expiry in the audit trail, once per code: every code that expired without being used or
 * voided (or only `challengeId`), claimed by one conditional UPDATE so two finders record it once.
 * Run by a repeating job, and by an entry that finds its code expired.
 */
export async function recordExpiries(deps: Deps, now: Date, challengeId?: number, finder?: ChallengeOwner): Promise<number> {
  return inTransaction(deps.db, async (tx) => {
    let claim = tx
      .updateTable('email_otp_challenge')
      .set({ expiry_recorded_at: now })
      .where('expires_at', '<=', now)
      .where('used_at', 'is', null)
      .where('voided_at', 'is', null)
      .where('expiry_recorded_at', 'is', null);
    if (challengeId !== undefined) claim = claim.where('id', '=', challengeId);
    const expired = (await claim.returning(['id', 'user_ref', 'contract_id', 'purpose', 'subject', 'recipient', 'expires_at']).execute());
    for (const row of expired) {
      const event: AuditEvent = finder
        ? auditEvent(finder, row, now, 'email_otp.expire', 'info', { expiredAt: row.expires_at.toISOString() })
        : {
            at: now,
            contractId: row.contract_id,
            userRef: row.user_ref,
            actor: 'system',
            action: 'email_otp.expire',
            outcome: 'info',
            details: { challengeId: row.id, purpose: row.purpose, subject: row.subject, to: maskedAddress(row.recipient), expiredAt: row.expires_at.toISOString() },
          };
      await recordAudit(tx, event);
    }
    return expired.length;
  });
}

/** Records the expiries every `intervalMs` until stopped; a failed round is reported and the next one runs. */
export function startEmailOtpExpiries(deps: Deps, options: RepeatingJobOptions): RepeatingJob {
  return startRepeatingJob(() => recordExpiries(deps, deps.clock.now()), options);
}
