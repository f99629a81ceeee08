import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';
import type { PayeeTables } from './schema-payees.ts';
import type { TransferTables } from './schema-transfers.ts';
import type { LedgerTables } from './schema-ledger.ts';
import type { CertificateApplicationKind, CertificateTables } from './schema-certificates.ts';
import type { TokenApplicationKind, TokenTables } from './schema-tokens.ts';
import type { PayEasyTables } from './schema-pay-easy.ts';
import type { BulkTables } from './schema-bulk.ts';
import type { BankNoticeTables } from './schema-bank-notices.ts';
import type { LogonWatchTables } from './schema-logon-watch.ts';

/** Table types, matching migrations/. Column names stay snake_case as in SQL. */
import type { AccountType, NullableTimestamp, Timestamp } from './column-types.ts';
export type { AccountType, DateText, NullableTimestamp, Timestamp } from './column-types.ts';

export type LockMode = 'unlinked' | 'linked';
export type Role = 'master' | 'user';
export type SessionStage = 'grid' | 'setup' | 'active' | 'certificate';
export type LogonMethod = 'password' | 'registration';
export type UserStatus = 'active' | 'suspended' | 'deleted';
export type Business = 'inquiry' | 'transfer' | 'tax_payment' | 'bulk_transfer' | 'user_admin';
export type StaffRole = 'recorder' | 'approver';
export type ApplicationKind = 'onboard' | 'issue_card' | 'invalidate_card' | 'new_registration_password' | 'lift_stop' | 'set_lock_mode' | CertificateApplicationKind | TokenApplicationKind;
export type ApplicationStatus = 'pending' | 'approved' | 'rejected' | 'withdrawn';
export type CardRequestReason = 'new_user' | 'lost' | 'damaged' | 'expired';
export type ApprovalMode = 'none' | 'single' | 'double';
export type ResultEmailTo = 'operator' | 'master' | 'operator_and_master';

export interface ContractTable {
  id: string;
  company_name: string;
  lock_mode: LockMode;
  stopped_at: NullableTimestamp;
  created_at: Timestamp;
  /** R8.5 (migration 0003). */
  approval_mode: Generated<ApprovalMode>;
  /** R7.3: who receives transfer results (migration 0003). */
  result_email_to: Generated<ResultEmailTo>;
  /** R4.2 (migration 0006). */
  certificate_required: Generated<boolean>;
  /** R6.4, R6.5 (migration 0008). */
  tokens_applied_at: NullableTimestamp;
  token_replaces_email_otp: Generated<boolean>;
}

export interface UsersTable {
  id: Generated<number>;
  contract_id: string;
  user_id: string;
  display_name: string;
  role: Role;
  /** R7.3: the address notices go to. */
  email: string | null;
  login_password_hash: string | null;
  login_password_changed_at: NullableTimestamp;
  confirmation_password_hash: string | null;
  confirmation_password_changed_at: NullableTimestamp;
  registration_password_hash: string | null;
  registration_password_expires_at: NullableTimestamp;
  /** R2.3: the wrong secrets counted towards the stop (decision 0024: reservations in flight are apart). */
  failed_attempts: Generated<number>;
  /** Decision 0024: the reservations being evaluated, as a lease (migration 0015, src/access/attempts.ts). */
  attempts_in_flight: Generated<number>;
  attempts_batch_at: NullableTimestamp;
  attempts_reserved_at: NullableTimestamp;
  stopped_at: NullableTimestamp;
  created_at: Timestamp;
  status: Generated<UserStatus>;
  must_change_login: Generated<boolean>;
  must_change_confirmation: Generated<boolean>;
  /** R5.1: the OTP address, usable once confirmed (migration 0007). */
  otp_email: ColumnType<string | null, string | null | undefined, string | null>;
  otp_email_confirmed_at: NullableTimestamp;
  /** R6.3, R6.6: the token the person activated, and the stop of their token use (migration 0008). */
  token_serial: ColumnType<string | null, string | null | undefined, string | null>;
  token_activated_at: NullableTimestamp;
  token_failed_attempts: Generated<number>;
  token_stopped_at: NullableTimestamp;
  /** R1.3, R7.3: when the owner confirmed `email` by a code sent to it; the setup waits for it (migration 0014). */
  email_confirmed_at: NullableTimestamp;
  /** An address an administrator set, unused until its owner enters the code sent to it (migration 0014). */
  unconfirmed_email: ColumnType<string | null, string | null | undefined, string | null>;
}

/** R5.2–R5.4: an emailed one-time password, kept as a keyed hash with the digest of what it confirms (migration 0007). */
export interface EmailOtpChallengeTable {
  id: Generated<number>;
  contract_id: string;
  user_ref: number;
  purpose: 'otp_address' | 'transfer' | 'payment';
  subject: string;
  digest: string;
  code_mac: string;
  recipient: string;
  created_at: Timestamp;
  expires_at: Timestamp;
  entries_in_flight: Generated<number>;
  wrong_entries: Generated<number>;
  used_at: NullableTimestamp;
  voided_at: NullableTimestamp;
  void_reason: ColumnType<'wrong_entries' | 'replaced' | 'changed' | null, 'wrong_entries' | 'replaced' | 'changed' | null | undefined, 'wrong_entries' | 'replaced' | 'changed' | null>;
  expiry_recorded_at: NullableTimestamp;
}

export interface PasswordHistoryTable {
  id: Generated<number>;
  user_ref: number;
  kind: 'login' | 'confirmation';
  hash: string;
  created_at: Timestamp;
}

export interface GridCardTable {
  id: Generated<number>;
  user_ref: number;
  serial: string;
  digits_sealed: string;
  issued_at: Timestamp;
  expires_at: Timestamp;
  invalidated_at: NullableTimestamp;
}

export interface GridChallengeTable {
  id: Generated<number>;
  card_id: number;
  cells: string;
  created_at: Timestamp;
  answered_at: NullableTimestamp;
}

export interface SessionTable {
  id: string;
  secret_hash: string;
  user_ref: number;
  contract_id: string;
  stage: SessionStage;
  logon_method: LogonMethod;
  csrf_token: string;
  grid_challenge_id: number | null;
  ip: string;
  created_at: Timestamp;
  last_seen_at: Timestamp;
  ended_at: NullableTimestamp;
  end_reason: string | null;
  /** The certificate a session was opened with (migration 0006); null for a password-only logon. */
  client_certificate_id: Generated<number | null>;
  /** R6.4: the person skipped the token activation page in this session (migration 0008). */
  token_prompt_skipped: Generated<boolean>;
}

export interface EmailVerificationTable {
  id: Generated<number>;
  user_ref: number;
  new_email: string;
  code_hash: string;
  failures: Generated<number>;
  created_at: Timestamp;
  expires_at: Timestamp;
  consumed_at: NullableTimestamp;
}

export interface AuditLogTable {
  id: Generated<bigint>;
  chain: string;
  seq: bigint;
  prev_hash: string;
  hash: string;
  /** How `hash` is made (src/audit/chain.ts, migration 0017): 1 for records written before, 2 since. */
  link_scheme: Generated<number>;
  /** Scheme 2's hash of the content; null for scheme 1. */
  content_hash: string | null;
  at: Timestamp;
  contract_id: string | null;
  user_ref: number | null;
  actor: string;
  action: string;
  outcome: 'success' | 'failure' | 'info';
  reason: string | null;
  ip: string | null;
  user_agent: string | null;
  details: ColumnType<Record<string, unknown>, string | undefined, string>;
}

export interface AuditChainHeadTable {
  chain: string;
  seq: bigint;
  hash: string;
}

export interface OutboxTable {
  id: Generated<bigint>;
  created_at: Timestamp;
  contract_id: string | null;
  recipient: string;
  subject: string;
  body: string;
  status: Generated<'pending' | 'sent' | 'dead'>;
  attempts: Generated<number>;
  next_attempt_at: Timestamp;
  sent_at: NullableTimestamp;
  last_error: string | null;
}

export interface RateLimitHitTable {
  bucket: string;
  window_start: Timestamp;
  hits: number;
}

export interface UserPermissionTable {
  user_ref: number;
  business: Business;
  can_register: boolean;
  can_approve: boolean;
  can_send: boolean;
  per_transaction_limit_yen: bigint | null;
  daily_limit_yen: bigint | null;
}

export interface AccountTable {
  id: Generated<number>;
  contract_id: string;
  branch_code: string;
  account_type: AccountType;
  account_number: string;
  holder_kana: string;
  opened_at: Timestamp;
  closed_at: NullableTimestamp;
}

export interface UserAccountTable {
  user_ref: number;
  account_id: number;
}

export interface GridCardRequestTable {
  id: Generated<number>;
  user_ref: number;
  requested_by: number;
  reason: CardRequestReason;
  requested_at: Timestamp;
  fulfilled_at: NullableTimestamp;
  card_id: number | null;
  cancelled_at: NullableTimestamp;
}

export interface StaffTable {
  id: Generated<number>;
  login_id: string;
  display_name: string;
  role: StaffRole;
  password_hash: string;
  totp_secret_sealed: string;
  totp_last_step: Generated<bigint>;
  failed_attempts: Generated<number>;
  /** Decision 0024: the reservations being evaluated, as a lease (migration 0015, src/access/attempts.ts). */
  attempts_in_flight: Generated<number>;
  attempts_batch_at: NullableTimestamp;
  attempts_reserved_at: NullableTimestamp;
  stopped_at: NullableTimestamp;
  disabled_at: NullableTimestamp;
  created_at: Timestamp;
  /** Null while the password in force is one the bank's IT issued (migration 0012). */
  password_changed_at: NullableTimestamp;
}

export interface StaffSessionTable {
  id: string;
  secret_hash: string;
  staff_ref: number;
  stage: 'totp' | 'active';
  csrf_token: string;
  ip: string;
  created_at: Timestamp;
  last_seen_at: Timestamp;
  ended_at: NullableTimestamp;
  end_reason: string | null;
}

export interface ChangeApplicationTable {
  id: Generated<number>;
  contract_id: string | null;
  kind: ApplicationKind;
  payload: ColumnType<Record<string, unknown>, string, string>;
  reference: string;
  status: Generated<ApplicationStatus>;
  recorded_by: number;
  recorded_at: Timestamp;
  decided_by: number | null;
  decided_at: NullableTimestamp;
  decision_note: string | null;
  result: ColumnType<Record<string, unknown> | null, string | null | undefined, string | null>;
}

/** Every table: this file's, and each area's from its own schema file. */
export interface Database extends PayeeTables, TransferTables, LedgerTables, CertificateTables, TokenTables, PayEasyTables, BulkTables, BankNoticeTables, LogonWatchTables {
  contract: ContractTable;
  users: UsersTable;
  password_history: PasswordHistoryTable;
  grid_card: GridCardTable;
  grid_challenge: GridChallengeTable;
  session: SessionTable;
  email_verification: EmailVerificationTable;
  email_otp_challenge: EmailOtpChallengeTable;
  audit_log: AuditLogTable;
  audit_chain_head: AuditChainHeadTable;
  outbox: OutboxTable;
  rate_limit_hit: RateLimitHitTable;
  user_permission: UserPermissionTable;
  account: AccountTable;
  user_account: UserAccountTable;
  grid_card_request: GridCardRequestTable;
  staff: StaffTable;
  staff_session: StaffSessionTable;
  change_application: ChangeApplicationTable;
}

export type User = Selectable<UsersTable>;
export type Contract = Selectable<ContractTable>;
export type Session = Selectable<SessionTable>;
export type GridCard = Selectable<GridCardTable>;
export type NewAuditRecord = Insertable<AuditLogTable>;
export type UserPermission = Selectable<UserPermissionTable>;
export type Account = Selectable<AccountTable>;
export type Staff = Selectable<StaffTable>;
export type ChangeApplication = Selectable<ChangeApplicationTable>;
