import { ownBankAccountOf, sameHolderName, type OwnAccountKey } from './own-bank-account.ts';
import type { Deps } from '../../deps.ts';
import type { Executor } from '../../db/transaction.ts';
import { isValidDateText, tokyoDate } from '../../domain/business-days.ts';
import { refusalOverDailyLimit } from '../../domain/daily-limit.ts';
import { transferFeeYen } from '../../domain/fees.ts';
import { yenAmountMax } from '../../domain/money.ts';
import { approvalsRequiredByMode, nextAtRegistration, refusalToRegister, type Next } from '../../domain/approval.ts';
import { feeDestination, isSameAccount, ownAccountAskedBy, ownBranchAskedBy, resolveDestination, type ResolvedDestination } from './destination.ts';
import { checkExecutionDate } from './execution-date.ts';
import { holderOf, type Holder } from './holder.ts';
import { refuseOverDailyLimit, refuseOverPerTransactionLimit } from './limit-refusal.ts';
import { refuse } from './refusal.ts';
import { duplicateQuestionOfInput, duplicateSql, findDuplicate, type EarlierTransfer } from './duplicate.ts';
import type { RawBuilder } from 'kysely';
import type { Actor, TransferInput, TransferQuote } from './types.ts';

/**
 * Every check of a new transfer that needs no write, in the order of the form's fields (R8.2): the
 * person's permission (R1.4), the account to pay from, the destination, the amount against the
 * per-transaction limit, the execution date. The creation repeats the ones that can change under
 * it (permission, limits, balance) in its own writes.
 */
export interface Prepared {
  quote: TransferQuote;
  holder: Holder;
  destination: ResolvedDestination;
  next: Next;
  today: string;
}

export async function prepareTransfer(deps: Deps, executor: Executor, actor: Actor, input: Omit<TransferInput, 'idempotencyKey'>): Promise<Prepared> {
  // The day's usage is read with the limit (R1.4); a date that is not one is refused by the checks.
  const usageDate = typeof input.executionDate === 'string' && isValidDateText(input.executionDate) ? input.executionDate : undefined;
  const holder = await holderOf(executor, actor, input.fromAccountId, {
    ...ownDestinationAskedBy(deps, input.destination),
    ...duplicateAskedBy(deps, actor, input),
    ...(usageDate === undefined ? {} : { usageDate }),
    balance: true,
  });
  return prepareFor(deps, executor, actor, input, holder);
}

/** The bank's own branch and account an ad hoc destination names, to be read with the person's permission (holder.ts). */
export function ownDestinationAskedBy(deps: Deps, destination: TransferInput['destination']): { ownBranchCode?: string; ownAccount?: OwnAccountKey } {
  const ownBranchCode = ownBranchAskedBy(deps, destination);
  const ownAccount = ownAccountAskedBy(deps, destination);
  return { ...(ownBranchCode === undefined ? {} : { ownBranchCode }), ...(ownAccount === undefined ? {} : { ownAccount }) };
}

/**
 * R8.6's question, to be read with the person's permission (holder.ts) instead of by a statement of
 * its own, when the input is of a form the checks accept (./duplicate.ts).
 */
export function duplicateAskedBy(deps: Deps, actor: Actor, input: Omit<TransferInput, 'idempotencyKey'>, requestKeys: readonly string[] = []): { duplicate?: RawBuilder<unknown> } {
  const question = duplicateQuestionOfInput(input, requestKeys);
  return question === undefined ? {} : { duplicate: duplicateSql(deps, actor.contract.id, actor.user.id, question) };
}

/**
 * R8.6: the contract's transfer this one would duplicate, as read with the permission
 * (duplicateAskedBy with the same `requestKeys`), or read now when it was not asked then.
 */
export async function earlierLike(deps: Deps, executor: Executor, actor: Actor, prepared: Prepared, requestKeys: readonly string[] = []): Promise<EarlierTransfer | undefined> {
  const asked = prepared.holder.duplicate;
  return asked !== undefined ? asked.earlier : findDuplicate(deps, executor, actor, prepared.quote, requestKeys);
}

/** The checks, given what the person holds (read with the account to pay from and the own branch asked about, holder.ts). */
export async function prepareFor(deps: Deps, executor: Executor, actor: Actor, input: Omit<TransferInput, 'idempotencyKey'>, holder: Holder): Promise<Prepared> {
  if (!holder.canRegister) refuse('TRANSFER_NOT_PERMITTED');
  const from = holder.account;
  if (!from) refuse('TRANSFER_ACCOUNT_NOT_USABLE', 'fromAccountId');
  const destination = await resolveDestination(deps, executor, actor.contract.id, input.destination, holder.ownBranch);
  if (isSameAccount(from, destination)) refuse('TRANSFER_SAME_ACCOUNT', 'payeeId' in input.destination ? 'payeeId' : 'accountNumber');
  const amountYen = input.amountYen;
  if (typeof amountYen !== 'bigint' || amountYen <= 0n || amountYen > yenAmountMax) refuse('TRANSFER_AMOUNT_INVALID', 'amount');
  const refusal = refusalToRegister(holder, amountYen);
  if (refusal === 'TRANSFER_PER_TRANSACTION_LIMIT') refuseOverPerTransactionLimit(holder.perTransactionLimitYen);
  if (refusal) refuse(refusal, 'amount');
  const today = tokyoDate(deps.clock.now());
  checkExecutionDate(input.executionDate, today);
  const ownAccount = await ownBankAccountOf(executor, destination, holder.ownAccount);
  // 振替: money between the company's own accounts at this bank carries no fee.
  const ownTransfer = ownAccount?.contractId === actor.contract.id;
  const feeYen = ownTransfer ? 0n : transferFeeYen(deps.config.transferFees, feeDestination(from, destination), amountYen);
  const approvalsRequired = approvalsRequiredByMode[holder.approvalMode];
  const next = nextAtRegistration(approvalsRequired, holder);
  const { own: _own, ...to } = destination;
  return {
    quote: {
      fromAccount: from,
      to,
      amountYen,
      feeYen,
      totalYen: amountYen + feeYen,
      executionDate: input.executionDate,
      approvalsRequired,
      sendsNow: next === 'send',
      ownTransfer,
      holderNameDiffers: ownAccount !== undefined && !sameHolderName(destination.nameKana, ownAccount.holderKana),
    },
    holder,
    destination,
    next,
    today,
  };
}

/**
 * R8.2: for the confirmation page — everything checked, nothing written. Beyond the creation's
 * checks it reads what the creation enforces in its writes, so the person learns of it before
 * confirming: the daily limit on that date, and the balance when the transfer would post at once.
 */
export async function quoteTransfer(deps: Deps, actor: Actor, input: Omit<TransferInput, 'idempotencyKey'>): Promise<TransferQuote> {
  const prepared = await prepareTransfer(deps, deps.db, actor, input);
  const { quote, holder, today } = prepared;
  const overLimit = refusalOverDailyLimit(holder.dailyLimitYen, holder.dailyUsedYen ?? 0n, quote.amountYen);
  if (overLimit) refuseOverDailyLimit(holder.dailyLimitYen, holder.dailyUsedYen ?? 0n, quote.executionDate, today);
  if (quote.sendsNow && quote.executionDate === today) {
    // The balance was read with the person's permission (holder.ts).
    if ((holder.balanceYen ?? 0n) < quote.totalYen) refuse('TRANSFER_INSUFFICIENT_FUNDS', 'amount');
  }
  // R8.6: shown on the confirmation page, which then asks whether this is a separate payment.
  const earlier = await earlierLike(deps, deps.db, actor, prepared);
  return earlier ? { ...quote, duplicateOf: earlier } : quote;
}
