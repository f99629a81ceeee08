import type { ColumnType, Generated, Selectable } from 'kysely';
import type { DateText, NullableTimestamp, Timestamp } from './column-types.ts';

/** Tables of migration 0009: tax and fee payments through Pay-easy (R8.3). */
export type BillerKind = 'private' | 'national' | 'local';

/** The billers the built-in collector knows (src/modules/pay-easy/collector/simulator.ts). */
export interface PayEasyBillerTable {
  biller_number: string;
  name: string;
  kind: BillerKind;
}

/** The bills the built-in collector answers for. */
export interface PayEasyBillTable {
  id: Generated<bigint>;
  biller_number: string;
  number: string;
  confirmation_number: string;
  payment_class: Generated<string>;
  fee_name: string;
  amount_yen: bigint;
  due_date: DateText;
  paid_at: NullableTimestamp;
  paid_receipt_number: string | null;
}

/** A payment made, with the bill as the biller answered it. */
export interface PaymentTable {
  id: Generated<bigint>;
  receipt_number: Generated<string>;
  contract_id: string;
  created_by: number;
  idempotency_key: string;
  request_hash: string;
  from_account_id: number;
  biller_number: string;
  biller_name: string;
  biller_kind: BillerKind;
  number: string;
  payment_class: string;
  bill_ref: string;
  fee_name: string;
  amount_yen: bigint;
  due_date: DateText;
  entry_id: bigint | null;
  protections: ColumnType<Record<string, unknown>, string, string>;
  paid_at: Timestamp;
}

export interface PayEasyTables {
  pay_easy_biller: PayEasyBillerTable;
  pay_easy_bill: PayEasyBillTable;
  payment: PaymentTable;
}

export type Payment = Selectable<PaymentTable>;
