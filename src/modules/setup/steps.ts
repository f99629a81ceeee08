import type { LogonMethod, SessionStage, User } from '../../db/schema.ts';

/**
 * What a person must do before the session becomes a normal one, in order:
 * - `passwords`: R1.3 first logon (registration or initial password): set both passwords;
 * - `change_login`, `change_confirmation`: R2.5 after a reset by the master or an admin user, a new
 *   password of that kind, one kind at a time;
 * - `email`: at a first logon, the master confirms an address (R1.3, unchanged); a user confirms
 *   one only when the master registered none for them;
 * - `done`.
 */
export type SetupStep = 'passwords' | 'change_login' | 'change_confirmation' | 'email' | 'done';

type SetupFacts = Pick<User, 'role' | 'email' | 'login_password_hash' | 'must_change_login' | 'must_change_confirmation'>;

export function pendingSetupStep(user: SetupFacts, method: LogonMethod): SetupStep {
  if (!user.login_password_hash) return 'passwords';
  if (user.must_change_login) return 'change_login';
  if (user.must_change_confirmation) return 'change_confirmation';
  if (method === 'registration' && (user.role === 'master' || !user.email)) return 'email';
  return 'done';
}

/**
 * The stage a completed logon (password and grid card) opens: `setup` while a password must be set,
 * so that nothing else is reachable until it is (the page routes send a setup session to /setup).
 */
export function stageAfterLogon(user: SetupFacts): Extract<SessionStage, 'setup' | 'active'> {
  return !user.login_password_hash || user.must_change_login || user.must_change_confirmation ? 'setup' : 'active';
}
