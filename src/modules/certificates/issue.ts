import type { Deps } from '../../deps.ts';
import type { Contract, User } from '../../db/schema.ts';
import { inTransaction } from '../../db/transaction.ts';
import { AppError, type ErrorCode } from '../../errors.ts';
import { recordAudit, userActor } from '../../audit/audit-trail.ts';
import { addDaysTo } from '../../domain/tokyo-time.ts';
import {
  certificateDer,
  certificateFingerprintSha256,
  randomSerialHex,
  signClientCertificate,
  verifyCertificateRequest,
  type RequestProblem,
} from '../../pki/x509.ts';
import { masterEmail, notifySecurityChange } from '../../mail/security-notice.ts';
import { activeAuthority } from './authority.ts';
import { validCertificateOf } from './lookup.ts';
import { revokeCertificate } from './revoke.ts';

/** R4.4: a certificate is valid for one year from its acquisition. */
export const certificateValidityDays = 365;
/** The certificate is valid from a little before its issue, so a PC whose clock runs slow still accepts it. */
export const certificateClockSkewSeconds = 300;
const serialBytes = 16;

const problemCodes: Record<RequestProblem, ErrorCode> = {
  malformed: 'CERT_REQUEST_INVALID',
  signature: 'CERT_REQUEST_SIGNATURE',
  key_type: 'CERT_REQUEST_KEY',
};

/** The subject a person's certificate request must name (R4.1: one certificate per user ID). */
export function certificateCommonName(contractId: string, userId: string): string {
  return `${contractId}-${userId}`;
}

export interface IssuedCertificate {
  certificatePem: string;
  authorityCertificatePem: string;
  serialHex: string;
  notAfter: Date;
  replaced: boolean;
}

/**
 * R4.3: signs a person's certificate request. The request must be signed by the key it names (the
 * browser holds that key; it never leaves the PC) and name this person. R4.6: a person holds one
 * valid certificate; a new one replaces the previous one only when the person confirmed it
 * (`replaceExisting`), and the previous one is revoked in the transaction that stores the new one,
 * with the audit record and the notice (R7.3).
 */
export async function issueCertificate(
  deps: Deps,
  person: { user: User; contract: Contract },
  csrPem: string,
  options: { replaceExisting: boolean; ip: string; userAgent?: string },
): Promise<IssuedCertificate> {
  const { user, contract } = person;
  if (!contract.certificate_required) throw new AppError('CERT_NOT_REQUIRED');
  const request = await verifyCertificateRequest(csrPem);
  if (!request.ok) throw new AppError(problemCodes[request.problem], { field: 'request' });
  if (request.subjectCommonName !== certificateCommonName(user.contract_id, user.user_id)) throw new AppError('CERT_REQUEST_SUBJECT', { field: 'request' });
  // A request for a person who already holds one is refused before anything is signed, when not confirmed.
  if (!options.replaceExisting && (await holdsUsableCertificate(deps, user.id))) throw new AppError('CERT_REPLACE_CONFIRM', { field: 'replaceExisting' });

  const authority = await activeAuthority(deps);
  const now = deps.clock.now();
  const serialHex = randomSerialHex(deps.random.bytes(serialBytes));
  const notBefore = new Date(now.getTime() - certificateClockSkewSeconds * 1000);
  const notAfter = addDaysTo(now, certificateValidityDays);
  const certificatePem = await signClientCertificate({
    authorityCertificatePem: authority.certificatePem,
    authorityKey: await authority.signingKey(),
    publicKeySpki: request.publicKeySpki,
    commonName: request.subjectCommonName,
    organization: deps.config.bankName,
    serialHex,
    notBefore,
    notAfter,
    crlUrl: `${deps.config.publicUrl}/pki/crl`,
  });
  const fingerprint = certificateFingerprintSha256(certificateDer(certificatePem));
  const actor = { actor: userActor(user.contract_id, user.user_id), ip: options.ip, userAgent: options.userAgent };

  const replaced = await inTransaction(deps.db, async (tx) => {
    // One issue at a time per person: the second of two at once sees the first's certificate.
    const current = await tx.selectFrom('users').selectAll().where('id', '=', user.id).forUpdate().executeTakeFirstOrThrow();
    if (current.status !== 'active' || current.stopped_at !== null) throw new AppError('FORBIDDEN');
    const usesCertificates = await tx.selectFrom('contract').select('certificate_required').where('id', '=', user.contract_id).executeTakeFirstOrThrow();
    if (!usesCertificates.certificate_required) throw new AppError('CERT_NOT_REQUIRED');
    const previous = await validCertificateOf(tx, user.id);
    if (previous && !options.replaceExisting && previous.not_after > now) throw new AppError('CERT_REPLACE_CONFIRM', { field: 'replaceExisting' });
    // An expired certificate is simply replaced: it no longer logs anyone on.
    if (previous) await revokeCertificate(deps, tx, previous.id, 'superseded', actor);
    await tx
      .insertInto('client_certificate')
      .values({
        authority_id: authority.id,
        user_ref: user.id,
        serial_hex: serialHex,
        fingerprint_sha256: fingerprint,
        certificate_pem: certificatePem,
        not_before: notBefore,
        not_after: notAfter,
        issued_at: now,
      })
      .execute();
    await recordAudit(tx, {
      ...actor,
      at: now,
      contractId: user.contract_id,
      userRef: user.id,
      action: 'certificate.issue',
      outcome: 'success',
      details: { userId: user.user_id, serial: serialHex, fingerprint, notAfter, replaced: previous?.serial_hex ?? null },
    });
    await notifySecurityChange(deps, tx, {
      contractId: user.contract_id,
      companyName: contract.company_name,
      subjectUserId: user.user_id,
      actorLabel: user.user_id,
      what: { key: 'certificates.mail.issued', params: { serial: serialHex, notAfter: { moment: notAfter } } },
      at: now,
      ip: options.ip,
      recipients: [current.email, await masterEmail(tx, user.contract_id)],
    });
    return previous !== undefined;
  });
  return { certificatePem, authorityCertificatePem: authority.certificatePem, serialHex, notAfter, replaced };
}

async function holdsUsableCertificate(deps: Deps, userRef: number): Promise<boolean> {
  const current = await validCertificateOf(deps.db, userRef);
  return current !== undefined && current.not_after > deps.clock.now();
}
