import type { ColumnType, Generated, Selectable } from 'kysely';
import type { DateText, NullableTimestamp, Timestamp } from './column-types.ts';

/** Tables of migration 0010: bulk transfer files (R8.4). */
export type BulkTypeCode = '21' | '11' | '12';

export type BulkFileStatus =
  | 'draft'
  | 'discarded'
  | 'awaiting_approval'
  | 'awaiting_send'
  | 'scheduled'
  | 'posted'
  | 'completed'
  | 'failed'
  | 'withdrawn'
  | 'sent_back';

export interface BulkFileTable {
  id: Generated<bigint>;
  contract_id: string;
  created_by: number;
  type_code: BulkTypeCode;
  origin: 'upload' | 'built';
  file_name: string;
  digest: string;
  content: Uint8Array;
  from_account_id: number;
  payment_date: DateText;
  batch_count: number;
  record_count: number;
  total_yen: bigint;
  fee_yen: bigint;
  status: BulkFileStatus;
  approvals_required: number | null;
  duplicate_of: bigint | null;
  duplicate_confirmed: Generated<boolean>;
  registered_at: NullableTimestamp;
  sent_by: number | null;
  sent_at: NullableTimestamp;
  status_reason: string | null;
  protections: ColumnType<Record<string, unknown>, string | undefined, string>;
  entry_id: bigint | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  completed_at: NullableTimestamp;
}
/**
 * A file's row without its bytes: the bytes (up to BULK_FILE_BYTES_MAX) are read only where they are
 * sent back (the download, the result file), not with every step that reads or moves the row.
 */
export type BulkFile = Omit<Selectable<BulkFileTable>, 'content'>;

export const bulkFileColumns = [
  'id', 'contract_id', 'created_by', 'type_code', 'origin', 'file_name', 'digest', 'from_account_id', 'payment_date', 'batch_count',
  'record_count', 'total_yen', 'fee_yen', 'status', 'approvals_required', 'duplicate_of', 'duplicate_confirmed', 'registered_at',
  'sent_by', 'sent_at', 'status_reason', 'protections', 'entry_id', 'created_at', 'updated_at', 'completed_at',
] as const satisfies readonly (keyof BulkFileTable)[];

export type BulkRecordStatus = 'pending' | 'settled' | 'returned';
export type BulkReturnReason = 'account_unknown' | 'account_closed' | 'rejected';

export interface BulkRecordTable {
  file_id: bigint;
  seq: number;
  record_number: number;
  bank_code: string;
  bank_name: string;
  branch_code: string;
  branch_name: string;
  account_type: string;
  account_number: string;
  name_kana: string;
  amount_yen: bigint;
  fee_yen: bigint;
  customer_code: Generated<string>;
  credit_ledger_account_id: number | null;
  status: Generated<BulkRecordStatus>;
  return_reason: BulkReturnReason | null;
  return_entry_id: bigint | null;
}
export type BulkRecord = Selectable<BulkRecordTable>;

export interface BulkApprovalTable {
  file_id: bigint;
  step: number;
  approved_by: number;
  approved_at: Timestamp;
}

export interface BulkTemplateLine {
  payeeId: number;
  amountYen: string;
}

export interface BulkTemplateTable {
  id: Generated<number>;
  contract_id: string;
  name: string;
  type_code: BulkTypeCode;
  from_account_id: number;
  lines: ColumnType<BulkTemplateLine[], string, string>;
  updated_by: number;
  updated_at: Timestamp;
}
export type BulkTemplate = Selectable<BulkTemplateTable>;

export interface BulkTables {
  bulk_file: BulkFileTable;
  bulk_record: BulkRecordTable;
  bulk_approval: BulkApprovalTable;
  bulk_template: BulkTemplateTable;
}
