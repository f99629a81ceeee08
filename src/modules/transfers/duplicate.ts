import { sql, type RawBuilder } from 'kysely';
import type { Deps } from '../../deps.ts';
import type { Executor } from '../../db/transaction.ts';
import { refuse } from './refusal.ts';
import { isValidDateText } from '../../domain/business-days.ts';
import { yenAmountMax } from '../../domain/money.ts';
import { isAccountNumber, isAccountType, isBankCode, isBranchCode } from '../../domain/account-designation.ts';
import { isRowId } from './holder.ts';
import type { Actor, TransferInput, TransferQuote } from './types.ts';

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
 * What a new transfer is compared on (R8.6), known before its destination is resolved: the account
 * to pay from, the payee's account (an ad hoc destination's fields, or a registered payee's), the
 * amount and the execution date. `requestKeys`: the idempotency keys of this very request. The
 * transfer a retry or a twin of it made is its result, never a transfer it duplicates (R8.6: a
 * retry gets its first result).
 */
export interface DuplicateQuestion {
  fromAccountId: number;
  to: { payeeId: number } | { bankCode: string; branchCode: string; accountType: string; accountNumber: string };
  amountYen: bigint;
  executionDate: string;
  requestKeys: readonly string[];
}

/** The question for a quote already checked (its destination resolved). */
function duplicateQuestionOf(quote: TransferQuote, requestKeys: readonly string[] = []): DuplicateQuestion {
  const { bankCode, branchCode, accountType, accountNumber } = quote.to;
  return { fromAccountId: quote.fromAccount.id, to: { bankCode, branchCode, accountType, accountNumber }, amountYen: quote.amountYen, executionDate: quote.executionDate, requestKeys };
}

/**
 * The check itself, as a scalar subquery of the contract's latest transfer like the one asked about
 * (json {id, createdAt} or null), so that the person's permission can be read with it (holder.ts,
 * one statement) or it can be read alone (findDuplicate). Null when the window is off.
 */
export function duplicateSql(deps: Deps, contractId: string, userRef: number, question: DuplicateQuestion): RawBuilder<unknown> {
  const windowDays = deps.config.duplicateWindowDays;
  if (windowDays <= 0) return sql`NULL::json`;
  const since = new Date(deps.clock.now().getTime() - windowDays * 86_400_000);
  const to = question.to;
  // A registered payee is compared on its account, so that an ad hoc transfer to the same account counts.
  const toAccount =
    'payeeId' in to
      ? sql`(SELECT ARRAY[p.bank_code, p.branch_code, p.account_type::text, p.account_number] FROM payee p WHERE p.id = ${to.payeeId}::int AND p.contract_id = ${contractId})`
      : sql`ARRAY[${to.bankCode}::text, ${to.branchCode}::text, ${to.accountType}::text, ${to.accountNumber}::text]`;
  const keys = question.requestKeys;
  return sql`(SELECT json_build_object('id', d.id::text, 'createdAt', d.created_at) FROM transfer d
    WHERE d.contract_id = ${contractId}
      ${keys.length > 0 ? sql`AND NOT (d.created_by = ${userRef}::int AND d.idempotency_key IN (${sql.join(keys)}))` : sql``}
      AND d.from_account_id = ${question.fromAccountId}::int
      AND ARRAY[d.to_bank_code, d.to_branch_code, d.to_account_type::text, d.to_account_number] = ${toAccount}
      AND d.amount_yen = ${question.amountYen}::int8
      AND d.execution_date = ${question.executionDate}::date
      AND d.status NOT IN ('withdrawn', 'sent_back')
      AND d.created_at >= ${since}::timestamptz
    ORDER BY d.created_at DESC LIMIT 1)`;
}

/** R8.6 read by itself, for a quote already checked. */
export async function findDuplicate(deps: Deps, executor: Executor, actor: Actor, quote: TransferQuote, requestKeys: readonly string[] = []): Promise<EarlierTransfer | undefined> {
  const { rows } = await sql<{ earlier: { id: string; createdAt: string } | null }>`
    SELECT ${duplicateSql(deps, actor.contract.id, actor.user.id, duplicateQuestionOf(quote, requestKeys))} AS earlier`.execute(executor);
  const earlier = rows[0]!.earlier;
  return earlier === null ? undefined : { id: BigInt(earlier.id), createdAt: new Date(earlier.createdAt) };
}

/** Refuses a transfer like an earlier one unless the person ticked "separate payment" (`separatePayment`). */
export function refuseDuplicate(earlier: EarlierTransfer | undefined, separatePayment: boolean | undefined): void {
  if (earlier && separatePayment !== true) refuse('TRANSFER_DUPLICATE_UNCONFIRMED', 'separatePayment', { id: earlier.id.toString() });
}

/**
 * The question a transfer's input asks, when its fields are of the form the checks accept (an input
 * they refuse needs no answer; an ad hoc account's form is src/domain/account-designation.ts, which
 * resolveDestination refuses by), so that it can be read with the person's permission (holder.ts)
 * before the destination is resolved.
 */
export function duplicateQuestionOfInput(input: Omit<TransferInput, 'idempotencyKey'>, requestKeys: readonly string[] = []): DuplicateQuestion | undefined {
  const { fromAccountId, amountYen, executionDate, destination } = input;
  if (!isRowId(fromAccountId) || typeof amountYen !== 'bigint' || amountYen <= 0n || amountYen > yenAmountMax) return undefined;
  if (typeof executionDate !== 'string' || !isValidDateText(executionDate)) return undefined;
  if ('payeeId' in destination) return isRowId(destination.payeeId) ? { fromAccountId, to: { payeeId: destination.payeeId }, amountYen, executionDate, requestKeys } : undefined;
  const { bankCode, branchCode, accountType, accountNumber } = destination.adHoc;
  if (!isBankCode(bankCode) || !isBranchCode(branchCode) || !isAccountType(accountType) || !isAccountNumber(accountNumber)) return undefined;
  return { fromAccountId, to: { bankCode, branchCode, accountType, accountNumber }, amountYen, executionDate, requestKeys };
}
