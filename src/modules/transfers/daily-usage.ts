import { sql, type RawBuilder } from 'kysely';
import type { Tx } from '../../db/transaction.ts';
import { refuseOverDailyLimit, refuseOverPerTransactionLimit } from './limit-refusal.ts';
import { refuse } from './refusal.ts';

/** The businesses with the register step whose daily limit counts per execution date (R1.4): transfers and bulk files. */
export type SteppedBusiness = 'transfer' | 'bulk_transfer';

/**
 * R1.4: a person's daily limit for fund transfers (src/domain/daily-limit.ts), counted per execution
 * date (Asia/Tokyo) in daily_usage and raised in the write only while it stays within the limit
 * (house rule 5): however many transfers arrive at once, the sum accepted for a day never passes it.
 * Bulk files (R8.4) count theirs the same way, per payment date, under their own business.
 * The rule is the domain's refusalOverDailyLimit, stated here in SQL so that it holds in the write.
 * The statement reads the permission as it is now, so the register step and the per-transaction
 * limit hold too. It is part of the statement that inserts the transfer (create.ts), which runs only
 * when it returns a row, or, for a transfer posted at once, of the posting's statement, whose
 * transaction is refused when it returns none (decision 0031). `when` is a condition of the
 * caller's statement the reservation is made on (there, that the posting's funds suffice).
 */
export function reserveDailyUsageSql(userRef: number, usageDate: string, amountYen: bigint, business: SteppedBusiness = 'transfer', when: RawBuilder<boolean> = sql`true`) {
  return sql`
    INSERT INTO daily_usage AS d (user_ref, business, usage_date, used_yen)
    SELECT p.user_ref, ${business}, ${usageDate}::date, ${amountYen}::int8
    FROM user_permission p
    WHERE p.user_ref = ${userRef} AND p.business = ${business} AND p.can_register
      AND ${amountYen}::int8 <= p.per_transaction_limit_yen AND ${amountYen}::int8 <= p.daily_limit_yen AND ${when}
    ON CONFLICT (user_ref, business, usage_date) DO UPDATE SET used_yen = d.used_yen + EXCLUDED.used_yen
    WHERE d.used_yen + EXCLUDED.used_yen <= (SELECT daily_limit_yen FROM user_permission WHERE user_ref = d.user_ref AND business = ${business})
    RETURNING d.used_yen`;
}

/** Which rule refused a reservation, from the permission and the day's usage as they are now, with their figures. */
export async function refuseReservation(tx: Tx, userRef: number, amountYen: bigint, usageDate: string, today: string): Promise<never> {
  const permission = await tx
    .selectFrom('user_permission')
    .select(['can_register', 'per_transaction_limit_yen', 'daily_limit_yen'])
    .where('user_ref', '=', userRef)
    .where('business', '=', 'transfer')
    .executeTakeFirst();
  if (!permission?.can_register) refuse('TRANSFER_NOT_PERMITTED');
  if (permission.per_transaction_limit_yen === null || amountYen > permission.per_transaction_limit_yen) refuseOverPerTransactionLimit(permission.per_transaction_limit_yen);
  const usage = await tx
    .selectFrom('daily_usage')
    .select('used_yen')
    .where('user_ref', '=', userRef)
    .where('business', '=', 'transfer')
    .where('usage_date', '=', usageDate)
    .executeTakeFirst();
  refuseOverDailyLimit(permission.daily_limit_yen, usage?.used_yen ?? 0n, usageDate, today);
}

/** R1.4: a withdrawn or sent-back transfer gives its amount back to its creator's day. */
export async function releaseDailyUsage(tx: Tx, userRef: number, usageDate: string, amountYen: bigint, business: SteppedBusiness = 'transfer'): Promise<void> {
  await tx
    .updateTable('daily_usage')
    .set((eb) => ({ used_yen: eb('used_yen', '-', amountYen) }))
    .where('user_ref', '=', userRef)
    .where('business', '=', business)
    .where('usage_date', '=', usageDate)
    .execute();
}
