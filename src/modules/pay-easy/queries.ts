import type { Deps } from '../../deps.ts';
import type { AccountType } from '../../db/schema.ts';
import type { BillerKind } from '../../db/schema-pay-easy.ts';
import { tokyoDate } from '../../domain/business-days.ts';
import { usableAccountIds } from '../transfers/holder.ts';
import type { Actor } from '../transfers/types.ts';
import { payerOf, requireHolder } from './payer.ts';
import { refuse } from './refusal.ts';

/**
 * R8.3: the payments a person may see — those of the contract paid from an account they may use
 * (the master: every account of the contract, closed ones too) — for the receipt and the history.
 */
export const paymentHistoryDays = 100;
/** The history shows at most this many payments, newest first. */
export const paymentHistoryRowsMax = 500;

export interface PaymentView {
  id: bigint;
  receiptNumber: string;
  billerNumber: string;
  billerName: string;
  billerKind: BillerKind;
  number: string;
  paymentClass: string;
  feeName: string;
  amountYen: bigint;
  dueDate: string;
  paidAt: Date;
  fromAccount: { branchCode: string; accountType: AccountType; accountNumber: string };
  paidBy: string;
}

async function visibleAccounts(deps: Deps, actor: Actor): Promise<number[]> {
  requireHolder(await payerOf(deps.db, actor, tokyoDate(deps.clock.now())));
  return usableAccountIds(deps.db, actor);
}

function paymentQuery(deps: Deps, actor: Actor, accountIds: number[]) {
  return deps.db
    .selectFrom('payment')
    .innerJoin('account', 'account.id', 'payment.from_account_id')
    .innerJoin('users', 'users.id', 'payment.created_by')
    .select([
      'payment.id',
      'payment.receipt_number',
      'payment.biller_number',
      'payment.biller_name',
      'payment.biller_kind',
      'payment.number',
      'payment.payment_class',
      'payment.fee_name',
      'payment.amount_yen',
      'payment.due_date',
      'payment.paid_at',
      'account.branch_code',
      'account.account_type',
      'account.account_number',
      'users.display_name',
    ])
    .where('payment.contract_id', '=', actor.contract.id)
    .where('payment.from_account_id', 'in', accountIds);
}

type Row = Awaited<ReturnType<ReturnType<typeof paymentQuery>['executeTakeFirstOrThrow']>>;

function viewOf(row: Row): PaymentView {
  return {
    id: BigInt(row.id),
    receiptNumber: row.receipt_number,
    billerNumber: row.biller_number,
    billerName: row.biller_name,
    billerKind: row.biller_kind,
    number: row.number,
    paymentClass: row.payment_class,
    feeName: row.fee_name,
    amountYen: BigInt(row.amount_yen),
    dueDate: row.due_date,
    paidAt: row.paid_at,
    fromAccount: { branchCode: row.branch_code, accountType: row.account_type, accountNumber: row.account_number },
    paidBy: row.display_name,
  };
}

/** One payment, for its receipt; one the person may not see is not found. */
export async function getPayment(deps: Deps, actor: Actor, paymentId: bigint): Promise<PaymentView> {
  const accountIds = await visibleAccounts(deps, actor);
  if (accountIds.length === 0) refuse('NOT_FOUND');
  const row = await paymentQuery(deps, actor, accountIds).where('payment.id', '=', paymentId).executeTakeFirst();
  if (!row) refuse('NOT_FOUND');
  return viewOf(row);
}

/** R8.3: the payments of the last `paymentHistoryDays` days, newest first. */
export async function paymentHistory(deps: Deps, actor: Actor): Promise<{ payments: PaymentView[]; since: Date; more: boolean }> {
  const since = new Date(deps.clock.now().getTime() - paymentHistoryDays * 86_400_000);
  const accountIds = await visibleAccounts(deps, actor);
  if (accountIds.length === 0) return { payments: [], since, more: false };
  const rows = await paymentQuery(deps, actor, accountIds)
    .where('payment.paid_at', '>=', since)
    .orderBy('payment.paid_at', 'desc')
    .orderBy('payment.id', 'desc')
    .limit(paymentHistoryRowsMax + 1)
    .execute();
  return { payments: rows.slice(0, paymentHistoryRowsMax).map(viewOf), since, more: rows.length > paymentHistoryRowsMax };
}
