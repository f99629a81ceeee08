import type { Deps } from '../../deps.ts';
import { AppError } from '../../errors.ts';
import { formatYen } from '../../domain/money.ts';
import { canonicalDigest } from '../../access/email-otp/digest.ts';
import { checkCode, isTwinRefusal, type CheckedCode } from '../../access/email-otp/check.ts';
import { openChallenge, type ChallengeMail, type ChallengeOwner, type ChallengeTarget, type SentChallenge } from '../../access/email-otp/challenge.ts';
import { sendChallenge } from '../../access/email-otp/send.ts';
import { confirmedOtpAddress } from '../../access/email-otp/otp-address.ts';
import type { Account } from '../../db/schema.ts';
import type { Actor } from '../transfers/types.ts';
import type { PaymentDraft } from './draft.ts';

/**
 * R5.2, R8.3: the email one-time password that finalises a payment (decision 0017). A payment is
 * made by the very confirmation the code is for, so the person and the request's idempotency key
 * stand for its id (R8.6); the digest binds every field that moves money: the account paid from,
 * the biller, the numbers that name the bill, the biller's reference, the fee name, the amount and
 * the due date. A code sent for another payment, or for this one before its bill changed, is refused.
 */
export function paymentTarget(actor: Actor, idempotencyKey: string, draft: PaymentDraft): ChallengeTarget {
  const { query, bill } = draft;
  return {
    purpose: 'payment',
    subject: `new-payment:${idempotencyKey}`,
    digest: canonicalDigest('payment', {
      id: `new:${actor.user.id}:${idempotencyKey}`,
      fromAccountId: draft.fromAccountId,
      billerNumber: bill.billerNumber,
      billerName: bill.billerName,
      number: query.number,
      paymentClass: query.paymentClass,
      billRef: bill.ref,
      feeName: bill.feeName,
      amountYen: bill.amountYen,
      dueDate: bill.dueDate,
    }),
  };
}

function owner(actor: Actor): ChallengeOwner {
  return { user: actor.user, context: { ip: actor.ip, userAgent: actor.userAgent } };
}

/** R5.3: the email states the payment as the bank will make it, outside the browser. */
function mailOf(draft: PaymentDraft, account: Account): ChallengeMail {
  return {
    subject: 'payEasy.otpMail.subject',
    intro: 'payEasy.otpMail.intro',
    details: [
      {
        key: 'payEasy.otpMail.details',
        params: {
          from: `${account.branch_code}-${account.account_number}`,
          biller: draft.bill.billerName,
          billerNumber: draft.bill.billerNumber,
          fee: draft.bill.feeName,
          amount: formatYen(draft.bill.amountYen),
        },
      },
    ],
  };
}

/** Sends the code for the payment this confirmation would make. */
export function sendPaymentCode(deps: Deps, actor: Actor, idempotencyKey: string, draft: PaymentDraft, account: Account): Promise<SentChallenge> {
  const address = confirmedOtpAddress(actor.user);
  if (!address) throw new AppError('EMAIL_OTP_NO_ADDRESS', { field: 'otp' });
  return sendChallenge(deps, owner(actor), paymentTarget(actor, idempotencyKey, draft), address, mailOf(draft, account));
}

/** The code waiting for this payment, for the page to say where it went. */
export function openPaymentCode(deps: Deps, actor: Actor, idempotencyKey: string, draft: PaymentDraft) {
  return openChallenge(deps, actor.user.id, paymentTarget(actor, idempotencyKey, draft));
}

/**
 * The code entered, checked before the payment's transaction: right (its entry held until the
 * payment uses it), or the refusal a twin of the request meets (decision 0017, 5), said only once
 * the payment knows it is no twin of a payment made.
 */
export type PaymentCode = { checked: CheckedCode } | { deferred: AppError };

export async function checkPaymentCode(deps: Deps, actor: Actor, idempotencyKey: string, draft: PaymentDraft, code: unknown): Promise<PaymentCode> {
  try {
    return { checked: await checkCode(deps, owner(actor), paymentTarget(actor, idempotencyKey, draft), code) };
  } catch (error) {
    if (isTwinRefusal(error)) return { deferred: error };
    throw error;
  }
}
