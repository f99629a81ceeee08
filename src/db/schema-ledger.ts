import type { Generated, Selectable } from 'kysely';
import type { DateText, Timestamp } from './column-types.ts';

/** Tables of migration 0005: the double-entry ledger. */
export type LedgerAccountKind = 'customer' | 'clearing' | 'fee_income' | 'cash';
/** The bank's own ledger accounts, found by their code (which is their kind). */
export type BankLedgerAccountCode = Exclude<LedgerAccountKind, 'customer'>;
/** 'fee': a fee the bank charges outside a transfer, such as a hardware token's (migration 0008); 'payment': a tax or fee paid through Pay-easy (migration 0009). */
export type JournalEntryKind = 'transfer' | 'reversal' | 'deposit' | 'withdrawal' | 'interest' | 'fee' | 'payment' | 'bulk' | 'bulk_return';

export interface LedgerAccountTable {
  id: Generated<number>;
  kind: LedgerAccountKind;
  account_id: number | null;
  code: string | null;
  balance_yen: Generated<bigint>;
}

export interface JournalEntryTable {
  id: Generated<bigint>;
  kind: JournalEntryKind;
  transfer_id: bigint | null;
  reverses_entry_id: bigint | null;
  /** The bulk file of a 'bulk' entry or of a 'bulk_return' (migration 0010). */
  bulk_file_id: Generated<bigint | null>;
  description: string;
  value_date: DateText;
  posted_at: Timestamp;
}

export interface PostingTable {
  id: Generated<bigint>;
  entry_id: bigint;
  ledger_account_id: number;
  amount_yen: bigint;
  balance_after_yen: bigint;
  /** This account's own 摘要 where it differs from the entry's (the payee sees the sender); null: the entry's. */
  description: string | null;
  /** Its entry's value date, copied by the database at insert (migration 0016), for the statement's index. */
  value_date: Generated<DateText>;
}

export interface LedgerTables {
  ledger_account: LedgerAccountTable;
  journal_entry: JournalEntryTable;
  posting: PostingTable;
}

export type LedgerAccount = Selectable<LedgerAccountTable>;
export type JournalEntry = Selectable<JournalEntryTable>;
export type Posting = Selectable<PostingTable>;
