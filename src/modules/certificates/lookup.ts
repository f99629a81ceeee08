import type { Executor } from '../../db/transaction.ts';
import type { ClientCertificate } from '../../db/schema-certificates.ts';

/**
 * Reading the certificates the bank issued (R4.1). "Valid" is the table's meaning: not revoked
 * (one per person, a partial unique index). Whether it has expired is the reader's to judge with
 * its clock.
 */
export async function validCertificateOf(executor: Executor, userRef: number): Promise<ClientCertificate | undefined> {
  return executor.selectFrom('client_certificate').selectAll().where('user_ref', '=', userRef).where('revoked_at', 'is', null).executeTakeFirst();
}

/**
 * The certificate with this SHA-256 fingerprint (lower-case hex), revoked or not, with the person
 * it was issued to: a logon says "revoked" rather than "unknown" for one the bank revoked.
 */
export async function certificateByFingerprint(
  executor: Executor,
  fingerprintHex: string,
): Promise<(ClientCertificate & { contract_id: string; user_id: string }) | undefined> {
  if (!/^[0-9a-f]{64}$/.test(fingerprintHex)) return undefined;
  return executor
    .selectFrom('client_certificate')
    .innerJoin('users', 'users.id', 'client_certificate.user_ref')
    .selectAll('client_certificate')
    .select(['users.contract_id', 'users.user_id'])
    .where('client_certificate.fingerprint_sha256', '=', fingerprintHex)
    .executeTakeFirst();
}

/** Each person's valid certificate, for a contract's list (R4.5). */
export async function validCertificatesOfContract(executor: Executor, contractId: string): Promise<Map<number, ClientCertificate>> {
  const rows = await executor
    .selectFrom('client_certificate')
    .innerJoin('users', 'users.id', 'client_certificate.user_ref')
    .selectAll('client_certificate')
    .where('users.contract_id', '=', contractId)
    .where('client_certificate.revoked_at', 'is', null)
    .execute();
  return new Map(rows.map((row) => [row.user_ref, row]));
}
