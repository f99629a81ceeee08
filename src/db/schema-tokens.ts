import type { Generated, Selectable } from 'kysely';
import type { DateText, NullableTimestamp, Timestamp } from './column-types.ts';

/** Tables of migration 0008: hardware tokens (R6). */
export type TokenHash = 'sha1' | 'sha256' | 'sha512';
/** R6.2, R6.7: why a token went to a contract; a reissue for a lost or broken token is charged, one for an expired token is not. */
export type TokenAssignReason = 'new' | 'lost' | 'broken' | 'expired';

export interface HardwareTokenTable {
  serial: string;
  secret_sealed: string;
  hash: TokenHash;
  digits: number;
  step_seconds: number;
  expires_on: DateText;
  imported_at: Timestamp;
  imported_by: string;
  contract_id: string | null;
  assigned_at: NullableTimestamp;
  assign_reason: TokenAssignReason | null;
  fee_entry_id: bigint | null;
  revoked_at: NullableTimestamp;
  revoke_reason: string | null;
  last_step: Generated<bigint>;
  drift_steps: Generated<number>;
  last_used_at: NullableTimestamp;
}

export interface TokenTables {
  hardware_token: HardwareTokenTable;
}

export type HardwareToken = Selectable<HardwareTokenTable>;

/** Change applications of migration 0008 (R6.2). */
export type TokenApplicationKind = 'import_tokens' | 'assign_token';
