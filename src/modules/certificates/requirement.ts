import { endUnboundSessionsOfContract } from '../../access/certificate-binding.ts';
import type { Deps } from '../../deps.ts';
import type { Tx } from '../../db/transaction.ts';
import type { User } from '../../db/schema.ts';
import { recordAudit } from '../../audit/audit-trail.ts';
import { validCertificateOf } from './lookup.ts';
import { revokeCertificate, type RevocationActor, type RevocationReason } from './revoke.ts';

/**
 * R4.2: the bank switches a contract to certificates (on the customer's application). From then on
 * every ID of the contract logs on only with its own certificate, so the sessions open without one
 * end in the same transaction and their people log on again with one. A logon halfway to acquiring
 * a certificate (stage 'certificate') is left alone: it is the way to get one.
 */
export async function setCertificateRequiredInTx(
  deps: Deps,
  tx: Tx,
  contractId: string,
  required: boolean,
  by: RevocationActor,
): Promise<{ changed: boolean; sessionsEnded: number }> {
  const now = deps.clock.now();
  const updated = await tx
    .updateTable('contract')
    .set({ certificate_required: required })
    .where('id', '=', contractId)
    .where('certificate_required', '=', !required)
    .returning('id')
    .executeTakeFirst();
  if (!updated) return { changed: false, sessionsEnded: 0 };
  const sessionsEnded = required ? await endUnboundSessionsOfContract(tx, contractId, now) : 0;
  await recordAudit(tx, {
    at: now,
    contractId,
    userRef: null,
    actor: by.actor,
    action: 'contract.certificate_required',
    outcome: 'success',
    ip: by.ip,
    userAgent: by.userAgent,
    details: { from: !required, to: required, sessionsEnded },
  });
  return { changed: true, sessionsEnded };
}

/** R4.5: the person's valid certificate, revoked (the bank's reissue of the master's, or a revocation by the bank). */
export async function revokeValidCertificateInTx(
  deps: Deps,
  tx: Tx,
  user: User,
  reason: RevocationReason,
  by: RevocationActor,
): Promise<{ serialHex: string } | undefined> {
  // The person's row first, as every change of the person takes it, so two revocations queue.
  await tx.selectFrom('users').select('id').where('id', '=', user.id).forUpdate().execute();
  const certificate = await validCertificateOf(tx, user.id);
  if (!certificate) return undefined;
  const revoked = await revokeCertificate(deps, tx, certificate.id, reason, by);
  return revoked ? { serialHex: revoked.serial_hex } : undefined;
}
