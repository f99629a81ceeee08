import type { Deps } from '../../deps.ts';
import type { Tx } from '../../db/transaction.ts';
import type { Contract, User } from '../../db/schema.ts';
import { inTransaction } from '../../db/transaction.ts';
import type { MessageKey } from '../../web/i18n/index.ts';
import type { NoticeParam } from '../../mail/compose.ts';
import { masterEmail, notifySecurityChange } from '../../mail/security-notice.ts';
import { revokeValidCertificateInTx, setCertificateRequiredInTx } from './requirement.ts';
import { notifyCertificateSwitch } from './switch-notice.ts';
import type { RevocationActor, RevocationReason } from './revoke.ts';

/**
 * The bank's own certificate changes from its command line (R4.2, R4.5): each in one transaction
 * with its audit record and the notice to the customer (R7.3). The console makes the same changes
 * through change applications (src/modules/contracts/application-effects.ts).
 */
export class CertificateActionRefused extends Error {}

async function tell(deps: Deps, tx: Tx, contract: Contract, subject: User, by: RevocationActor, what: { key: MessageKey; params?: Record<string, NoticeParam> }) {
  await notifySecurityChange(deps, tx, {
    contractId: contract.id,
    companyName: contract.company_name,
    subjectUserId: subject.user_id,
    actorLabel: deps.config.bankName,
    what,
    at: deps.clock.now(),
    ip: by.ip ?? '-',
    recipients: [subject.email, await masterEmail(tx, contract.id)],
  });
}

/** R4.2: on or off for a contract; returns whether anything changed and how many sessions ended. */
export async function setCertificateRequired(
  deps: Deps,
  input: { contractId: string; required: boolean; by: RevocationActor },
): Promise<{ changed: boolean; sessionsEnded: number }> {
  return inTransaction(deps.db, async (tx) => {
    const contract = await tx.selectFrom('contract').selectAll().where('id', '=', input.contractId).forUpdate().executeTakeFirst();
    if (!contract) throw new CertificateActionRefused(`no contract ${input.contractId}`);
    const changed = await setCertificateRequiredInTx(deps, tx, contract.id, input.required, input.by);
    if (changed.changed) {
      // R4.2: every ID of the contract is concerned, so every person is told what to do.
      await notifyCertificateSwitch(deps, tx, contract, input.required, deps.clock.now());
    }
    return changed;
  });
}

/** R4.5: revokes a person's valid certificate at once (the master's reissue, a lost or compromised PC). */
export async function revokePersonCertificate(
  deps: Deps,
  input: { contractId: string; userId: string; reason: RevocationReason; by: RevocationActor },
): Promise<{ serialHex: string }> {
  return inTransaction(deps.db, async (tx) => {
    const contract = await tx.selectFrom('contract').selectAll().where('id', '=', input.contractId).executeTakeFirst();
    if (!contract) throw new CertificateActionRefused(`no contract ${input.contractId}`);
    const person = await tx.selectFrom('users').selectAll().where('contract_id', '=', contract.id).where('user_id', '=', input.userId).executeTakeFirst();
    if (!person) throw new CertificateActionRefused(`no user ${input.userId} in contract ${input.contractId}`);
    const revoked = await revokeValidCertificateInTx(deps, tx, person, input.reason, input.by);
    if (!revoked) throw new CertificateActionRefused(`${input.contractId}/${input.userId} holds no valid certificate; nothing to revoke`);
    const key: MessageKey = input.reason === 'reissue' ? 'certificates.mail.reissued' : 'certificates.mail.revoked';
    await tell(deps, tx, contract, person, input.by, { key, params: { serial: revoked.serialHex } });
    return revoked;
  });
}
