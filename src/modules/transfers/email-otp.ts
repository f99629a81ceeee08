import type { RawBuilder } from 'kysely';
import type { Deps } from '../../deps.ts';
import type { Transfer } from '../../db/schema-transfers.ts';
import { AppError, isAppError } from '../../errors.ts';
import type { Tx } from '../../db/transaction.ts';
import { formatYen } from '../../domain/money.ts';
import { canonicalDigest } from '../../access/email-otp/digest.ts';
import { checkCode, codeUseMade, isTwinRefusal, useCheckedCode, useCodeSql, usedNow, withCheckedCode, type CheckedCode } from '../../access/email-otp/check.ts';
import { openChallenge, type ChallengeMail, type ChallengeOwner, type ChallengeTarget, type SentChallenge, type UsedChallenge } from '../../access/email-otp/challenge.ts';
import { sendChallenge } from '../../access/email-otp/send.ts';
import { confirmedOtpAddress } from '../../access/email-otp/otp-address.ts';
import type { PendingStepAudit } from './audit.ts';
import { refuse } from './refusal.ts';
import { getTransfer } from './queries.ts';
import type { Actor, TransferDestination, TransferDetail, TransferQuote } from './types.ts';

/**
 * R5.2, R5.3: the email one-time password of the person who finalises a transfer — the creator who
 * sends it at once, the approver whose approval sends it, or the sender. The code is bound to the
 * digest of every field that moves money and of the transfer's identity: for a transfer not yet
 * made, the creator and the request's idempotency key (R8.6: the key the transfer will carry); for
 * one that exists, its id and version (migration 0007: every change of the row moves the version).
 */
export type FinalStep = 'approve' | 'send';

interface MoneyFields {
  fromAccountId: number;
  to: Pick<TransferDestination, 'bankCode' | 'branchCode' | 'accountType' | 'accountNumber' | 'nameKana'>;
  amountYen: bigint;
  feeYen: bigint;
  executionDate: string;
}

function digestOf(identity: { id: string; version: number }, money: MoneyFields): string {
  return canonicalDigest('transfer', {
    id: identity.id,
    version: identity.version,
    fromAccountId: money.fromAccountId,
    bankCode: money.to.bankCode,
    branchCode: money.to.branchCode,
    accountType: money.to.accountType,
    accountNumber: money.to.accountNumber,
    nameKana: money.to.nameKana,
    amountYen: money.amountYen,
    feeYen: money.feeYen,
    executionDate: money.executionDate,
  });
}

/** The code of a transfer to be made by this confirmation: its creator and idempotency key name it. */
export function newTransferTarget(actor: Actor, idempotencyKey: string, quote: TransferQuote): ChallengeTarget {
  const money = { fromAccountId: quote.fromAccount.id, to: quote.to, amountYen: quote.amountYen, feeYen: quote.feeYen, executionDate: quote.executionDate };
  return { purpose: 'transfer', subject: `new-transfer:${idempotencyKey}`, digest: digestOf({ id: `new:${actor.user.id}:${idempotencyKey}`, version: 0 }, money) };
}

/** The code of a transfer that exists, at its version now. */
export function transferTarget(transfer: Transfer): ChallengeTarget {
  const money = {
    fromAccountId: transfer.from_account_id,
    to: {
      bankCode: transfer.to_bank_code,
      branchCode: transfer.to_branch_code,
      accountType: transfer.to_account_type,
      accountNumber: transfer.to_account_number,
      nameKana: transfer.to_name_kana,
    },
    amountYen: transfer.amount_yen,
    feeYen: transfer.fee_yen,
    executionDate: transfer.execution_date,
  };
  return { purpose: 'transfer', subject: `transfer:${transfer.id.toString()}`, digest: digestOf({ id: transfer.id.toString(), version: transfer.version }, money) };
}

/** Whether this person's step finalises the transfer (and so needs the code, R5.2). */
export function finalises(detail: TransferDetail, step: FinalStep): boolean {
  return step === 'send' ? detail.maySend : detail.mayApprove && detail.approvalSends;
}

function owner(actor: Actor): ChallengeOwner {
  return { user: actor.user, context: { ip: actor.ip, userAgent: actor.userAgent } };
}

/** R5.1: the person's confirmed OTP address; a person who has none cannot finalise. */
function otpAddressOf(actor: Actor): string {
  const address = confirmedOtpAddress(actor.user);
  if (!address) throw new AppError('EMAIL_OTP_NO_ADDRESS', { field: 'otp' });
  return address;
}

/**
 * R5.3: the email states the transaction as the bank holds it — the account it is paid from, the
 * payee's name, bank and branch (name and code), account, amount, fee and date — in lines a plain
 * text mail client shows as they are.
 */
function mailOf(money: MoneyFields & { fromAccountLabel: string; to: TransferDestination }, transferId?: bigint): ChallengeMail {
  const to = money.to;
  return {
    subject: 'transfers.otpMail.subject',
    intro: 'transfers.otpMail.intro',
    details: [
      ...(transferId === undefined ? [] : [{ key: 'transfers.otpMail.id' as const, params: { id: transferId.toString() } }]),
      {
        key: 'transfers.otpMail.details',
        params: {
          from: money.fromAccountLabel,
          name: to.nameKana,
          bank: to.bankName,
          bankCode: to.bankCode,
          branch: to.branchName,
          branchCode: to.branchCode,
          type: { message: `transferPages.accountType.${to.accountType}` },
          number: to.accountNumber,
          amount: formatYen(money.amountYen),
          fee: formatYen(money.feeYen),
          date: { day: money.executionDate },
        },
      },
    ],
  };
}

function accountLabel(account: { branch_code: string; account_number: string }): string {
  return `${account.branch_code}-${account.account_number}`;
}

/** Sends the code for a transfer this confirmation would make and send at once. */
export async function sendNewTransferCode(deps: Deps, actor: Actor, idempotencyKey: string, quote: TransferQuote): Promise<SentChallenge> {
  if (!quote.sendsNow) refuse('TRANSFER_STATE_CONFLICT');
  const money = { fromAccountId: quote.fromAccount.id, fromAccountLabel: accountLabel(quote.fromAccount), to: quote.to, amountYen: quote.amountYen, feeYen: quote.feeYen, executionDate: quote.executionDate };
  return sendChallenge(deps, owner(actor), newTransferTarget(actor, idempotencyKey, quote), otpAddressOf(actor), mailOf(money));
}

/** Sends the code for the step that finalises a transfer that exists: the final approval, or the send. */
export async function sendTransferCode(deps: Deps, actor: Actor, detail: TransferDetail): Promise<SentChallenge> {
  if (!finalises(detail, 'approve') && !finalises(detail, 'send')) refuse('TRANSFER_STATE_CONFLICT');
  const money = {
    fromAccountId: detail.transfer.from_account_id,
    fromAccountLabel: `${detail.fromAccount.branchCode}-${detail.fromAccount.accountNumber}`,
    to: detail.to,
    amountYen: detail.amountYen,
    feeYen: detail.feeYen,
    executionDate: detail.executionDate,
  };
  return sendChallenge(deps, owner(actor), transferTarget(detail.transfer), otpAddressOf(actor), mailOf(money, detail.id));
}

/** The code waiting for this transfer (as it stands now), for the page to say where it went. */
export function openTransferCode(deps: Deps, actor: Actor, target: ChallengeTarget) {
  return openChallenge(deps, actor.user.id, target);
}

/**
 * The code of a finalising step, checked before the step's transaction: right (its entry held until
 * the step uses it), or a refusal a twin of the request meets (the code used or held by the same
 * request submitted twice), said only once the step knows it is no twin of a request carried out.
 */
export type FinalCode = { checked: CheckedCode; version: number | undefined } | { deferred: AppError } | typeof replacedByToken;

/** R6.5: the bank set the contract to ask for the token alone where a step needs both: no email code at this step. */
export const replacedByToken = { replacedByToken: true } as const;

async function finalCode(check: () => Promise<CheckedCode>, version: number | undefined): Promise<FinalCode> {
  try {
    return { checked: await check(), version };
  } catch (error) {
    if (isTwinRefusal(error)) return { deferred: error };
    throw error;
  }
}

/** R5.2: the code entered for a transfer to be made; it must have been sent for exactly this one. */
export function checkNewTransferCode(deps: Deps, actor: Actor, idempotencyKey: string, quote: TransferQuote, code: unknown): Promise<FinalCode> {
  return finalCode(() => checkCode(deps, owner(actor), newTransferTarget(actor, idempotencyKey, quote), code), undefined);
}

/**
 * R5.2: when this person's step would finalise the transfer as it stands now, the code entered for
 * it; otherwise nothing is asked and the step judges itself under its lock (a transfer the person may
 * not see, or a step not theirs, is refused there as before).
 */
export async function checkFinalStep(deps: Deps, actor: Actor, transferId: bigint, step: FinalStep, code: unknown): Promise<FinalCode | undefined> {
  let detail: TransferDetail;
  try {
    detail = await getTransfer(deps, actor, transferId);
  } catch (error) {
    if (isAppError(error)) return undefined;
    throw error;
  }
  if (!finalises(detail, step)) return undefined;
  return finalCode(() => checkCode(deps, owner(actor), transferTarget(detail.transfer), code), detail.transfer.version);
}

/** Runs the step with its code; unless the step used it, the code's entry is given back (the code stays good). */
export function withFinalCode<T>(deps: Deps, code: FinalCode | undefined, step: () => Promise<T>): Promise<T> {
  return withCheckedCode(deps, code && 'checked' in code ? code.checked : undefined, step);
}

/** R9.1: the protection the step records, as it will be once the code is used now. */
export function finalCodeProtection(deps: Deps, code: FinalCode | undefined): Record<string, unknown> {
  return code && 'checked' in code ? emailOtpProtection(usedNow(deps, code.checked)) : {};
}

/**
 * In the step's transaction, past its twin gate: the code is used (committing with the step), or the
 * step is refused — no code, a twin's refusal that is no twin's after all, or a transfer that changed
 * (another person's step) since the code was checked against it. The record of the use goes into
 * the step's own append (`audit`), before the step's record.
 */
export async function useFinalCode(deps: Deps, tx: Tx, code: FinalCode | undefined, audit: PendingStepAudit, locked?: Transfer): Promise<Record<string, unknown>> {
  const checked = finalCodeToUse(code, locked);
  if (checked === undefined) return {};
  return emailOtpProtection(await useCheckedCode(deps, tx, checked, (event) => audit.precede(event)));
}

/** useFinalCode's refusals, in its order; the checked code to use, or undefined when the token replaces it. */
function finalCodeToUse(code: FinalCode | undefined, locked?: Transfer): CheckedCode | undefined {
  if (!code) refuse('EMAIL_OTP_NOT_SENT', 'otp');
  if ('replacedByToken' in code) return undefined;
  if ('deferred' in code) throw code.deferred;
  if (locked && code.version !== locked.version) refuse('EMAIL_OTP_CHANGED', 'otp');
  return code.checked;
}

/**
 * For a step whose own statement makes the code's use (a new transfer's, create.ts): the use, made
 * only if `onlyIf` holds, when there is a checked code to use. finalCodeUsed then says what
 * useFinalCode says.
 */
export function finalCodeUseSql(code: FinalCode | undefined, now: Date, onlyIf: RawBuilder<unknown>): RawBuilder<unknown> | undefined {
  return code && 'checked' in code ? useCodeSql(code.checked, now, onlyIf) : undefined;
}

/** After the statement of finalCodeUseSql (`made`: whether it used the code): useFinalCode's refusals and record. */
export async function finalCodeUsed(tx: Tx, code: FinalCode | undefined, audit: PendingStepAudit, made: boolean, now: Date): Promise<Record<string, unknown>> {
  const checked = finalCodeToUse(code);
  if (checked === undefined) return {};
  return emailOtpProtection(await codeUseMade(tx, checked, made, now, (event) => audit.precede(event)));
}

/** R9.1: the protection in force, as the transfer keeps it: where the code went (masked), when, and when it was entered. */
function emailOtpProtection(challenge: UsedChallenge): Record<string, unknown> {
  return { emailOtp: { challengeId: challenge.id, to: challenge.recipientMasked, sentAt: challenge.sentAt.toISOString(), verifiedAt: challenge.usedAt.toISOString() } };
}
