import type { Deps } from '../deps.ts';
import { AppError } from '../errors.ts';
import { recordAudit, userActor } from '../audit/audit-trail.ts';
import { verifySecret } from '../auth/password-hash.ts';
import { customerHolder } from './attempts.ts';
import { checkSecret } from './check-secret.ts';
import type { RequestContext } from './request-context.ts';
import type { LiveSession } from './sessions.ts';

/**
 * R1.5: a change to people, permissions or security settings is confirmed with the actor's
 * confirmation password. A wrong one counts towards the actor's stop like any other secret (R2.3).
 */
export async function confirmWithConfirmationPassword(
  deps: Deps,
  live: LiveSession,
  password: string,
  context: RequestContext,
  action: string,
): Promise<void> {
  const { user } = live;
  const verdict = await checkSecret(deps, {
    holder: customerHolder(user),
    context,
    verify: async () => user.confirmation_password_hash !== null && (await verifySecret(user.confirmation_password_hash, password)),
    recordWrong: () =>
      recordAudit(deps.db, {
        at: deps.clock.now(),
        contractId: user.contract_id,
        userRef: user.id,
        actor: userActor(user.contract_id, user.user_id),
        action,
        outcome: 'failure',
        reason: 'wrong_confirmation_password',
        ip: context.ip,
        userAgent: context.userAgent,
      }),
  });
  if (verdict === 'right') return;
  throw new AppError('CONFIRMATION_PASSWORD_WRONG', { field: 'confirmationPassword' });
}
