import { sql, type RawBuilder } from 'kysely';
import type { Contract } from '../../db/schema.ts';
import type { HardwareToken } from '../../db/schema-tokens.ts';
import { addDaysTo } from '../../domain/tokyo-time.ts';
import { tokyoDate } from '../../domain/business-days.ts';

/**
 * R6.3, R6.5: who needs a token — once the contract applied for tokens (its first assignment; a
 * revocation of every token does not end the need), a person with an operation that asks
 * for the token password: the master and admin users (adding and changing users, revoking tokens),
 * and whoever finalises an ad hoc transfer (with the approval function the approvers, since the
 * final approver enters it; without it, the senders). One SQL predicate, read with the session and
 * by the security page, so both say the same. People without such operations are never asked.
 */
export function needsTokenSql(userRef: RawBuilder<unknown>, contractRef: RawBuilder<unknown>): RawBuilder<boolean> {
  return sql<boolean>`(
    EXISTS (SELECT 1 FROM contract tc0 WHERE tc0.id = ${contractRef} AND tc0.tokens_applied_at IS NOT NULL)
    AND (
      EXISTS (SELECT 1 FROM users tu WHERE tu.id = ${userRef} AND tu.role = 'master')
      OR EXISTS (
        SELECT 1 FROM user_permission tp JOIN contract tc ON tc.id = ${contractRef}
        WHERE tp.user_ref = ${userRef}
          AND (tp.business = 'user_admin'
            OR (tp.business = 'transfer' AND CASE WHEN tc.approval_mode = 'none' THEN tp.can_send ELSE tp.can_approve END))
      )
    ))`;
}

/** R6.7: the person's activated token is usable: assigned to their contract, not revoked, not expired (Asia/Tokyo). */
export function usableTokenSql(serialRef: RawBuilder<unknown>, contractRef: RawBuilder<unknown>, now: Date): RawBuilder<boolean> {
  return sql<boolean>`EXISTS (
    SELECT 1 FROM hardware_token ut
    WHERE ut.serial = ${serialRef} AND ut.contract_id = ${contractRef} AND ut.revoked_at IS NULL AND ut.expires_on > ${tokyoDate(now)}::date)`;
}

/** A token's state as the bank's tools name it. */
export type TokenState = 'unassigned' | 'assigned' | 'active' | 'revoked' | 'expired';

/** R6.7: a token stops working on its expiry date (Asia/Tokyo). */
export function tokenExpired(token: Pick<HardwareToken, 'expires_on'>, now: Date): boolean {
  return token.expires_on <= tokyoDate(now);
}

export function tokenState(token: Pick<HardwareToken, 'contract_id' | 'revoked_at' | 'expires_on'>, activatedBy: number, now: Date): TokenState {
  if (token.revoked_at) return 'revoked';
  if (tokenExpired(token, now)) return 'expired';
  if (token.contract_id === null) return 'unassigned';
  return activatedBy > 0 ? 'active' : 'assigned';
}

/** R6.4: the end of the grace period in which a person may go on without an activated token; undefined before any token was applied for. */
export function graceEnd(contract: Pick<Contract, 'tokens_applied_at'>, graceDays: number): Date | undefined {
  return contract.tokens_applied_at ? addDaysTo(new Date(contract.tokens_applied_at), graceDays) : undefined;
}

/** R6.4: within the grace period, an operation that needs a token goes ahead without one. */
export function withinGrace(contract: Pick<Contract, 'tokens_applied_at'>, graceDays: number, now: Date): boolean {
  const end = graceEnd(contract, graceDays);
  return end !== undefined && now < end;
}
