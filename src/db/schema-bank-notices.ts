import type { Generated, Selectable } from 'kysely';
import type { DateText, Timestamp } from './column-types.ts';

/** Table of migration 0011: notices from the bank [お知らせ], each with a display period and a target. */
export interface BankNoticeTable {
  id: Generated<bigint>;
  /** The one contract it is shown to; null: every contract. */
  contract_id: string | null;
  title: string;
  body: string;
  shown_from: DateText;
  shown_until: DateText;
  posted_by: number;
  posted_at: Timestamp;
}

export interface BankNoticeTables {
  bank_notice: BankNoticeTable;
}

export type BankNotice = Selectable<BankNoticeTable>;
