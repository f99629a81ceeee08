import type { Deps } from '../deps.ts';
import type { User } from '../db/schema.ts';
import { recordAudit, userActor } from '../audit/audit-trail.ts';
import { verifySecret } from '../auth/password-hash.ts';
import { customerHolder } from './attempts.ts';
import { checkSecret, type SecretVerdict } from './check-secret.ts';
import type { RequestContext } from './request-context.ts';

/**
 * One of a customer's stored passwords typed again (the confirmation password of a change, the
 * current password of a password change), checked through checkSecret; a wrong one is recorded
 * with the action it was for and the reason the caller names, one refused as busy with the busy
 * reason (decision 0022).
 */
export function checkCustomerPassword(
  deps: Deps,
  user: User,
  storedHash: string | null,
  typed: string,
  context: RequestContext,
  audit: { action: string; reason: string },
): Promise<SecretVerdict> {
  const recordFailure = (reason: string) =>
    recordAudit(deps.db, {
      at: deps.clock.now(),
      contractId: user.contract_id,
      userRef: user.id,
      actor: userActor(user.contract_id, user.user_id),
      action: audit.action,
      outcome: 'failure',
      reason,
      ip: context.ip,
      userAgent: context.userAgent,
    });
  return checkSecret(deps, {
    holder: customerHolder(user),
    context,
    verify: async () => storedHash !== null && (await verifySecret(storedHash, typed)),
    recordWrong: () => recordFailure(audit.reason),
    recordBusy: recordFailure,
  });
}
