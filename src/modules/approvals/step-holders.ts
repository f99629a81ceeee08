import { sql, type RawBuilder } from 'kysely';
import type { Executor } from '../../db/transaction.ts';
import type { StepHolder } from '../../domain/approval.ts';
import { usesAccountSql } from '../users/account-use.ts';

/**
 * The people of a contract who hold the approve or send step of a business (R1.4) and may use the
 * service now, each with the open accounts they may use (R1.4, ../users/account-use.ts). One
 * statement, read in the caller's transaction.
 */
export interface PersonHolding {
  ref: number;
  email: string | null;
  canApprove: boolean;
  canSend: boolean;
  perTransactionLimitYen: bigint | null;
  accountIds: ReadonlySet<number>;
}

export type HoldingBusiness = 'transfer' | 'bulk_transfer';

export interface HoldingRow {
  business: HoldingBusiness;
  id: number;
  email: string | null;
  can_approve: boolean;
  can_send: boolean;
  per_transaction_limit_yen: string | null;
  account_ids: number[] | null;
}

/** The holders of the given businesses' approve or send step, a row per person and business, as SQL. */
export function holdingRowsSql(contractId: string, businesses: readonly HoldingBusiness[], onlyRef: number | undefined): RawBuilder<HoldingRow> {
  return sql<HoldingRow>`
    SELECT p.business, u.id, u.email, p.can_approve, p.can_send,
           -- As text, so the yen survive a JSON copy of the row (the waiting list's) exactly.
           p.per_transaction_limit_yen::text AS per_transaction_limit_yen,
           (SELECT array_agg(a.id ORDER BY a.id) FROM account a
             WHERE ${usesAccountSql('u', 'a')}) AS account_ids
    FROM users u
    JOIN contract c ON c.id = u.contract_id
    JOIN user_permission p ON p.user_ref = u.id AND p.business = ANY(${businesses}::text[])
    WHERE u.contract_id = ${contractId} AND u.status = 'active' AND u.stopped_at IS NULL AND c.stopped_at IS NULL
      AND (p.can_approve OR p.can_send)
      AND (${onlyRef ?? null}::int IS NULL OR u.id = ${onlyRef ?? null}::int)
    ORDER BY u.id`;
}

async function holdingRows(executor: Executor, contractId: string, businesses: readonly HoldingBusiness[], onlyRef: number | undefined): Promise<HoldingRow[]> {
  return (await holdingRowsSql(contractId, businesses, onlyRef).execute(executor)).rows;
}

export function holdingOf(row: HoldingRow): PersonHolding {
  return {
    ref: row.id,
    email: row.email,
    canApprove: row.can_approve,
    canSend: row.can_send,
    perTransactionLimitYen: row.per_transaction_limit_yen === null ? null : BigInt(row.per_transaction_limit_yen),
    accountIds: new Set((row.account_ids ?? []).map(Number)),
  };
}

export async function stepHolders(executor: Executor, contractId: string, business: HoldingBusiness, onlyRef?: number): Promise<PersonHolding[]> {
  return (await holdingRows(executor, contractId, [business], onlyRef)).map(holdingOf);
}

/** The person as the rules of src/domain/approval.ts judge them for an item paid from `accountId` (none for a payee). */
export function asStepHolder(person: PersonHolding, accountId: number | undefined): StepHolder {
  return {
    ref: person.ref,
    canRegister: false,
    canApprove: person.canApprove,
    canSend: person.canSend,
    perTransactionLimitYen: person.perTransactionLimitYen,
    usesAccount: accountId === undefined || person.accountIds.has(accountId),
  };
}
