import { sql } from 'kysely';
import type { Deps } from '../../deps.ts';
import type { Executor, Tx } from '../../db/transaction.ts';
import { inTransaction } from '../../db/transaction.ts';
import type { User } from '../../db/schema.ts';
import { AppError, type ErrorCode } from '../../errors.ts';
import { recordAudit, userActor, type AuditEvent } from '../../audit/audit-trail.ts';
import { enqueueEmail } from '../../outbox/enqueue.ts';
import { composeNotice, type NoticeParam } from '../../mail/compose.ts';
import { formatJstJapanese } from '../../domain/tokyo-time.ts';
import { randomDigits } from '../../platform/random.ts';
import { startRepeatingJob, type RepeatingJob, type RepeatingJobOptions } from '../../platform/repeating-job.ts';
import type { MessageKey } from '../../web/i18n/index.ts';
import type { RequestContext } from '../request-context.ts';
import { maskedAddress } from './mask.ts';

/**
 * R5.2–R5.4: a one-time password sent by email, bound to a digest of what it confirms. One piece for
 * every purpose (a transfer, a tax/fee payment, an OTP address): the caller names the operation
 * (`subject`), gives the digest of its money-moving fields and the lines the email shows, and later
 * enters the code with the digest of the operation as it stands then.
 *
 * The code is 6 digits from node:crypto; only an HMAC of it (keyring, per purpose) is kept, over the
 * challenge's owner, operation, digest and time, so a code is worth nothing for any other challenge.
 * An entry reserves one of the three entries a code allows before it is compared (house rule 5), so
 * parallel guesses are compared at most three times; the right code is used by one conditional
 * UPDATE (house rule 4), so a code submitted many times at once succeeds once.
 */
export const emailOtpDigits = 6;
/** R5.4: a code is void after this many wrong entries (`entries_in_flight + wrong_entries` never exceeds it). */
export const emailOtpWrongEntriesMax = 3;
/** A new code for the same operation only after this long (the page shows when). */
export const emailOtpResendCooldownSeconds = 60;
/** At most this many codes for one operation. */
export const emailOtpSendsPerSubjectMax = 5;
const hourMs = 3_600_000;

export type ChallengePurpose = 'otp_address' | 'transfer' | 'payment';

/** What a code confirms: the kind, the operation, and the digest of its fields as they are now. */
export interface ChallengeTarget {
  purpose: ChallengePurpose;
  /** The operation, e.g. `transfer:42`; at most 200 characters. */
  subject: string;
  /** canonicalDigest() of every field that moves money (./digest.ts). */
  digest: string;
}

/** Who asks for or enters a code, from their live session. */
export interface ChallengeOwner {
  user: User;
  context: RequestContext;
}

/** The email: its subject (never the code) and the lines that state the operation (R5.3). */
export interface ChallengeMail {
  subject: MessageKey;
  intro: MessageKey;
  details: readonly { key: MessageKey; params?: Record<string, NoticeParam> }[];
}

export interface SentChallenge {
  id: number;
  recipientMasked: string;
  sentAt: Date;
  expiresAt: Date;
  /** From when another code may be asked for. */
  resendAt: Date;
}

export interface UsedChallenge extends SentChallenge {
  usedAt: Date;
}

type ChallengeRow = {
  id: number;
  user_ref: number;
  purpose: ChallengePurpose;
  subject: string;
  digest: string;
  code_mac: string;
  recipient: string;
  created_at: Date;
  expires_at: Date;
  entries_in_flight: number;
  wrong_entries: number;
  used_at: Date | null;
  voided_at: Date | null;
  void_reason: string | null;
  expiry_recorded_at: Date | null;
};

function macPurpose(purpose: ChallengePurpose): string {
  return `email-otp:${purpose}`;
}

function macMessage(row: Pick<ChallengeRow, 'user_ref' | 'purpose' | 'subject' | 'digest' | 'created_at'>, code: string): string {
  return JSON.stringify([row.user_ref, row.purpose, row.subject, row.digest, row.created_at.getTime(), code]);
}

function sent(row: ChallengeRow): SentChallenge {
  return {
    id: row.id,
    recipientMasked: maskedAddress(row.recipient),
    sentAt: row.created_at,
    expiresAt: row.expires_at,
    resendAt: new Date(row.created_at.getTime() + emailOtpResendCooldownSeconds * 1000),
  };
}

function auditEvent(owner: ChallengeOwner, row: Pick<ChallengeRow, 'id' | 'purpose' | 'subject' | 'recipient'>, at: Date, action: string, outcome: AuditEvent['outcome'], extra: Record<string, unknown> = {}): AuditEvent {
  const { user, context } = owner;
  return {
    at,
    contractId: user.contract_id,
    userRef: user.id,
    actor: userActor(user.contract_id, user.user_id),
    action,
    outcome,
    ip: context.ip,
    userAgent: context.userAgent,
    // Never the code: the challenge, what it is for, and where it went (masked).
    details: { challengeId: row.id, purpose: row.purpose, subject: row.subject, to: maskedAddress(row.recipient), ...extra },
  };
}

function refuse(code: ErrorCode, params: Record<string, string> = {}): never {
  throw new AppError(code, { field: 'otp', params });
}

/**
 * Sends a new code for `target` to `recipient`, in the caller's transaction when given (the email
 * commits with the challenge: house rule 8). A code sent earlier for the same operation is replaced.
 * Refused during the cool-down and beyond the limits (the person's row is locked, so two requests
 * at once are counted one after the other).
 */
export async function sendChallenge(
  deps: Deps,
  owner: ChallengeOwner,
  target: ChallengeTarget,
  recipient: string,
  mail: ChallengeMail,
  executor?: Tx,
): Promise<SentChallenge> {
  const work = async (tx: Tx) => {
    const { user } = owner;
    const now = deps.clock.now();
    await tx.selectFrom('users').select('id').where('id', '=', user.id).forUpdate().execute();
    const counts = await sql<{ last_for_subject: Date | null; for_subject: number; last_hour: number }>`
      SELECT
        (SELECT max(created_at) FROM email_otp_challenge WHERE user_ref = ${user.id} AND purpose = ${target.purpose} AND subject = ${target.subject}) AS last_for_subject,
        (SELECT count(*) FROM email_otp_challenge WHERE user_ref = ${user.id} AND purpose = ${target.purpose} AND subject = ${target.subject})::int AS for_subject,
        (SELECT count(*) FROM email_otp_challenge WHERE user_ref = ${user.id} AND created_at > ${new Date(now.getTime() - hourMs)})::int AS last_hour`.execute(tx);
    const { last_for_subject: last, for_subject: forSubject, last_hour: lastHour } = counts.rows[0]!;
    if (last !== null) {
      const resendAt = new Date(new Date(last).getTime() + emailOtpResendCooldownSeconds * 1000);
      if (resendAt > now) refuse('EMAIL_OTP_COOLDOWN', { at: formatJstJapanese(resendAt) });
    }
    if (forSubject >= emailOtpSendsPerSubjectMax || lastHour >= deps.config.emailOtpSendsPerHourMax) refuse('EMAIL_OTP_SEND_LIMIT');

    await tx
      .updateTable('email_otp_challenge')
      .set({ voided_at: now, void_reason: 'replaced' })
      .where('user_ref', '=', user.id)
      .where('purpose', '=', target.purpose)
      .where('subject', '=', target.subject)
      .where('used_at', 'is', null)
      .where('voided_at', 'is', null)
      .execute();
    const code = randomDigits(deps.random, emailOtpDigits);
    const expiresAt = new Date(now.getTime() + deps.config.emailOtpTtlSeconds * 1000);
    const identity = { user_ref: user.id, purpose: target.purpose, subject: target.subject, digest: target.digest, created_at: now };
    const row = (await tx
      .insertInto('email_otp_challenge')
      .values({
        ...identity,
        contract_id: user.contract_id,
        code_mac: deps.keyring.mac(macMessage(identity, code), macPurpose(target.purpose)),
        recipient,
        expires_at: expiresAt,
      })
      .returningAll()
      .executeTakeFirstOrThrow()) as ChallengeRow;
    const notice = composeNotice(deps.config, {
      subject: mail.subject,
      lines: [
        { key: mail.intro },
        { key: 'emailOtp.mail.code', params: { code } },
        { key: 'emailOtp.mail.expires', params: { at: formatJstJapanese(expiresAt), minutes: Math.round(deps.config.emailOtpTtlSeconds / 60) } },
        { key: 'emailOtp.mail.detailsHeading' },
        ...mail.details,
        { key: 'emailOtp.mail.compare' },
        { key: 'emailOtp.mail.notYou' },
      ],
    });
    await enqueueEmail(tx, { contractId: user.contract_id, recipient, ...notice }, now);
    await recordAudit(tx, auditEvent(owner, row, now, 'email_otp.send', 'info', { expiresAt: expiresAt.toISOString() }));
    return sent(row);
  };
  return executor ? work(executor) : inTransaction(deps.db, work);
}

/** The newest code sent for an operation, whatever became of it. */
async function newest(executor: Executor, userRef: number, target: Pick<ChallengeTarget, 'purpose' | 'subject'>): Promise<ChallengeRow | undefined> {
  const row = await executor
    .selectFrom('email_otp_challenge')
    .selectAll()
    .where('user_ref', '=', userRef)
    .where('purpose', '=', target.purpose)
    .where('subject', '=', target.subject)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row as ChallengeRow | undefined;
}

/**
 * The code waiting for entry for an operation, if one is: the page says where it went and until when.
 * With a digest, only a code sent for the operation as it stands now counts.
 */
export async function openChallenge(
  deps: Deps,
  userRef: number,
  target: Pick<ChallengeTarget, 'purpose' | 'subject'> & { digest?: string },
): Promise<(SentChallenge & { recipient: string }) | undefined> {
  const row = await newest(deps.db, userRef, target);
  if (!row || row.used_at || row.voided_at || row.expires_at <= deps.clock.now()) return undefined;
  if (target.digest !== undefined && target.digest !== row.digest) return undefined;
  return { ...sent(row), recipient: row.recipient };
}

/** The refusal for a code that can no longer be entered, recording an expiry the first time it is found. */
async function refuseClosed(deps: Deps, owner: ChallengeOwner, row: ChallengeRow, now: Date): Promise<never> {
  if (row.used_at) refuse('EMAIL_OTP_USED');
  if (row.voided_at) refuse(row.void_reason === 'replaced' ? 'EMAIL_OTP_NOT_SENT' : 'EMAIL_OTP_VOID');
  if (row.expires_at <= now) {
    await recordExpiries(deps, now, row.id, owner);
    refuse('EMAIL_OTP_EXPIRED');
  }
  refuse('EMAIL_OTP_BUSY');
}

/** A right code, checked before the operation's transaction: its entry is held until it is used there or given back. */
export interface CheckedCode {
  readonly row: ChallengeRow;
  readonly owner: ChallengeOwner;
}

/**
 * R5.2–R5.4: checks a code entered for `target`. The operation must be the one the code was sent
 * for, as it stands now (its digest): after any change the code is useless, and it is voided so that
 * a new one, stating the operation as it now is, must be asked for. A wrong code is counted at once
 * and refused; a right one is returned holding its entry, to be used in the transaction of the
 * operation (useCheckedCode), so the code is spent exactly when the operation commits. Every outcome
 * is in the audit trail, never the code.
 */
export async function checkCode(deps: Deps, owner: ChallengeOwner, target: ChallengeTarget, code: unknown): Promise<CheckedCode> {
  const now = deps.clock.now();
  const row = await newest(deps.db, owner.user.id, target);
  if (!row) refuse('EMAIL_OTP_NOT_SENT');
  if (row.used_at || row.voided_at || row.expires_at <= now) return refuseClosed(deps, owner, row, now);
  if (row.digest !== target.digest) {
    await inTransaction(deps.db, async (tx) => {
      const voided = await tx
        .updateTable('email_otp_challenge')
        .set({ voided_at: now, void_reason: 'changed' })
        .where('id', '=', row.id)
        .where('used_at', 'is', null)
        .where('voided_at', 'is', null)
        .returning('id')
        .executeTakeFirst();
      if (voided) await recordAudit(tx, auditEvent(owner, row, now, 'email_otp.changed', 'failure', { reason: 'operation changed after the code was sent' }));
    });
    refuse('EMAIL_OTP_CHANGED');
  }
  if (typeof code !== 'string' || !/^[0-9]{6}$/.test(code)) refuse('EMAIL_OTP_FORMAT');

  const reserved = await deps.db
    .updateTable('email_otp_challenge')
    .set({ entries_in_flight: sql`entries_in_flight + 1` })
    .where('id', '=', row.id)
    .where('used_at', 'is', null)
    .where('voided_at', 'is', null)
    .where('expires_at', '>', now)
    .where(sql<boolean>`entries_in_flight + wrong_entries < ${emailOtpWrongEntriesMax}`)
    .returning('id')
    .executeTakeFirst();
  if (!reserved) {
    const again = await newest(deps.db, owner.user.id, target);
    return refuseClosed(deps, owner, again ?? row, now);
  }
  if (deps.keyring.macMatches(macMessage(row, code), macPurpose(row.purpose), row.code_mac)) return { row, owner };

  const wrong = await inTransaction(deps.db, async (tx) => {
    const counted = await sql<{ wrong_entries: number; voided: boolean }>`
      UPDATE email_otp_challenge SET
        entries_in_flight = entries_in_flight - 1,
        wrong_entries = wrong_entries + 1,
        voided_at = CASE WHEN wrong_entries + 1 >= ${emailOtpWrongEntriesMax} THEN ${now}::timestamptz ELSE voided_at END,
        void_reason = CASE WHEN wrong_entries + 1 >= ${emailOtpWrongEntriesMax} THEN 'wrong_entries' ELSE void_reason END
      WHERE id = ${row.id}
      RETURNING wrong_entries, voided_at IS NOT NULL AS voided`.execute(tx);
    const { wrong_entries: wrongEntries, voided } = counted.rows[0]!;
    const left = Math.max(emailOtpWrongEntriesMax - wrongEntries, 0);
    await recordAudit(tx, auditEvent(owner, row, now, 'email_otp.wrong', 'failure', { wrongEntries, entriesLeft: left }));
    if (voided) await recordAudit(tx, auditEvent(owner, row, now, 'email_otp.void', 'failure', { reason: 'wrong entries' }));
    return { voided, left };
  });
  if (wrong.voided) refuse('EMAIL_OTP_VOID');
  refuse('EMAIL_OTP_WRONG', { left: String(wrong.left) });
}

/**
 * Uses a checked code in the operation's transaction (house rule 4: one conditional UPDATE): the code
 * and the operation commit together. Refused when it was used meanwhile (a request submitted twice:
 * the caller tells a twin of a request carried out from another use).
 */
export async function useCheckedCode(deps: Deps, tx: Tx, checked: CheckedCode): Promise<UsedChallenge> {
  const now = deps.clock.now();
  const used = await tx
    .updateTable('email_otp_challenge')
    .set({ used_at: now, entries_in_flight: sql`entries_in_flight - 1` })
    .where('id', '=', checked.row.id)
    .where('used_at', 'is', null)
    .where('voided_at', 'is', null)
    .returningAll()
    .executeTakeFirst();
  if (!used) refuse('EMAIL_OTP_USED');
  await recordAudit(tx, auditEvent(checked.owner, checked.row, now, 'email_otp.verify', 'success'));
  return { ...sent(used as ChallengeRow), usedAt: now };
}

/** What a checked code will record when used now: for the operation's protections, written in the same statement. */
export function usedNow(deps: Deps, checked: CheckedCode): UsedChallenge {
  return { ...sent(checked.row), usedAt: deps.clock.now() };
}

/**
 * Runs the operation that uses a checked code; when it did not commit a use (refused, rolled back, a
 * twin's result), the code's entry is given back, so the code stays good for the operation.
 */
export async function withCheckedCode<T>(deps: Deps, checked: CheckedCode | undefined, operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } finally {
    // A use that committed gave the entry back with it (used_at is set); otherwise this does.
    if (checked) {
      await deps.db
        .updateTable('email_otp_challenge')
        .set({ entries_in_flight: sql`entries_in_flight - 1` })
        .where('id', '=', checked.row.id)
        .where('used_at', 'is', null)
        .where('entries_in_flight', '>', 0)
        .execute();
    }
  }
}

/** Refusals of a right-looking entry that a request submitted twice meets: its twin holds or used the code. */
export function isTwinRefusal(error: unknown): error is AppError {
  return error instanceof AppError && (error.code === 'EMAIL_OTP_USED' || error.code === 'EMAIL_OTP_BUSY');
}

/** Checks and uses a code in a transaction of its own, with `then` (a change the code confirms) in the same transaction. */
export async function enterCode<T>(deps: Deps, owner: ChallengeOwner, target: ChallengeTarget, code: unknown, then: (tx: Tx, used: UsedChallenge) => Promise<T>): Promise<T> {
  const checked = await checkCode(deps, owner, target, code);
  return withCheckedCode(deps, checked, () => inTransaction(deps.db, async (tx) => then(tx, await useCheckedCode(deps, tx, checked))));
}

/**
 * R9.1: an expiry in the audit trail, once per code: every code that expired without being used or
 * voided (or only `challengeId`), claimed by one conditional UPDATE so two finders record it once.
 * Run by a repeating job, and by an entry that finds its code expired.
 */
export async function recordExpiries(deps: Deps, now: Date, challengeId?: number, finder?: ChallengeOwner): Promise<number> {
  return inTransaction(deps.db, async (tx) => {
    let claim = tx
      .updateTable('email_otp_challenge')
      .set({ expiry_recorded_at: now })
      .where('expires_at', '<=', now)
      .where('used_at', 'is', null)
      .where('voided_at', 'is', null)
      .where('expiry_recorded_at', 'is', null);
    if (challengeId !== undefined) claim = claim.where('id', '=', challengeId);
    const expired = (await claim.returning(['id', 'user_ref', 'contract_id', 'purpose', 'subject', 'recipient', 'expires_at']).execute());
    for (const row of expired) {
      const event: AuditEvent = finder
        ? auditEvent(finder, row, now, 'email_otp.expire', 'info', { expiredAt: row.expires_at.toISOString() })
        : {
            at: now,
            contractId: row.contract_id,
            userRef: row.user_ref,
            actor: 'system',
            action: 'email_otp.expire',
            outcome: 'info',
            details: { challengeId: row.id, purpose: row.purpose, subject: row.subject, to: maskedAddress(row.recipient), expiredAt: row.expires_at.toISOString() },
          };
      await recordAudit(tx, event);
    }
    return expired.length;
  });
}

/** Records the expiries every `intervalMs` until stopped; a failed round is reported and the next one runs. */
export function startEmailOtpExpiries(deps: Deps, options: RepeatingJobOptions): RepeatingJob {
  return startRepeatingJob(() => recordExpiries(deps, deps.clock.now()), options);
}
