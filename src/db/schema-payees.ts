import type { Generated, Selectable } from 'kysely';
import type { AccountType, Timestamp } from './schema.ts';

/** Tables of migration 0003: payees and the bank's own branches. */
export type PayeeStatus = 'pending' | 'active' | 'rejected' | 'withdrawn' | 'deleted';

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
}

export interface PayeeTables {
  own_branch: OwnBranchTable;
  payee: PayeeTable;
}

export type Payee = Selectable<PayeeTable>;
