import type { Deps } from '../../deps.ts';
import type { ClientCertificate } from '../../db/schema-certificates.ts';
import { addDays, tokyoDate } from '../../domain/business-days.ts';
import { certificateValidityDays, issueCertificate, type IssuedCertificate } from '../certificates/issue.ts';
import { validCertificateOf } from '../certificates/lookup.ts';
import { endSession, type LiveSession } from '../../access/sessions.ts';

export interface AcquisitionView {
  /** R4.2: only contracts switched to certificates acquire one. */
  required: boolean;
  /** R4.6: the person's current, unexpired certificate, which a new one revokes once the person confirms. */
  existing: ClientCertificate | undefined;
  /** The last day of validity of a certificate acquired now, in Japan. */
  validUntil: string;
}

export async function acquisitionView(deps: Deps, live: LiveSession): Promise<AcquisitionView> {
  const now = deps.clock.now();
  const current = await validCertificateOf(deps.db, live.user.id);
  return {
    required: live.contract.certificate_required,
    // An expired certificate logs no one on: it is replaced without asking (as issueCertificate does).
    existing: current && current.not_after > now ? current : undefined,
    validUntil: addDays(tokyoDate(now), certificateValidityDays),
  };
}

/**
 * R4.3: issue the certificate for the request the browser made, then end the acquisition logon.
 * The answer carries everything the browser needs to build the file, so nothing later needs the
 * session; left open, it could issue again on this PC and revoke the certificate just installed.
 */
export async function acquireWithSession(
  deps: Deps,
  live: LiveSession,
  csrPem: string,
  options: { replaceExisting: boolean; ip: string; userAgent?: string },
): Promise<IssuedCertificate> {
  const issued = await issueCertificate(deps, { user: live.user, contract: live.contract }, csrPem, options);
  // Ended as a log-off: the person finished what the logon was for, and the logon page needs no notice.
  await endSession(deps.db, live.session.id, 'logout', deps.clock.now());
  return issued;
}
