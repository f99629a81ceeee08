import { sql } from 'kysely';
import type { Executor } from '../../db/transaction.ts';
import type { Account } from '../../db/schema.ts';
import { refuse } from './refusal.ts';
import { usesAccountSql } from '../users/account-use.ts';
import type { Actor } from '../transfers/types.ts';

/**
 * R1.4, R8.3: what the acting person holds of the business 税金・各種料金の払込み, read afresh (a
 * permission may have been changed since logon): whether they hold it at all (the business has no
 * steps: holding it is paying), its limits per transaction and per day, what they have paid today,
 * and, when asked, the account to pay from if they may use it (../users/account-use.ts). The day's
 * usage is read in the statement that reads the limit it is judged against.
 */
export interface Payer {
  holds: boolean;
  perTransactionLimitYen: bigint | null;
  dailyLimitYen: bigint | null;
  dailyUsedYen: bigint;
  account: Account | undefined;
}

/** The business as daily_usage and user_permission name it. */
export const taxPaymentBusiness = 'tax_payment';

interface PayerRow {
  status: string;
  stopped: boolean;
  contract_stopped: boolean;
  holds: boolean;
  per_transaction_limit_yen: bigint | string | null;
  daily_limit_yen: bigint | string | null;
  daily_used_yen: bigint | string | null;
  account_id: number | null;
}

/** PostgreSQL's integer: an id outside it names nothing. */
export function isRowId(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0 && value <= 2_147_483_647;
}

const yenOrNull = (value: bigint | string | null): bigint | null => (value === null ? null : BigInt(value));

export async function payerOf(executor: Executor, actor: Actor, today: string, accountId?: number): Promise<Payer> {
  const asked = isRowId(accountId) ? accountId : null;
  const { rows } = await sql<PayerRow>`
    SELECT u.status, u.stopped_at IS NOT NULL AS stopped, c.stopped_at IS NOT NULL AS contract_stopped,
           p.user_ref IS NOT NULL AS holds, p.per_transaction_limit_yen, p.daily_limit_yen,
           (SELECT d.used_yen FROM daily_usage d WHERE d.user_ref = u.id AND d.business = ${taxPaymentBusiness} AND d.usage_date = ${today}::date) AS daily_used_yen,
           (SELECT a.id FROM account a
             WHERE a.id = ${asked} AND ${usesAccountSql('u', 'a')}) AS account_id
    FROM users u
    JOIN contract c ON c.id = u.contract_id
    LEFT JOIN user_permission p ON p.user_ref = u.id AND p.business = ${taxPaymentBusiness}
    WHERE u.id = ${actor.user.id} AND u.contract_id = ${actor.contract.id}`.execute(executor);
  const row = rows[0];
  if (!row) refuse('PAY_EASY_NOT_PERMITTED');
  // A person who may no longer use the service holds nothing, whatever their session still says.
  const active = row.status === 'active' && !row.stopped && !row.contract_stopped;
  const account = row.account_id === null ? undefined : await executor.selectFrom('account').selectAll().where('id', '=', row.account_id).executeTakeFirst();
  return {
    holds: active && row.holds,
    perTransactionLimitYen: yenOrNull(row.per_transaction_limit_yen),
    dailyLimitYen: yenOrNull(row.daily_limit_yen),
    dailyUsedYen: yenOrNull(row.daily_used_yen) ?? 0n,
    account,
  };
}

/** R1.4: the person must hold the business; a missing limit allows nothing. */
export function requireHolder(payer: Payer): void {
  if (!payer.holds) refuse('PAY_EASY_NOT_PERMITTED');
}

/** R1.4: the limits, as the payment's write enforces them again (./pay.ts). */
export function refusalOverLimits(payer: Payer, amountYen: bigint): 'PAY_EASY_PER_TRANSACTION_LIMIT' | 'PAY_EASY_DAILY_LIMIT' | undefined {
  if (payer.perTransactionLimitYen === null || amountYen > payer.perTransactionLimitYen) return 'PAY_EASY_PER_TRANSACTION_LIMIT';
  if (payer.dailyLimitYen === null || payer.dailyUsedYen + amountYen > payer.dailyLimitYen) return 'PAY_EASY_DAILY_LIMIT';
  return undefined;
}
