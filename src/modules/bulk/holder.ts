import { sql } from 'kysely';
import type { Executor } from '../../db/transaction.ts';
import type { Account, ApprovalMode } from '../../db/schema.ts';
import type { StepHolder } from '../../domain/approval.ts';
import { isRowId } from '../transfers/holder.ts';
import { usesAccountSql } from '../users/account-use.ts';
import type { Actor } from '../transfers/types.ts';

/** The business as user_permission and daily_usage name it. */
export const bulkBusiness = 'bulk_transfer';

/**
 * What the acting person holds of 外部ファイル送信 (R1.4), read afresh in one statement: the steps,
 * the limits per file and per day with what is used of the payment date asked about, the contract's
 * approval setting, and the account asked about when the person may use it (../users/account-use.ts).
 */
export interface BulkHolder extends StepHolder {
  dailyLimitYen: bigint | null;
  dailyUsedYen: bigint;
  approvalMode: ApprovalMode;
  account: Account | undefined;
}

interface Row {
  role: 'master' | 'user';
  active: boolean;
  approval_mode: ApprovalMode;
  can_register: boolean | null;
  can_approve: boolean | null;
  can_send: boolean | null;
  per_transaction_limit_yen: bigint | string | null;
  daily_limit_yen: bigint | string | null;
  daily_used_yen: bigint | string | null;
  account: (Omit<Account, 'opened_at' | 'closed_at'> & { opened_at: string; closed_at: string | null }) | null;
}

const yen = (value: bigint | string | null): bigint | null => (value === null ? null : BigInt(value));

export async function bulkHolderOf(executor: Executor, actor: Actor, options: { accountId?: number; usageDate?: string } = {}): Promise<BulkHolder> {
  const accountId = isRowId(options.accountId) ? options.accountId : null;
  const { rows } = await sql<Row>`
    SELECT u.role, (u.status = 'active' AND u.stopped_at IS NULL AND c.stopped_at IS NULL) AS active, c.approval_mode,
           p.can_register, p.can_approve, p.can_send, p.per_transaction_limit_yen, p.daily_limit_yen,
           (SELECT d.used_yen FROM daily_usage d WHERE d.user_ref = u.id AND d.business = ${bulkBusiness} AND d.usage_date = ${options.usageDate ?? null}::date) AS daily_used_yen,
           (SELECT row_to_json(a) FROM account a
             WHERE a.id = ${accountId} AND ${usesAccountSql('u', 'a')}) AS account
    FROM users u
    JOIN contract c ON c.id = u.contract_id
    LEFT JOIN user_permission p ON p.user_ref = u.id AND p.business = ${bulkBusiness}
    WHERE u.id = ${actor.user.id} AND u.contract_id = ${actor.contract.id}`.execute(executor);
  const row = rows[0];
  // A person who may no longer use the service holds nothing, whatever their session still says.
  const active = row?.active === true;
  return {
    ref: actor.user.id,
    canRegister: active && row.can_register === true,
    canApprove: active && row.can_approve === true,
    canSend: active && row.can_send === true,
    perTransactionLimitYen: row ? yen(row.per_transaction_limit_yen) : null,
    dailyLimitYen: row ? yen(row.daily_limit_yen) : null,
    dailyUsedYen: (row ? yen(row.daily_used_yen) : null) ?? 0n,
    approvalMode: row?.approval_mode ?? 'none',
    usesAccount: row?.account != null,
    account: row?.account ? { ...row.account, opened_at: new Date(row.account.opened_at), closed_at: row.account.closed_at === null ? null : new Date(row.account.closed_at) } : undefined,
  };
}

/** Whether the person holds any step of the business (to see its files at all). */
export function holdsBulk(holder: BulkHolder): boolean {
  return holder.canRegister || holder.canApprove || holder.canSend;
}
