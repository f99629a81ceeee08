import type { Executor } from '../../../db/transaction.ts';
import { addDays } from '../../../domain/business-days.ts';

/**
 * R8.3: the bills the built-in collector answers for in the demo — a national tax, a local tax and
 * an electricity bill to pay, one bill already paid and one past its due date — so that each answer
 * of a biller can be tried. The numbers are printed in README.md; due dates count from the day the
 * demo is seeded.
 */
export const demoBillers = [
  { biller_number: '00100', name: '国庫金（デモ税務署）', kind: 'national' },
  { biller_number: '81300', name: 'デモ市', kind: 'local' },
  { biller_number: '58001', name: 'デモ電力株式会社', kind: 'private' },
] as const;

export interface DemoBill {
  billerNumber: string;
  number: string;
  confirmationNumber: string;
  paymentClass: string;
  feeName: string;
  amountYen: bigint;
  /** Days from today to the due date (negative: past). */
  dueInDays: number;
  paid?: true;
}

export const demoBills: readonly DemoBill[] = [
  { billerNumber: '00100', number: '1001200230034004', confirmationNumber: '123456', paymentClass: '1', feeName: '源泉所得税（令和8年3月分）', amountYen: 152_300n, dueInDays: 30 },
  { billerNumber: '81300', number: '2100123412341234', confirmationNumber: '654321', paymentClass: '201', feeName: '法人市民税（令和7年度 第4期）', amountYen: 88_000n, dueInDays: 20 },
  { billerNumber: '58001', number: '300012345678', confirmationNumber: '4321', paymentClass: '', feeName: '電気料金（2026年3月分）', amountYen: 23_456n, dueInDays: 14 },
  { billerNumber: '58001', number: '300012345679', confirmationNumber: '4321', paymentClass: '', feeName: '電気料金（2026年2月分）', amountYen: 21_980n, dueInDays: -10, paid: true },
  { billerNumber: '58001', number: '300012345670', confirmationNumber: '4321', paymentClass: '', feeName: '電気料金（2026年1月分）', amountYen: 25_010n, dueInDays: -40 },
];

/** Fills the registry with the demo's billers and bills (once: a biller already there is left as it is). */
export async function seedDemoBills(executor: Executor, today: string, now: Date): Promise<void> {
  await executor.insertInto('pay_easy_biller').values([...demoBillers]).onConflict((oc) => oc.column('biller_number').doNothing()).execute();
  await executor
    .insertInto('pay_easy_bill')
    .values(
      demoBills.map((bill, index) => ({
        biller_number: bill.billerNumber,
        number: bill.number,
        confirmation_number: bill.confirmationNumber,
        payment_class: bill.paymentClass,
        fee_name: bill.feeName,
        amount_yen: bill.amountYen,
        due_date: addDays(today, bill.dueInDays),
        paid_at: bill.paid ? now : null,
        paid_receipt_number: bill.paid ? `PAID-ELSEWHERE-${index}` : null,
      })),
    )
    .onConflict((oc) => oc.columns(['biller_number', 'number', 'confirmation_number', 'payment_class']).doNothing())
    .execute();
}
