import { endSessionsBoundTo } from '../../access/certificate-binding.ts';
import type { Deps } from '../../deps.ts';
import type { Tx } from '../../db/transaction.ts';
import type { ClientCertificate } from '../../db/schema-certificates.ts';
import { recordAudit } from '../../audit/audit-trail.ts';

/**
 * R4.5: a revoked certificate stops working at once. Revocation is one conditional statement (a
 * certificate is revoked once), and the sessions opened with it end in the same transaction, so a
 * session already open with it cannot go on either.
 */
export const revocationReasons = ['superseded', 'reissue', 'key_compromise', 'cessation'] as const;
/**
 * - superseded: the person acquired a new certificate (R4.6: one per ID);
 * - reissue: the master (or, for the master, the bank) reissued it (lost PC, new PC, deleted, R4.5);
 * - key_compromise: the PC or its key is known or suspected to be in other hands;
 * - cessation: the person no longer uses the service.
 */
export type RevocationReason = (typeof revocationReasons)[number];

export function isRevocationReason(value: unknown): value is RevocationReason {
  return typeof value === 'string' && (revocationReasons as readonly string[]).includes(value);
}

/** Who revokes, as the audit trail names them (`user:<contract>/<id>`, `staff:<login>`, `operator:<name>`), and from where. */
export interface RevocationActor {
  actor: string;
  ip?: string;
  userAgent?: string;
}

/**
 * Revokes one certificate inside the caller's transaction and ends the sessions bound to it.
 * Returns the certificate as it was, or undefined when it was revoked already (nothing changes).
 */
export async function revokeCertificate(
  deps: Deps,
  tx: Tx,
  certificateId: number,
  reason: RevocationReason,
  actor: RevocationActor,
): Promise<ClientCertificate | undefined> {
  const now = deps.clock.now();
  const revoked = await tx
    .updateTable('client_certificate')
    .set({ revoked_at: now, revocation_reason: reason })
    .where('id', '=', certificateId)
    .where('revoked_at', 'is', null)
    .returningAll()
    .executeTakeFirst();
  if (!revoked) return undefined;
  const sessionsEnded = await endSessionsBoundTo(tx, certificateId, now);
  const owner = await tx.selectFrom('users').select(['contract_id', 'user_id']).where('id', '=', revoked.user_ref).executeTakeFirstOrThrow();
  await recordAudit(tx, {
    at: now,
    contractId: owner.contract_id,
    userRef: revoked.user_ref,
    actor: actor.actor,
    action: 'certificate.revoke',
    outcome: 'success',
    reason,
    ip: actor.ip,
    userAgent: actor.userAgent,
    details: { userId: owner.user_id, serial: revoked.serial_hex, notAfter: revoked.not_after, sessionsEnded },
  });
  return revoked;
}
