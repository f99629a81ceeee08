import type { Transfer } from './db/schema-transfers.ts';

/**
 * Where a real interbank link (the Zengin system, through the bank's own gateway) plugs in. A
 * transfer to another bank is first posted from the customer's account to the clearing account;
 * the adapter then settles it or rejects it, and a rejection is reversed (R8.6).
 */
/**
 * 'name_mismatch': the receiving bank checked the payee's name (to_name_kana) against its account
 * holder and refused it [口座名義の確認]; this bank checks its own accounts at entry instead.
 */
export type InterbankOutcome = { settled: true } | { settled: false; reason: 'account_closed' | 'account_unknown' | 'name_mismatch' | 'rejected' };

/** A record of a bulk file (R8.4) to another bank, as the link sees it. */
export interface InterbankBulkRecord {
  seq: number;
  bankCode: string;
  branchCode: string;
  /** Zengin's 預金種目: 1 普通, 2 当座, 4 貯蓄, 9 その他. */
  accountType: string;
  accountNumber: string;
  nameKana: string;
  amountYen: bigint;
}

export type InterbankReturnReason = 'account_closed' | 'account_unknown' | 'rejected';

export interface InterbankAdapter {
  settle(transfer: Transfer): Promise<InterbankOutcome>;
  /**
   * R8.4: the other banks' answers to a posted bulk file: the records they could not credit, each
   * returned to the paying account [振込不能]. An adapter without it credits every record.
   */
  settleBulk?(fileId: bigint, records: readonly InterbankBulkRecord[]): Promise<{ seq: number; reason: InterbankReturnReason }[]>;
}

/** The built-in adapter: settles at once (the demo and the tests, unless a test brings its own). */
export const settleAtOnce: InterbankAdapter = {
  settle: async () => ({ settled: true }),
  settleBulk: async () => [],
};
