import { sql } from 'kysely';
import type { Deps } from '../../deps.ts';
import type { Executor } from '../../db/transaction.ts';
import { refuse } from './refusal.ts';
import type { Actor, TransferQuote } from './types.ts';

/**
 * R8.6, the duplicate-transfer check [二重振込チェック]: a new transfer from the same account to the
 * same payee account with the same amount and execution date as one of the contract's registered in
 * the last DUPLICATE_WINDOW_DAYS is held, the earlier one shown, until the person says it is a
 * separate payment [別の振込として実行する]. It is a warning to a person, not a gate against a
 * race (the idempotency key is that), so it reads before it writes. Withdrawn and sent-back
 * transfers move no money and are not counted.
 */
export interface EarlierTransfer {
  id: bigint;
  createdAt: Date;
}

/**
 * `requestKeys`: the idempotency keys of this very request. The transfer a retry or a twin of it
 * made is its result, never a transfer it duplicates (R8.6: a retry gets its first result).
 */
export async function findDuplicate(deps: Deps, executor: Executor, actor: Actor, quote: TransferQuote, requestKeys: readonly string[] = []): Promise<EarlierTransfer | undefined> {
  const windowDays = deps.config.duplicateWindowDays;
  if (windowDays <= 0) return undefined;
  const since = new Date(deps.clock.now().getTime() - windowDays * 86_400_000);
  const row = await executor
    .selectFrom('transfer')
    .select(['id', 'created_at'])
    .where('contract_id', '=', actor.contract.id)
    .$if(requestKeys.length > 0, (q) => q.where((eb) => eb.not(eb.and([eb('created_by', '=', actor.user.id), eb('idempotency_key', 'in', requestKeys)]))))
    .where('from_account_id', '=', quote.fromAccount.id)
    .where('to_bank_code', '=', quote.to.bankCode)
    .where('to_branch_code', '=', quote.to.branchCode)
    .where('to_account_type', '=', quote.to.accountType)
    .where('to_account_number', '=', quote.to.accountNumber)
    .where('amount_yen', '=', quote.amountYen)
    .where('execution_date', '=', sql<string>`${quote.executionDate}::date`)
    .where('status', 'not in', ['withdrawn', 'sent_back'])
    .where('created_at', '>=', since)
    .orderBy('created_at', 'desc')
    .executeTakeFirst();
  return row ? { id: row.id, createdAt: row.created_at } : undefined;
}

/** Refuses a transfer like an earlier one unless the person ticked "separate payment" (`separatePayment`). */
export function refuseDuplicate(earlier: EarlierTransfer | undefined, separatePayment: boolean | undefined): void {
  if (earlier && separatePayment !== true) refuse('TRANSFER_DUPLICATE_UNCONFIRMED', 'separatePayment', { id: earlier.id.toString() });
}
