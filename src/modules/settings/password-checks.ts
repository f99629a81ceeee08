import type { Deps } from '../../deps.ts';
import type { User } from '../../db/schema.ts';
import { AppError } from '../../errors.ts';
import { verifySecret } from '../../auth/password-hash.ts';
import { passwordHistoryDepth } from '../../auth/password-rules.ts';
import { checkCustomerPassword } from '../../access/customer-password.ts';
import type { RequestContext } from '../../access/request-context.ts';

export type PasswordKind = 'login' | 'confirmation';
/** R2.7: the two passwords a person holds, each changed on its own. */
export const passwordKinds = ['login', 'confirmation'] as const satisfies readonly PasswordKind[];

/**
 * R2.7: a password is changed with the current one (or the temporary one the master set). It is a
 * secret like any other: an attempt is reserved before it is evaluated, and a wrong one counts
 * towards the stop (R2.3).
 */
export async function checkCurrentPassword(
  deps: Deps,
  user: User,
  kind: PasswordKind,
  current: string,
  context: RequestContext,
  audit: { action: string; reason: string },
): Promise<void> {
  const currentHash = kind === 'login' ? user.login_password_hash : user.confirmation_password_hash;
  const verdict = await checkCustomerPassword(deps, user, currentHash, current, context, audit);
  if (verdict === 'right') return;
  throw new AppError('CURRENT_PASSWORD_WRONG', { field: 'current' });
}

/**
 * R2.1 and R2.7: the new password differs from the person's password of the other kind, and from
 * the current one and the three before it of the same kind.
 */
export async function checkNewPasswordAllowed(deps: Deps, user: User, kind: PasswordKind, next: string): Promise<void> {
  const otherHash = kind === 'login' ? user.confirmation_password_hash : user.login_password_hash;
  if (otherHash && (await verifySecret(otherHash, next))) throw new AppError('PASSWORDS_MUST_DIFFER', { field: 'next' });
  const history = await deps.db
    .selectFrom('password_history')
    .select('hash')
    .where('user_ref', '=', user.id)
    .where('kind', '=', kind)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(passwordHistoryDepth + 1)
    .execute();
  // The current password is the newest history entry; the three before it are the "last three".
  for (const old of history) {
    if (await verifySecret(old.hash, next)) throw new AppError('PASSWORD_REUSED', { field: 'next' });
  }
}
