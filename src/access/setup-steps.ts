import type { SessionStage, User } from '../db/schema.ts';

/**
 * What a person must do before anything but the setup opens to them, in order:
 * - `passwords`: R1.3 first logon (registration or initial password): set both passwords;
 * - `change_login`, `change_confirmation`: R2.5 after a reset by the master or an admin user, a new
 *   password of that kind, one kind at a time;
 * - `email`: R1.3, R7.3 an address its owner confirmed by a code sent to it. Everyone needs one,
 *   the master and every user: an address the bank or an administrator registered counts only once
 *   its owner entered that code. The step follows the person, not the logon: a master who left
 *   after setting the passwords comes back to it with the new login password;
 * - `done`.
 * The one rule: the logon opens a session at the setup stage by it, and every page request judges
 * the session by it again (./page-stage.ts), so nothing else is reachable while a step is left.
 */
export type SetupStep = 'passwords' | 'change_login' | 'change_confirmation' | 'email' | 'done';

export type SetupFacts = Pick<User, 'login_password_hash' | 'must_change_login' | 'must_change_confirmation' | 'email_confirmed_at'>;

export function pendingSetupStep(user: SetupFacts): SetupStep {
  if (!user.login_password_hash) return 'passwords';
  if (user.must_change_login) return 'change_login';
  if (user.must_change_confirmation) return 'change_confirmation';
  if (!user.email_confirmed_at) return 'email';
  return 'done';
}

/** The stage a completed logon (password and grid card) opens: `setup` while a step is left. */
export function stageAfterLogon(user: SetupFacts): Extract<SessionStage, 'setup' | 'active'> {
  return pendingSetupStep(user) === 'done' ? 'active' : 'setup';
}
