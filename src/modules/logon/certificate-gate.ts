import type { User } from '../../db/schema.ts';
import type { ErrorCode } from '../../errors.ts';
import type { CertificateRefusal, PresentedCheck } from '../certificates/presented.ts';

/** What the password step knows of the connection, for contracts that use client certificates. */
export interface CertificateGate {
  /** 'logon': an ordinary logon; 'certificate': the logon of 電子証明書の取得・更新 (R4.3), which needs no certificate. */
  purpose: 'logon' | 'certificate';
  /** The request reached the certificate listener (the ordinary one never asks for a certificate). */
  certificateListener: boolean;
  /** The presented certificate, judged; asked only for a contract that uses certificates. */
  presented(): Promise<PresentedCheck>;
}

/** An ordinary logon on the ordinary listener. */
export const logonPurpose: CertificateGate = {
  purpose: 'logon',
  certificateListener: false,
  presented: async () => ({ ok: false, refusal: 'missing' }),
};

export interface GateRefusal {
  /** The audit trail's reason. */
  reason: string;
  code: ErrorCode;
  details: Record<string, unknown>;
}

const refusalCodes: Record<CertificateRefusal, ErrorCode> = {
  missing: 'CERT_LOGON_MISSING',
  foreign: 'CERT_LOGON_FOREIGN',
  expired: 'CERT_LOGON_EXPIRED',
  revoked: 'CERT_LOGON_REVOKED',
};

/**
 * R4.1: a person of a contract that uses certificates logs on only at the certificate listener and
 * only with a valid certificate of their own — not one of a colleague of the same contract, nor of
 * another contract. The refusal names the real reason for the audit trail and the person's page.
 */
export async function certificateRefusal(gate: CertificateGate, user: User): Promise<{ certificateId: number } | { refusal: GateRefusal }> {
  if (!gate.certificateListener) {
    return { refusal: { reason: 'certificate_listener_required', code: 'CERT_LOGON_USE_CERTIFICATE_SITE', details: {} } };
  }
  const check = await gate.presented();
  if (!check.ok) {
    const details = check.certificate ? { certificateSerial: check.certificate.serial_hex, certificateOf: `${check.certificate.contract_id}/${check.certificate.user_id}` } : {};
    return { refusal: { reason: `certificate_${check.refusal}`, code: refusalCodes[check.refusal], details } };
  }
  const { certificate } = check;
  if (certificate.user_ref !== user.id) {
    const reason = certificate.contract_id === user.contract_id ? 'certificate_other_person' : 'certificate_other_contract';
    const details = { certificateSerial: certificate.serial_hex, certificateOf: `${certificate.contract_id}/${certificate.user_id}` };
    return { refusal: { reason, code: 'CERT_LOGON_OTHER_PERSON', details } };
  }
  return { certificateId: certificate.id };
}
