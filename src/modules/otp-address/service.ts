import type { Deps } from '../../deps.ts';
import { AppError } from '../../errors.ts';
import { recordAudit, userActor } from '../../audit/audit-trail.ts';
import { isValidEmail } from '../../domain/identifiers.ts';
import { masterEmail, notifySecurityChange } from '../../mail/security-notice.ts';
import type { RequestContext } from '../../access/request-context.ts';
import type { LiveSession } from '../../access/sessions.ts';
import { confirmWithConfirmationPassword } from '../../access/confirmation-password.ts';
import { canonicalDigest } from '../../access/email-otp/digest.ts';
import { maskedAddress } from '../../access/email-otp/mask.ts';
import { enterCode } from '../../access/email-otp/check.ts';
import { openChallenge, type ChallengeTarget, type SentChallenge } from '../../access/email-otp/challenge.ts';
import { sendChallenge } from '../../access/email-otp/send.ts';

/**
 * R5.1: a person's OTP address [ワンタイムパスワード用メールアドレス], registered or changed with the
 * confirmation password and confirmed by a code sent to it; until then the old one (if any) stays.
 * R7.3: a change is notified to the old and the new address and, for a user, to the master.
 */
const subject = 'otp-address';

function target(userRef: number, address: string): ChallengeTarget {
  return { purpose: 'otp_address', subject, digest: canonicalDigest('otp-address', { userRef, address }) };
}

export interface PendingOtpAddress extends SentChallenge {
  address: string;
}

/** The address a code was sent to and not yet entered, if any. */
export async function pendingOtpAddress(deps: Deps, userRef: number): Promise<PendingOtpAddress | undefined> {
  const open = await openChallenge(deps, userRef, { purpose: 'otp_address', subject });
  return open && { ...open, address: open.recipient };
}

export async function requestOtpAddressCode(deps: Deps, live: LiveSession, address: string, confirmationPassword: string, context: RequestContext): Promise<SentChallenge> {
  if (!isValidEmail(address)) throw new AppError('EMAIL_OTP_ADDRESS_INVALID', { field: 'address' });
  // A stolen session alone must not redirect the codes that confirm payments.
  await confirmWithConfirmationPassword(deps, live, confirmationPassword, context, 'otp_email.change');
  return sendChallenge(deps, { user: live.user, context }, target(live.user.id, address), address, {
    subject: 'emailOtp.mail.address.subject',
    intro: 'emailOtp.mail.address.intro',
    details: [{ key: 'emailOtp.mail.address.detail', params: { userId: live.user.user_id, address } }],
  });
}

/** The code sent to the new address: once it is right, the address is the person's OTP address. */
export async function confirmOtpAddress(deps: Deps, live: LiveSession, code: string, context: RequestContext): Promise<void> {
  const pending = await pendingOtpAddress(deps, live.user.id);
  if (!pending) throw new AppError('EMAIL_OTP_NOT_SENT', { field: 'otp' });
  const owner = { user: live.user, context };
  const { user, contract } = live;
  const now = deps.clock.now();
  await enterCode(deps, owner, target(live.user.id, pending.address), code, async (tx) => {
    const before = await tx.selectFrom('users').select('otp_email').where('id', '=', user.id).forUpdate().executeTakeFirstOrThrow();
    await tx.updateTable('users').set({ otp_email: pending.address, otp_email_confirmed_at: now }).where('id', '=', user.id).execute();
    const previous = before.otp_email;
    await recordAudit(tx, {
      at: now,
      contractId: user.contract_id,
      userRef: user.id,
      actor: userActor(user.contract_id, user.user_id),
      action: previous ? 'otp_email.change' : 'otp_email.register',
      outcome: 'success',
      ip: context.ip,
      userAgent: context.userAgent,
      details: { from: previous ? maskedAddress(previous) : null, to: maskedAddress(pending.address) },
    });
    await notifySecurityChange(deps, tx, {
      contractId: user.contract_id,
      companyName: contract.company_name,
      subjectUserId: user.user_id,
      actorLabel: user.user_id,
      what: { key: previous ? 'emailOtp.notice.changed' : 'emailOtp.notice.registered', params: { old: previous ?? '', new: pending.address } },
      at: now,
      ip: context.ip,
      recipients: [previous, pending.address, user.email, user.role === 'user' ? await masterEmail(tx, user.contract_id) : null],
      subject: 'emailOtp.notice.subject',
    });
  });
}
