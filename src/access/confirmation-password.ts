import type { Deps } from '../deps.ts';
import { AppError } from '../errors.ts';
import { checkCustomerPassword } from './customer-password.ts';
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
  const verdict = await checkCustomerPassword(deps, user, user.confirmation_password_hash, password, context, { action, reason: 'wrong_confirmation_password' });
  if (verdict === 'right') return;
  throw new AppError('CONFIRMATION_PASSWORD_WRONG', { field: 'confirmationPassword' });
}
