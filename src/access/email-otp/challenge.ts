import type { Executor } from '../../db/transaction.ts';
import type { User } from '../../db/schema.ts';
import { AppError, type ErrorCode } from '../../errors.ts';
import { userActor, type AuditEvent } from '../../audit/audit-trail.ts';
import type { NoticeParam } from '../../mail/compose.ts';
import type { MessageKey } from '../../web/i18n/index.ts';
import type { Deps } from '../../deps.ts';
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

export type ChallengeRow = {
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

export function macPurpose(purpose: ChallengePurpose): string {
  return `email-otp:${purpose}`;
}

export function macMessage(row: Pick<ChallengeRow, 'user_ref' | 'purpose' | 'subject' | 'digest' | 'created_at'>, code: string): string {
  return JSON.stringify([row.user_ref, row.purpose, row.subject, row.digest, row.created_at.getTime(), code]);
}

export function sent(row: ChallengeRow): SentChallenge {
  return {
    id: row.id,
    recipientMasked: maskedAddress(row.recipient),
    sentAt: row.created_at,
    expiresAt: row.expires_at,
    resendAt: new Date(row.created_at.getTime() + emailOtpResendCooldownSeconds * 1000),
  };
}

export function auditEvent(owner: ChallengeOwner, row: Pick<ChallengeRow, 'id' | 'purpose' | 'subject' | 'recipient'>, at: Date, action: string, outcome: AuditEvent['outcome'], extra: Record<string, unknown> = {}): AuditEvent {
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

export function refuse(code: ErrorCode, params: Record<string, string> = {}): never {
  throw new AppError(code, { field: 'otp', params });
}

/** The newest code sent for an operation, whatever became of it. */
export async function newest(executor: Executor, userRef: number, target: Pick<ChallengeTarget, 'purpose' | 'subject'>): Promise<ChallengeRow | undefined> {
  const row = await newestQuery(executor, userRef, target).executeTakeFirst();
  return row as ChallengeRow | undefined;
}

/** The latest code sent to the person for the operation, as a query (check.ts reads it with the entry's reservation). */
export function newestQuery(executor: Executor, userRef: number, target: Pick<ChallengeTarget, 'purpose' | 'subject'>) {
  return executor
    .selectFrom('email_otp_challenge')
    .selectAll()
    .where('user_ref', '=', userRef)
    .where('purpose', '=', target.purpose)
    .where('subject', '=', target.subject)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1);
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

