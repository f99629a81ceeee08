import assert from 'node:assert/strict';
import { sql } from 'kysely';
import type { Deps } from '../../deps.ts';
import { inTransaction } from '../../db/transaction.ts';
import { gatedAppend } from '../../audit/audit-trail.ts';
import { outboxInsert } from '../../outbox/enqueue.ts';
import { composeNotice } from '../../mail/compose.ts';
import { formatJstJapanese } from '../../domain/tokyo-time.ts';
import { randomDigits } from '../../platform/random.ts';
import { auditEvent, emailOtpDigits, emailOtpResendCooldownSeconds, macMessage, macPurpose, refuse, sent, type ChallengeMail, type ChallengeOwner, type ChallengeRow, type ChallengeTarget, type SentChallenge } from './challenge.ts';

/** At most this many codes for one operation. */
export const emailOtpSendsPerSubjectMax = 5;
const hourMs = 3_600_000;

/**
 * Sends a new code for `target` to `recipient`, in one transaction with its email and audit record
 * (house rule 8). A code sent earlier for the same operation is replaced.
 * Refused during the cool-down and beyond the limits (the person's row is locked, so two requests
 * at once are counted one after the other).
 *
 * Two statements (decision 0031): the person's row is locked (and the code's id drawn, for its audit
 * record); then one statement counts the person's codes, judges the limits (`sendVerdictSql`),
 * and only if they allow it voids the replaced code, inserts the new one, puts its email into the
 * outbox and appends the record (`gatedAppend`, which locks the contract's audit head: the person,
 * then the head, no ledger lock). The person's row is held for that statement and the commit only.
 */
export async function sendChallenge(
  deps: Deps,
  owner: ChallengeOwner,
  target: ChallengeTarget,
  recipient: string,
  mail: ChallengeMail,
): Promise<SentChallenge> {
  return inTransaction(deps.db, async (tx) => {
    const { user } = owner;
    const now = deps.clock.now();
    // The id is drawn once the row is locked (the outer SELECT runs on the locked row), so one
    // person's codes are numbered in the order they are sent. The lock orders one person's sends;
    // it is the strength of an update of a column that is not a key (FOR NO KEY UPDATE), so it does
    // not wait for the person's transfers in flight, whose rows name the person (a foreign key holds
    // a key-share lock on the person's row to their commit), nor they for it.
    const locked = await sql<{ challenge_id: number }>`
      SELECT nextval(pg_get_serial_sequence('email_otp_challenge', 'id'))::int AS challenge_id
      FROM (SELECT id FROM users WHERE id = ${user.id} FOR NO KEY UPDATE) AS person`.execute(tx);
    const challengeId = locked.rows[0]?.challenge_id;
    assert.ok(challengeId !== undefined, `person ${user.id} exists`);

    const code = randomDigits(deps.random, emailOtpDigits);
    const expiresAt = new Date(now.getTime() + deps.config.emailOtpTtlSeconds * 1000);
    const identity = { user_ref: user.id, purpose: target.purpose, subject: target.subject, digest: target.digest, created_at: now };
    const codeMac = deps.keyring.mac(macMessage(identity, code), macPurpose(target.purpose));
    const notice = composeNotice(deps.config, {
      subject: mail.subject,
      lines: [
        { key: mail.intro },
        { key: 'emailOtp.mail.code', params: { code } },
        { key: 'emailOtp.mail.expires', params: { at: { moment: expiresAt }, minutes: Math.round(deps.config.emailOtpTtlSeconds / 60) } },
        { key: 'emailOtp.mail.detailsHeading' },
        ...mail.details,
        { key: 'emailOtp.mail.compare' },
        { key: 'emailOtp.mail.notYou' },
      ],
    });
    const made = sql`EXISTS (SELECT 1 FROM inserted)`;
    // The email goes into the outbox, and the record into the chain, in the statement that inserts the code (house rule 8).
    const email = outboxInsert([{ contractId: user.contract_id, recipient, ...notice }], now, made);
    const record = auditEvent(owner, { id: challengeId, purpose: target.purpose, subject: target.subject, recipient }, now, 'email_otp.send', 'info', { expiresAt: expiresAt.toISOString() });
    const append = gatedAppend([record], made);
    // The counts are read under the person's lock: this statement's snapshot is taken after it.
    const { rows } = await sql<SendVerdict & Partial<ChallengeRow> & Record<string, unknown>>`
      WITH RECURSIVE verdict AS (${sendVerdictSql(deps, user.id, target, now)}),
      allowed AS (SELECT 1 FROM verdict WHERE resend_at IS NULL AND NOT over_limit),
      replaced AS (
        UPDATE email_otp_challenge SET voided_at = ${now}::timestamptz, void_reason = 'replaced'
        WHERE user_ref = ${user.id} AND purpose = ${target.purpose} AND subject = ${target.subject} AND used_at IS NULL AND voided_at IS NULL
          AND EXISTS (SELECT 1 FROM allowed)
      ),
      inserted AS (
        INSERT INTO email_otp_challenge (id, user_ref, purpose, subject, digest, created_at, contract_id, code_mac, recipient, expires_at)
        OVERRIDING SYSTEM VALUE
        SELECT ${challengeId}::int, ${user.id}::int, ${target.purpose}, ${target.subject}, ${target.digest}, ${now}::timestamptz, ${user.contract_id}, ${codeMac}, ${recipient}, ${expiresAt}::timestamptz
        WHERE EXISTS (SELECT 1 FROM allowed)
        RETURNING *
      ),
      email AS (${email}),
      ${append.ctes}
      SELECT verdict.resend_at, verdict.over_limit, inserted.*, ${append.columns}
      FROM verdict LEFT JOIN inserted ON true`.execute(tx);
    const row = rows[0]!;
    refuseSend(row);
    await append.appended(tx, row);
    return sent(row as ChallengeRow);
  });
}

/** What the limits say of a send now: when a resend may come (null: now), and whether a limit is reached. */
interface SendVerdict {
  resend_at: Date | null;
  over_limit: boolean;
}

/**
 * The limits of a send (R5.2), stated here once, in SQL, so that they gate the insert itself: a
 * code for the same operation again only after the cool-down, at most `emailOtpSendsPerSubjectMax`
 * for one operation, and at most the bank's number an hour for the person. One row.
 */
function sendVerdictSql(deps: Deps, userRef: number, target: ChallengeTarget, now: Date) {
  const sameOperation = sql`user_ref = ${userRef} AND purpose = ${target.purpose} AND subject = ${target.subject}`;
  return sql`
    SELECT CASE WHEN c.last_for_subject + make_interval(secs => ${emailOtpResendCooldownSeconds}) > ${now}::timestamptz
                THEN c.last_for_subject + make_interval(secs => ${emailOtpResendCooldownSeconds}) END AS resend_at,
           (c.for_subject >= ${emailOtpSendsPerSubjectMax} OR c.last_hour >= ${deps.config.emailOtpSendsPerHourMax}) AS over_limit
    FROM (SELECT
      (SELECT max(created_at) FROM email_otp_challenge WHERE ${sameOperation}) AS last_for_subject,
      (SELECT count(*) FROM email_otp_challenge WHERE ${sameOperation}) AS for_subject,
      -- Counted up to the limit only: whether the limit is reached is all the rule asks, and a
      -- person who sends many codes (the bank may allow up to a million an hour) costs no more.
      (SELECT count(*) FROM (
        SELECT 1 FROM email_otp_challenge WHERE user_ref = ${userRef} AND created_at > ${new Date(now.getTime() - hourMs)}::timestamptz
        LIMIT ${deps.config.emailOtpSendsPerHourMax}) AS recent) AS last_hour) AS c`;
}

/** The refusal the verdict gives, the cool-down first. */
function refuseSend(verdict: SendVerdict): void {
  if (verdict.resend_at !== null) refuse('EMAIL_OTP_COOLDOWN', { at: formatJstJapanese(new Date(verdict.resend_at)) });
  if (verdict.over_limit) refuse('EMAIL_OTP_SEND_LIMIT');
}
