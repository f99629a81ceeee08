import { sql } from 'kysely';
import type { Deps } from '../../deps.ts';
import { inTransaction } from '../../db/transaction.ts';
import { recordAudit } from '../../audit/audit-trail.ts';
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
    await tx.selectFrom('users').select('id').where('id', '=', user.id).forUpdate().execute();
    // The counts are read under the person's lock. The contract's audit head is locked only by the
    // append at the end (decision 0026): a send takes no ledger lock, so its order is the person, then
    // the head.
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

    const code = randomDigits(deps.random, emailOtpDigits);
    const expiresAt = new Date(now.getTime() + deps.config.emailOtpTtlSeconds * 1000);
    const identity = { user_ref: user.id, purpose: target.purpose, subject: target.subject, digest: target.digest, created_at: now };
    const codeMac = deps.keyring.mac(macMessage(identity, code), macPurpose(target.purpose));
    // One statement: a code sent earlier for the same operation and still open is replaced (voided),
    // and the new one inserted.
    const { rows } = await sql<ChallengeRow>`
      WITH replaced AS (
        UPDATE email_otp_challenge SET voided_at = ${now}::timestamptz, void_reason = 'replaced'
        WHERE user_ref = ${user.id} AND purpose = ${target.purpose} AND subject = ${target.subject} AND used_at IS NULL AND voided_at IS NULL
      )
      INSERT INTO email_otp_challenge (user_ref, purpose, subject, digest, created_at, contract_id, code_mac, recipient, expires_at)
      VALUES (${user.id}::int, ${target.purpose}, ${target.subject}, ${target.digest}, ${now}::timestamptz, ${user.contract_id}, ${codeMac}, ${recipient}, ${expiresAt}::timestamptz)
      RETURNING *`.execute(tx);
    const row = rows[0]!;
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
    // The email goes into the outbox in the statement that appends the audit record (house rule 8).
    const email = outboxInsert([{ contractId: user.contract_id, recipient, ...notice }], now);
    await recordAudit(tx, auditEvent(owner, row, now, 'email_otp.send', 'info', { expiresAt: expiresAt.toISOString() }), { alongside: email });
    return sent(row);
  });
}

