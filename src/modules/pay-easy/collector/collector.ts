import type { Tx } from '../../../db/transaction.ts';
import type { BillerKind } from '../../../db/schema-pay-easy.ts';
import type { DateText } from '../../../db/column-types.ts';

export type { BillerKind } from '../../../db/schema-pay-easy.ts';

/**
 * R8.3: where the bank asks a biller [収納機関] about a bill and tells it the bill was paid. The real
 * Multi-Payment Network plugs in here (through the bank's own gateway); the built-in collector
 * (./simulator.ts) answers from a registry of bills the demo seeds. The bank never takes an amount
 * from the person: it pays what the collector answered, asked again at the moment of payment.
 */
export interface Biller {
  /** 収納機関番号, five digits. */
  number: string;
  name: string;
  /** A private biller's bill is named by お客様番号 + 確認番号; a public one's (国庫金, 地方公共団体) by 納付番号 + 確認番号 + 納付区分. */
  kind: BillerKind;
}

/** What the person typed from the bill. `paymentClass` is empty for a private biller. */
export interface BillQuery {
  billerNumber: string;
  /** お客様番号 (private) or 納付番号 (public). */
  number: string;
  confirmationNumber: string;
  paymentClass: string;
}

/** A bill as the biller answers it. */
export interface Bill {
  /** The collector's own reference of the bill: a bill is paid once. */
  ref: string;
  billerNumber: string;
  billerName: string;
  billerKind: BillerKind;
  /** 料金名: what the bill is for. */
  feeName: string;
  amountYen: bigint;
  dueDate: DateText;
}

/** Why a biller answers with no bill to pay. */
export type NoBill = 'not_found' | 'already_paid' | 'expired';

export type BillAnswer = { bill: Bill } | { noBill: NoBill };

/** What the biller says when told of a payment: taken, or no longer payable (paid meanwhile, expired, changed). */
export type Collection = { collected: true } | { collected: false; reason: NoBill | 'changed' };

export interface PaymentCollector {
  /** The biller of a 収納機関番号, or undefined when there is none. */
  biller(billerNumber: string): Promise<Biller | undefined>;
  /** 照会: the bill the query names, as of `today` (Asia/Tokyo). */
  inquire(query: BillQuery, today: DateText): Promise<BillAnswer>;
  /**
   * 消込: the bill is paid, in the payment's transaction, so that the payment and the biller's record
   * commit together (a real link writes its outbound notice there). Refused when the bill is no
   * longer the one the person confirmed.
   */
  collect(tx: Tx, bill: Bill, payment: { receiptNumber: string; paidAt: Date; today: DateText }): Promise<Collection>;
}
