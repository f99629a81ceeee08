import { sql, type RawBuilder } from 'kysely';
import type { User } from '../../db/schema.ts';
import type { Executor } from '../../db/transaction.ts';
import { maskedAddress } from './mask.ts';

/**
 * R5.1: who needs an OTP address — a person holding a step that can finalise a payment: the send
 * step of fund transfers (the creator who sends at once, the approver who sends, the sender all hold
 * it), or the tax/fee payment business, which has no steps and is finalised by whoever holds it.
 * One SQL predicate, read with the session and by the help desk's listing, so both say the same.
 */
export function finalisesPaymentsSql(userRef: RawBuilder<unknown>): RawBuilder<boolean> {
  return sql<boolean>`EXISTS (
    SELECT 1 FROM user_permission fp
    WHERE fp.user_ref = ${userRef} AND ((fp.business = 'transfer' AND fp.can_send) OR fp.business = 'tax_payment'))`;
}

/** R5.1: the person's OTP address once confirmed (a registered, unconfirmed one is not used); undefined otherwise. */
export function confirmedOtpAddress(user: Pick<User, 'otp_email' | 'otp_email_confirmed_at'>): string | undefined {
  return user.otp_email_confirmed_at && user.otp_email ? user.otp_email : undefined;
}

/** The person's confirmed OTP address as pages show it (masked); undefined when none is confirmed. */
export function otpAddressMasked(user: Pick<User, 'otp_email' | 'otp_email_confirmed_at'>): string | undefined {
  const address = confirmedOtpAddress(user);
  return address === undefined ? undefined : maskedAddress(address);
}

/** One person's OTP address standing (R5.1), as the security page and the help desk show it. */
export interface OtpAddressStanding {
  ref: number;
  userId: string;
  displayName: string;
  role: 'master' | 'user';
  /** The person can finalise payments, so an OTP address is required. */
  needed: boolean;
  /** The confirmed address, masked; undefined: none confirmed. */
  confirmedMasked: string | undefined;
  confirmedAt: Date | null;
}

/** The OTP address standing of a contract's people (deleted people left out), master first. */
export async function otpAddressStandings(executor: Executor, contractId: string): Promise<OtpAddressStanding[]> {
  const { rows } = await sql<{ id: number; user_id: string; display_name: string; role: 'master' | 'user'; otp_email: string | null; otp_email_confirmed_at: Date | null; needed: boolean }>`
    SELECT u.id, u.user_id, u.display_name, u.role, u.otp_email, u.otp_email_confirmed_at, ${finalisesPaymentsSql(sql.ref('u.id'))} AS needed
    FROM users u
    WHERE u.contract_id = ${contractId} AND u.status <> 'deleted'
    ORDER BY u.role = 'master' DESC, u.user_id`.execute(executor);
  return rows.map((row) => ({
    ref: row.id,
    userId: row.user_id,
    displayName: row.display_name,
    role: row.role,
    needed: row.needed,
    confirmedMasked: otpAddressMasked(row),
    confirmedAt: row.otp_email_confirmed_at === null ? null : new Date(row.otp_email_confirmed_at),
  }));
}
