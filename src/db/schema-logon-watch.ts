import type { Generated } from 'kysely';
import type { NullableTimestamp, Timestamp } from './column-types.ts';

/** Tables of migration 0013: what the bank watches for attacks on the logon (R2.3, R2.4). */
export type LogonPortal = 'customer' | 'staff';

/** Logons the per-address rate limit refused, one row per portal, client address and minute. */
export interface LogonRefusalTable {
  portal: LogonPortal;
  ip: string;
  /** The start of the minute (the rate limit's window). */
  minute: Timestamp;
  refusals: number;
  first_at: Timestamp;
  last_at: Timestamp;
  /** When the minute's count went into the audit trail; null until the minute is over and recorded. */
  total_recorded_at: NullableTimestamp;
}

/** The client address of a customer's wrong secret; the last seven per person are kept. */
export interface SecretFailureTable {
  id: Generated<bigint>;
  user_ref: number;
  at: Timestamp;
  ip: string;
}

export interface LogonWatchTables {
  logon_refusal: LogonRefusalTable;
  secret_failure: SecretFailureTable;
}
