import { sql, type RawBuilder } from 'kysely';

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
