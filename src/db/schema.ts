import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

/** Table types, matching migrations/. Column names stay snake_case as in SQL. */
type Timestamp = ColumnType<Date, Date, Date>;
type NullableTimestamp = ColumnType<Date | null, Date | null | undefined, Date | null>;

export type LockMode = 'unlinked' | 'linked';
export type Role = 'master' | 'user';
export type SessionStage = 'grid' | 'setup' | 'active';
export type LogonMethod = 'password' | 'registration';

export interface ContractTable {
  id: string;
  company_name: string;
  lock_mode: LockMode;
  stopped_at: NullableTimestamp;
  created_at: Timestamp;
}

export interface UsersTable {
  id: Generated<number>;
  contract_id: string;
  user_id: string;
  display_name: string;
  role: Role;
  email: string | null;
  login_password_hash: string | null;
  login_password_changed_at: NullableTimestamp;
  confirmation_password_hash: string | null;
  confirmation_password_changed_at: NullableTimestamp;
  registration_password_hash: string | null;
  registration_password_expires_at: NullableTimestamp;
  failed_attempts: Generated<number>;
  stopped_at: NullableTimestamp;
  created_at: Timestamp;
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

export interface Database {
  contract: ContractTable;
  users: UsersTable;
  password_history: PasswordHistoryTable;
  grid_card: GridCardTable;
  grid_challenge: GridChallengeTable;
  session: SessionTable;
  email_verification: EmailVerificationTable;
  audit_log: AuditLogTable;
  audit_chain_head: AuditChainHeadTable;
  outbox: OutboxTable;
  rate_limit_hit: RateLimitHitTable;
}

export type User = Selectable<UsersTable>;
export type Contract = Selectable<ContractTable>;
export type Session = Selectable<SessionTable>;
export type GridCard = Selectable<GridCardTable>;
export type NewAuditRecord = Insertable<AuditLogTable>;
