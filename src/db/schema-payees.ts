import type { Generated, Selectable } from 'kysely';
import type { AccountType, NullableTimestamp, Timestamp } from './column-types.ts';

/** Tables of migration 0003: payees, their approvals and the bank's own branches. */
export type PayeeStatus = 'pending' | 'active' | 'rejected' | 'withdrawn' | 'deleted' | 'replaced';

export interface OwnBranchTable {
  code: string;
  name: string;
  name_kana: string;
}

export interface PayeeTable {
  id: Generated<number>;
  contract_id: string;
  bank_code: string;
  branch_code: string;
  account_type: AccountType;
  account_number: string;
  name_kana: string;
  nickname: string | null;
  status: PayeeStatus;
  created_by: number;
  created_at: Timestamp;
  /** R8.5: the active payee this pending version changes. */
  replaces_payee_id: Generated<number | null>;
  approvals_required: Generated<number>;
  approvals_given: Generated<number>;
  decided_by: Generated<number | null>;
  decided_at: NullableTimestamp;
  decision_reason: Generated<string | null>;
}

export interface PayeeApprovalTable {
  payee_id: number;
  approved_by: number;
  approved_at: Timestamp;
}

export interface PayeeTables {
  own_branch: OwnBranchTable;
  payee: PayeeTable;
  payee_approval: PayeeApprovalTable;
}

export type Payee = Selectable<PayeeTable>;
