import assert from 'node:assert/strict';
import { sql } from 'kysely';
import type { Deps } from '../../deps.ts';
import type { Executor, Tx } from '../../db/transaction.ts';
import { inTransaction } from '../../db/transaction.ts';
import type { Account } from '../../db/schema.ts';
import type { Payment } from '../../db/schema-pay-easy.ts';
import { tokyoDate } from '../../domain/business-days.ts';
import { formatYen } from '../../domain/money.ts';
import { sha256Hex } from '../../crypto/compare.ts';
import { isAppError, type ErrorCode } from '../../errors.ts';
import { recordAudits, userActor, type AuditEvent } from '../../audit/audit-trail.ts';
import { useCheckedCode, usedNow, withCheckedCode } from '../../access/email-otp/check.ts';
import type { UsedChallenge } from '../../access/email-otp/challenge.ts';
import { enqueueEmail } from '../../outbox/enqueue.ts';
import { composeNotice } from '../../mail/compose.ts';
import { confirmedOtpAddress } from '../../access/email-otp/otp-address.ts';
import { InsufficientFundsError, customerLedgerAccountId, postJournalEntry } from '../ledger/post.ts';
import { bankLedgerShardCode } from '../ledger/bank-accounts.ts';
import { protectionsOf, withTellingRefusalsAudited } from '../transfers/audit.ts';
import type { Actor } from '../transfers/types.ts';
import type { Bill, BillQuery, Biller, NoBill, PaymentCollector } from './collector/collector.ts';
import type { PaymentDraft } from './draft.ts';
import { checkPaymentCode, type PaymentCode } from './email-otp.ts';
import { payerOf, refusalOverLimits, requireHolder, taxPaymentBusiness, type Payer } from './payer.ts';
import { refuse } from './refusal.ts';

/**
 * R8.3: a tax or fee paid through Pay-easy. The person names a biller and a bill; the bank asks the
 * biller (the collector) and shows the bill as answered; the person confirms it with the
 * confirmation password and the email one-time password of this very payment (R5.2); the bank asks
 * the biller again, and in one transaction reserves the day's limit, records the payment, has the
 * biller mark the bill paid, uses the code, writes the audit record, posts the money from the
 * customer's account to the clearing account and queues the receipt email (house rules 2, 5, 8).
 */

const noBillCodes: Record<NoBill | 'changed', ErrorCode> = {
  not_found: 'PAY_EASY_BILL_NOT_FOUND',
  already_paid: 'PAY_EASY_BILL_PAID',
  expired: 'PAY_EASY_BILL_EXPIRED',
  changed: 'PAY_EASY_BILL_CHANGED',
};

/** The biller of a 収納機関番号, as the collector knows it. */
export async function findBiller(collector: PaymentCollector, billerNumber: string): Promise<Biller> {
  const biller = await collector.biller(billerNumber);
  if (!biller) refuse('PAY_EASY_BILLER_UNKNOWN', 'billerNumber');
  return biller;
}

/** The person's hold of the business, the account to pay from, and the amount against the limits. */
async function judgePayer(deps: Deps, executor: Executor, actor: Actor, fromAccountId: number, amountYen?: bigint): Promise<Payer & { account: Account }> {
  const payer = await payerOf(executor, actor, tokyoDate(deps.clock.now()), fromAccountId);
  requireHolder(payer);
  if (!payer.account) refuse('PAY_EASY_ACCOUNT_NOT_USABLE', 'fromAccountId');
  if (amountYen !== undefined) {
    const overLimit = refusalOverLimits(payer, amountYen);
    if (overLimit) refuse(overLimit);
  }
  return { ...payer, account: payer.account };
}

/** The bill a query names, or the biller's reason there is none to pay. */
async function billOf(deps: Deps, collector: PaymentCollector, query: BillQuery): Promise<Bill> {
  const answer = await collector.inquire(query, tokyoDate(deps.clock.now()));
  if ('noBill' in answer) refuse(noBillCodes[answer.noBill]);
  return answer.bill;
}

/** R8.3: the bill a person names, asked of its biller, checked against what the person may pay. */
export async function inquireBill(deps: Deps, collector: PaymentCollector, actor: Actor, fromAccountId: number, query: BillQuery): Promise<PaymentDraft> {
  return auditedRefusals(deps, actor, 'payment.inquire', { billerNumber: query.billerNumber }, async () => {
    await judgePayer(deps, deps.db, actor, fromAccountId);
    const biller = await findBiller(collector, query.billerNumber);
    // The biller's kind decides which numbers name a bill (the form asks for them by kind).
    if ((biller.kind === 'private') !== (query.paymentClass === '')) refuse('PAY_EASY_PAYMENT_CLASS_INVALID', 'paymentClass');
    const bill = await billOf(deps, collector, query);
    await judgePayer(deps, deps.db, actor, fromAccountId, bill.amountYen);
    return { fromAccountId, query, bill };
  });
}

/** What the confirmation page shows: the draft as it stands, with the account and its balance. */
export interface PaymentQuote {
  draft: PaymentDraft;
  account: Account;
  balanceYen: bigint;
}

/**
 * R8.3: for the confirmation page — the person's permission, account and limits judged again on the
 * bill as the draft holds it, and the balance read, so the person learns of a refusal before
 * confirming. Nothing is written.
 */
export async function quotePayment(deps: Deps, actor: Actor, draft: PaymentDraft): Promise<PaymentQuote> {
  const payer = await judgePayer(deps, deps.db, actor, draft.fromAccountId, draft.bill.amountYen);
  const balance = await deps.db.selectFrom('ledger_account').select('balance_yen').where('account_id', '=', payer.account.id).executeTakeFirst();
  const balanceYen = BigInt(balance?.balance_yen ?? 0n);
  if (balanceYen < draft.bill.amountYen) refuse('PAY_EASY_INSUFFICIENT_FUNDS');
  return { draft, account: payer.account, balanceYen };
}

export interface PaymentResult {
  payment: Payment;
  /** A retry of a payment already made: this is its first result, nothing was done again. */
  replayed: boolean;
}

/** R8.6: a key is a retry of one request; the same key with other content is refused. */
const idempotencyKeyPattern = /^[A-Za-z0-9_-]{16,64}$/;

function requestHash(draft: PaymentDraft): string {
  const { query, bill } = draft;
  return sha256Hex(
    JSON.stringify({
      fromAccountId: draft.fromAccountId,
      billerNumber: query.billerNumber,
      number: query.number,
      confirmationNumber: query.confirmationNumber,
      paymentClass: query.paymentClass,
      billRef: bill.ref,
      amountYen: bill.amountYen.toString(),
    }),
  );
}

/** Thrown inside the transaction to roll back what it did when a twin's payment holds the key. */
class TwinFirst extends Error {}

/**
 * R8.3, R8.6: pays the bill of a confirmed draft. A retry with the same key gets the first payment
 * back before anything is judged again (after midnight, after the bill was paid by it). A twin that
 * arrives at the same moment waits on the key's unique index until the first commits, then does the
 * same. The bill is asked of the biller again: one that changed since the confirmation page (another
 * amount, paid meanwhile, expired) is refused, and the amount paid is always the biller's.
 */
export async function payBill(
  deps: Deps,
  collector: PaymentCollector,
  actor: Actor,
  draft: PaymentDraft,
  idempotencyKey: string,
  emailOtp: unknown,
): Promise<PaymentResult> {
  if (typeof idempotencyKey !== 'string' || !idempotencyKeyPattern.test(idempotencyKey)) refuse('PAY_EASY_KEY_INVALID', 'idempotencyKey');
  const hash = requestHash(draft);
  const earlier = await findEarlier(deps.db, actor, idempotencyKey);
  if (earlier) return replay(earlier, hash);
  const details = { billerNumber: draft.bill.billerNumber, amountYen: draft.bill.amountYen.toString() };
  return auditedRefusals(deps, actor, 'payment.pay', details, () => orTwinsResult(deps, actor, idempotencyKey, hash, async () => {
    await judgePayer(deps, deps.db, actor, draft.fromAccountId, draft.bill.amountYen);
    const bill = await billOf(deps, collector, draft.query);
    if (!sameBill(bill, draft.bill)) refuse('PAY_EASY_BILL_CHANGED');
    // R5.2: the code emailed for exactly this payment, used in the payment's transaction.
    const code = await checkPaymentCode(deps, actor, idempotencyKey, draft, emailOtp);
    try {
      return await withCheckedCode(deps, 'checked' in code ? code.checked : undefined, () =>
        inTransaction(deps.db, (tx) => write(deps, tx, collector, actor, draft, idempotencyKey, hash, code)),
      );
    } catch (error) {
      if (error instanceof TwinFirst) {
        const first = await findEarlier(deps.db, actor, idempotencyKey);
        if (!first) refuse('PAY_EASY_STATE_CONFLICT');
        return replay(first, hash);
      }
      throw error;
    }
  }));
}

/**
 * A twin of this request that committed while this one was judged makes the biller answer "paid"
 * and uses the day's limit: its payment is this request's result (R8.6), not the refusal.
 */
async function orTwinsResult(deps: Deps, actor: Actor, idempotencyKey: string, hash: string, work: () => Promise<PaymentResult>): Promise<PaymentResult> {
  try {
    return await work();
  } catch (error) {
    if (!isAppError(error)) throw error;
    const first = await findEarlier(deps.db, actor, idempotencyKey);
    if (!first) throw error;
    return replay(first, hash);
  }
}

function sameBill(now: Bill, confirmed: Bill): boolean {
  return (
    now.ref === confirmed.ref &&
    now.billerNumber === confirmed.billerNumber &&
    now.billerName === confirmed.billerName &&
    now.billerKind === confirmed.billerKind &&
    now.feeName === confirmed.feeName &&
    now.amountYen === confirmed.amountYen &&
    now.dueDate === confirmed.dueDate
  );
}

function findEarlier(executor: Executor, actor: Actor, key: string): Promise<Payment | undefined> {
  return executor.selectFrom('payment').selectAll().where('created_by', '=', actor.user.id).where('idempotency_key', '=', key).executeTakeFirst();
}

function replay(earlier: Payment, hash: string): PaymentResult {
  if (earlier.request_hash !== hash) refuse('PAY_EASY_IDEMPOTENCY_MISMATCH');
  return { payment: earlier, replayed: true };
}

async function write(
  deps: Deps,
  tx: Tx,
  collector: PaymentCollector,
  actor: Actor,
  draft: PaymentDraft,
  idempotencyKey: string,
  hash: string,
  code: PaymentCode,
): Promise<PaymentResult> {
  const now = deps.clock.now();
  const today = tokyoDate(now);
  const { bill, query } = draft;
  const emailOtp = 'checked' in code ? emailOtpProtection(usedNow(deps, code.checked)) : {};
  // One statement: the day's limit is reserved in the write (R1.4, house rule 5) and the payment is
  // inserted only if it was. The key's unique index is the gate for twins (R8.6), the bill's for a
  // second payment of the same bill (another tab, another person).
  const { rows } = await sql<Payment & { reserved: number }>`
    WITH usage AS (
      INSERT INTO daily_usage AS d (user_ref, business, usage_date, used_yen)
      SELECT p.user_ref, ${taxPaymentBusiness}, ${today}::date, ${bill.amountYen}::int8
      FROM user_permission p
      WHERE p.user_ref = ${actor.user.id} AND p.business = ${taxPaymentBusiness}
        AND ${bill.amountYen}::int8 <= p.per_transaction_limit_yen AND ${bill.amountYen}::int8 <= p.daily_limit_yen
      ON CONFLICT (user_ref, business, usage_date) DO UPDATE SET used_yen = d.used_yen + EXCLUDED.used_yen
      WHERE d.used_yen + EXCLUDED.used_yen <= (SELECT daily_limit_yen FROM user_permission WHERE user_ref = d.user_ref AND business = ${taxPaymentBusiness})
      RETURNING d.used_yen
    ),
    inserted AS (
      INSERT INTO payment (contract_id, created_by, idempotency_key, request_hash, from_account_id, biller_number, biller_name,
        biller_kind, number, payment_class, bill_ref, fee_name, amount_yen, due_date, protections, paid_at)
      SELECT ${actor.contract.id}, ${actor.user.id}, ${idempotencyKey}, ${hash}, ${draft.fromAccountId}::int, ${bill.billerNumber}, ${bill.billerName},
        ${bill.billerKind}, ${query.number}, ${query.paymentClass}, ${bill.ref}, ${bill.feeName}, ${bill.amountYen}::int8, ${bill.dueDate}::date,
        ${JSON.stringify({ ...protectionsOf(actor), ...emailOtp })}::jsonb, ${now}::timestamptz
      WHERE EXISTS (SELECT 1 FROM usage)
      ON CONFLICT DO NOTHING
      RETURNING *
    )
    SELECT (SELECT count(*) FROM usage)::int AS reserved, inserted.* FROM (VALUES (1)) AS one LEFT JOIN inserted ON true`.execute(tx);
  const { reserved, ...row } = rows[0]!;
  if (row.id === null) {
    if (await findEarlier(tx, actor, idempotencyKey)) throw new TwinFirst();
    const paid = await tx.selectFrom('payment').select('id').where('biller_number', '=', bill.billerNumber).where('bill_ref', '=', bill.ref).executeTakeFirst();
    if (paid) refuse('PAY_EASY_BILL_PAID');
    if (reserved === 0) await refuseReservation(tx, actor, bill.amountYen);
    refuse('PAY_EASY_STATE_CONFLICT');
  }
  const inserted = row as Payment;
  const collection = await collector.collect(tx, bill, { receiptNumber: inserted.receipt_number, paidAt: now, today });
  if (!collection.collected) refuse(noBillCodes[collection.reason]);
  // Past the twin gate (the key's unique index): the code is used with the payment, or it is refused.
  if ('deferred' in code) throw code.deferred;
  const codeUse: AuditEvent[] = [];
  await useCheckedCode(deps, tx, code.checked, (event) => codeUse.push(event));
  const entryId = await post(tx, inserted, today, now);
  // Locks: the payment's own usage row (its business, which no transfer's step takes), then the
  // ledger accounts, then the contract's audit head, after every ledger lock (decisions 0026, 0031). The code's use and the payment are recorded after the posting, in that order,
  // in one append.
  await recordAudits(tx, [...codeUse, {
    at: now,
    contractId: actor.contract.id,
    userRef: actor.user.id,
    actor: userActor(actor.contract.id, actor.user.user_id),
    action: 'payment.pay',
    outcome: 'success',
    ip: actor.ip,
    userAgent: actor.userAgent,
    details: {
      paymentId: inserted.id.toString(),
      receiptNumber: inserted.receipt_number,
      billerNumber: bill.billerNumber,
      billRef: bill.ref,
      amountYen: bill.amountYen.toString(),
      fromAccountId: draft.fromAccountId,
      protections: { ...protectionsOf(actor), ...emailOtp },
    },
  }]);
  const payment = await tx.updateTable('payment').set({ entry_id: entryId }).where('id', '=', inserted.id).where('entry_id', 'is', null).returningAll().executeTakeFirst();
  assert.ok(payment, 'the payment inserted in this transaction is linked to its entry once');
  await sendReceipt(deps, tx, actor, payment, now);
  return { payment, replayed: false };
}

/** Which rule refused the reservation, from the permission as it is now. */
async function refuseReservation(tx: Tx, actor: Actor, amountYen: bigint): Promise<never> {
  const permission = await tx
    .selectFrom('user_permission')
    .select(['per_transaction_limit_yen'])
    .where('user_ref', '=', actor.user.id)
    .where('business', '=', taxPaymentBusiness)
    .executeTakeFirst();
  if (!permission) refuse('PAY_EASY_NOT_PERMITTED');
  if (permission.per_transaction_limit_yen === null || amountYen > permission.per_transaction_limit_yen) refuse('PAY_EASY_PER_TRANSACTION_LIMIT');
  refuse('PAY_EASY_DAILY_LIMIT');
}

/** The statement's 摘要 of a payment (half-width kana, as every entry's). */
function descriptionOf(payment: Payment): string {
  return `ﾍﾟｲｼﾞｰ ${payment.biller_number}`;
}

/**
 * House rule 2: the customer's account gives the amount, the clearing account (the row the payment's
 * id picks, modules/ledger/bank-accounts.ts) holds it for the biller. A short balance writes nothing.
 */
async function post(tx: Tx, payment: Payment, today: string, now: Date): Promise<bigint> {
  const source = await customerLedgerAccountId(tx, payment.from_account_id);
  const clearing = await tx.selectFrom('ledger_account').select('id').where('code', '=', bankLedgerShardCode('clearing', payment.id)).executeTakeFirst();
  assert.ok(clearing, 'the clearing account has the row a payment picks');
  try {
    const { entryId } = await postJournalEntry(tx, {
      kind: 'payment',
      description: descriptionOf(payment),
      valueDate: today,
      postedAt: now,
      postings: [
        { ledgerAccountId: source, amountYen: -payment.amount_yen },
        { ledgerAccountId: clearing.id, amountYen: payment.amount_yen },
      ],
    });
    return entryId;
  } catch (error) {
    if (error instanceof InsufficientFundsError) refuse('PAY_EASY_INSUFFICIENT_FUNDS');
    throw error;
  }
}

/** R9.1: the protection in force, as the payment keeps it: where the code went (masked), when, and when it was entered. */
function emailOtpProtection(challenge: UsedChallenge): Record<string, unknown> {
  return { emailOtp: { challengeId: challenge.id, to: challenge.recipientMasked, sentAt: challenge.sentAt.toISOString(), verifiedAt: challenge.usedAt.toISOString() } };
}

/**
 * R8.3: the receipt [領収証書に代わるもの] by email, in the payment's transaction (house rule 8), to the
 * person's address (their OTP address when they have no other).
 */
async function sendReceipt(deps: Deps, tx: Tx, actor: Actor, payment: Payment, now: Date): Promise<void> {
  const recipient = actor.user.email ?? confirmedOtpAddress(actor.user);
  if (!recipient) return;
  const notice = composeNotice(deps.config, {
    subject: 'payEasy.receiptMail.subject',
    lines: [
      { key: 'payEasy.receiptMail.intro' },
      {
        key: 'payEasy.receiptMail.details',
        params: {
          receipt: payment.receipt_number,
          biller: payment.biller_name,
          billerNumber: payment.biller_number,
          fee: payment.fee_name,
          amount: formatYen(payment.amount_yen),
          at: { moment: payment.paid_at },
        },
      },
      { key: 'payEasy.receiptMail.note' },
    ],
  });
  await enqueueEmail(tx, { contractId: actor.contract.id, recipient, ...notice }, now);
}

/**
 * Refusals that say something about who is acting — no permission, an account not theirs, a limit
 * passed — are kept in the audit trail, in a transaction of their own (the payment's rolled back):
 * they are what a stolen session would try. A mistyped number is not.
 */
const telling: ReadonlySet<string> = new Set<ErrorCode>(['PAY_EASY_NOT_PERMITTED', 'PAY_EASY_ACCOUNT_NOT_USABLE', 'PAY_EASY_PER_TRANSACTION_LIMIT', 'PAY_EASY_DAILY_LIMIT']);

function auditedRefusals<T>(deps: Deps, actor: Actor, action: 'payment.inquire' | 'payment.pay', details: Record<string, unknown>, work: () => Promise<T>): Promise<T> {
  return withTellingRefusalsAudited(deps, actor, { action, telling, details }, work);
}
