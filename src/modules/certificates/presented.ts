import { X509Certificate } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { Deps } from '../../deps.ts';
import type { ClientCertificate } from '../../db/schema-certificates.ts';
import { certificateFingerprintSha256 } from '../../pki/x509.ts';
import { activeAuthority, AuthorityError } from './authority.ts';
import { certificateByFingerprint } from './lookup.ts';
import { presentedCertificateDer } from '../../access/presented-certificate.ts';

export { presentedCertificateDer, presentedFingerprint } from '../../access/presented-certificate.ts';

/** Why a presented certificate cannot be used for a logon (R4.1, R4.5); the logon page explains each. */
export type CertificateRefusal = 'missing' | 'foreign' | 'expired' | 'revoked';

export type StoredCertificate = ClientCertificate & { contract_id: string; user_id: string };

export type PresentedCheck =
  | { ok: true; certificate: StoredCertificate; notAfter: Date }
  /** `certificate`: the stored row when there is one (expired, revoked), for the audit trail. */
  | { ok: false; refusal: CertificateRefusal; certificate?: StoredCertificate };

/** The request's certificate, checked: see checkCertificate. */
export async function checkPresentedCertificate(deps: Deps, request: FastifyRequest): Promise<PresentedCheck> {
  return checkCertificate(deps, presentedCertificateDer(deps, request));
}

/**
 * The service's own judgement of a presented certificate, whatever the TLS layer or a proxy
 * thought of it (they are told to let any certificate through, so that the person gets a page that
 * explains instead of a failed connection): it must be signed by the bank's active CA, be the very
 * certificate the bank issued (same fingerprint, issuer and serial as the stored row), be within
 * its validity by the service's clock, and not be revoked. A self-signed certificate copying a
 * real subject, or one of another CA, is `foreign`.
 */
export async function checkCertificate(deps: Deps, der: Uint8Array | undefined): Promise<PresentedCheck> {
  if (!der || der.length === 0) return { ok: false, refusal: 'missing' };
  let presented: X509Certificate;
  try {
    presented = new X509Certificate(der);
  } catch {
    return { ok: false, refusal: 'foreign' };
  }
  const authority = await activeAuthorityOrNone(deps);
  if (!authority) return { ok: false, refusal: 'foreign' };
  const ca = new X509Certificate(authority.certificatePem);
  if (!presented.checkIssued(ca) || !verifiedBy(presented, ca)) return { ok: false, refusal: 'foreign' };
  const stored = await certificateByFingerprint(deps.db, certificateFingerprintSha256(der));
  if (!stored || stored.authority_id !== authority.id || serialOf(stored.serial_hex) !== serialOf(presented.serialNumber)) {
    return { ok: false, refusal: 'foreign' };
  }
  if (stored.revoked_at) return { ok: false, refusal: 'revoked', certificate: stored };
  const now = deps.clock.now().getTime();
  // R4.4: X.509 validity includes both ends; the service's clock decides, not the machine's.
  if (now < presented.validFromDate.getTime() || now > presented.validToDate.getTime()) {
    return { ok: false, refusal: 'expired', certificate: stored };
  }
  return { ok: true, certificate: stored, notAfter: presented.validToDate };
}

function verifiedBy(presented: X509Certificate, ca: X509Certificate): boolean {
  try {
    return presented.verify(ca.publicKey);
  } catch {
    return false;
  }
}

/** Serial numbers compared as numbers: case and leading zeros do not matter. */
function serialOf(hex: string): string {
  return hex.toLowerCase().replace(/^0+/, '');
}

async function activeAuthorityOrNone(deps: Deps): Promise<{ id: number; certificatePem: string } | undefined> {
  try {
    return await activeAuthority(deps);
  } catch (error) {
    // No CA and none may be made here (production without CA files): no certificate can be ours.
    if (error instanceof AuthorityError) return undefined;
    throw error;
  }
}
