import type { ColumnType, Generated, Selectable } from 'kysely';
import type { AccountType, DateText, NullableTimestamp, Timestamp } from './column-types.ts';
export type { DateText } from './column-types.ts';

/** Tables of migration 0004: transfers, their approvals, daily usage of limits, idempotency. */
export type TransferStatus = 'awaiting_approval' | 'awaiting_send' | 'scheduled' | 'completed' | 'failed' | 'withdrawn' | 'sent_back';


export interface TransferTable {
  id: Generated<bigint>;
  contract_id: string;
  created_by: number;
  idempotency_key: string;
  request_hash: string;
  from_account_id: number;
  payee_id: number | null;
  to_bank_code: string;
  to_branch_code: string;
  to_account_type: AccountType;
  to_account_number: string;
  to_name_kana: string;
  amount_yen: bigint;
  fee_yen: bigint;
  execution_date: DateText;
  status: TransferStatus;
  approvals_required: number;
  sent_by: number | null;
  sent_at: NullableTimestamp;
  status_reason: string | null;
  protections: ColumnType<Record<string, unknown>, string | undefined, string>;
  created_at: Timestamp;
  updated_at: Timestamp;
  /** R5.3: moved on by every change of the row (a trigger, migration 0007); a code is bound to one version. */
  version: Generated<number>;
  completed_at: NullableTimestamp;
}

export interface TransferApprovalTable {
  transfer_id: bigint;
  step: number;
  approved_by: number;
  approved_at: Timestamp;
}

export interface DailyUsageTable {
  user_ref: number;
  business: string;
  usage_date: DateText;
  used_yen: bigint;
}

export interface IdempotencyRecordTable {
  user_ref: number;
  key: string;
  request_hash: string;
  result: ColumnType<Record<string, unknown> | null, string | null | undefined, string | null>;
  created_at: Timestamp;
}

export interface TransferTables {
  transfer: TransferTable;
  transfer_approval: TransferApprovalTable;
  daily_usage: DailyUsageTable;
  idempotency_record: IdempotencyRecordTable;
}

export type Transfer = Selectable<TransferTable>;
