import type { Generated, Selectable } from 'kysely';
import type { NullableTimestamp, Timestamp } from './column-types.ts';

/** Tables of migration 0006: the bank's certificate authority and client certificates (R4). */
export interface CertificateAuthorityTable {
  id: Generated<number>;
  subject: string;
  certificate_pem: string;
  key_sealed: string;
  created_at: Timestamp;
  retired_at: NullableTimestamp;
}

export interface ClientCertificateTable {
  id: Generated<number>;
  authority_id: number;
  user_ref: number;
  serial_hex: string;
  fingerprint_sha256: string;
  certificate_pem: string;
  not_before: Timestamp;
  not_after: Timestamp;
  issued_at: Timestamp;
  revoked_at: NullableTimestamp;
  revocation_reason: string | null;
  reminder_30_sent_at: NullableTimestamp;
  reminder_10_sent_at: NullableTimestamp;
}

export interface CertificateTables {
  certificate_authority: CertificateAuthorityTable;
  client_certificate: ClientCertificateTable;
}

export type CertificateAuthority = Selectable<CertificateAuthorityTable>;
export type ClientCertificate = Selectable<ClientCertificateTable>;

/** Change applications of migration 0006 (R4.2, R4.5), beside those of src/db/schema.ts's ApplicationKind. */
export type CertificateApplicationKind = 'set_certificate_required' | 'reissue_master_certificate';
