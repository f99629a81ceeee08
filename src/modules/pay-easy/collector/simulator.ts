import { sql } from 'kysely';
import type { Db } from '../../../db/open.ts';
import type { Bill, BillAnswer, BillQuery, Biller, Collection, PaymentCollector } from './collector.ts';

/**
 * The built-in collector: billers and bills from the registry tables of migration 0009, which the
 * demo seeds (./demo-bills.ts) and tests fill. It answers as a biller would: no such bill, already
 * paid, past its due date, or the bill. Collecting marks the bill paid by one conditional UPDATE in
 * the payment's transaction (house rule 4), so two payments of one bill cannot both be taken.
 */
export function simulatedCollector(db: Db): PaymentCollector {
  return {
    async biller(billerNumber: string): Promise<Biller | undefined> {
      const row = await db.selectFrom('pay_easy_biller').selectAll().where('biller_number', '=', billerNumber).executeTakeFirst();
      return row && { number: row.biller_number, name: row.name, kind: row.kind };
    },

    async inquire(query: BillQuery, today: string): Promise<BillAnswer> {
      const row = await db
        .selectFrom('pay_easy_bill')
        .innerJoin('pay_easy_biller', 'pay_easy_biller.biller_number', 'pay_easy_bill.biller_number')
        .select([
          'pay_easy_bill.id',
          'pay_easy_bill.biller_number',
          'pay_easy_biller.name',
          'pay_easy_biller.kind',
          'pay_easy_bill.fee_name',
          'pay_easy_bill.amount_yen',
          'pay_easy_bill.due_date',
          'pay_easy_bill.paid_at',
        ])
        .where('pay_easy_bill.biller_number', '=', query.billerNumber)
        .where('pay_easy_bill.number', '=', query.number)
        .where('pay_easy_bill.confirmation_number', '=', query.confirmationNumber)
        .where('pay_easy_bill.payment_class', '=', query.paymentClass)
        .executeTakeFirst();
      if (!row) return { noBill: 'not_found' };
      if (row.paid_at !== null) return { noBill: 'already_paid' };
      if (row.due_date < today) return { noBill: 'expired' };
      return {
        bill: {
          ref: `sim-${row.id.toString()}`,
          billerNumber: row.biller_number,
          billerName: row.name,
          billerKind: row.kind,
          feeName: row.fee_name,
          amountYen: BigInt(row.amount_yen),
          dueDate: row.due_date,
        },
      };
    },

    async collect(tx, bill: Bill, payment): Promise<Collection> {
      const id = /^sim-([1-9][0-9]{0,17})$/.exec(bill.ref)?.[1];
      if (id === undefined) return { collected: false, reason: 'not_found' };
      const { rows } = await sql<{ id: bigint }>`
        UPDATE pay_easy_bill SET paid_at = ${payment.paidAt}::timestamptz, paid_receipt_number = ${payment.receiptNumber}
        WHERE id = ${id}::int8 AND biller_number = ${bill.billerNumber} AND paid_at IS NULL
          AND due_date >= ${payment.today}::date AND amount_yen = ${bill.amountYen}::int8 AND due_date = ${bill.dueDate}::date
        RETURNING id`.execute(tx);
      if (rows.length === 1) return { collected: true };
      // Why not: read under the same transaction, after the UPDATE waited for any other payment of it.
      const now = await tx.selectFrom('pay_easy_bill').select(['paid_at', 'due_date']).where('id', '=', BigInt(id)).executeTakeFirst();
      if (!now) return { collected: false, reason: 'not_found' };
      if (now.paid_at !== null) return { collected: false, reason: 'already_paid' };
      if (now.due_date < payment.today) return { collected: false, reason: 'expired' };
      return { collected: false, reason: 'changed' };
    },
  };
}
