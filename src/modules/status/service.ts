import { sql } from 'kysely';
import type { Deps } from '../../deps.ts';
import { dayMs } from '../../domain/tokyo-time.ts';
import type { LiveSession } from '../../access/sessions.ts';

/** R7.2: the last uses of the service, so the person can spot one that was not theirs. */
export const recentUsesShown = 3;

export interface ServiceUse {
  at: Date;
  ip: string | null;
  method: string | null;
  outcome: 'success' | 'failure' | 'info';
}

export interface StatusSummary {
  recentUses: ServiceUse[];
  failuresSinceLastLogon: number;
  /** Passwords unchanged for longer than the configured period (R2.6). */
  agedPasswords: ('login' | 'confirmation')[];
}

export async function statusSummary(deps: Deps, live: LiveSession): Promise<StatusSummary> {
  const userRef = live.user.id;
  const recentUses = await deps.db
    .selectFrom('audit_log')
    .select(['at', 'ip', 'outcome', sql<string | null>`details->>'method'`.as('method')])
    .where('user_ref', '=', userRef)
    .where('action', '=', 'logon')
    .orderBy('at', 'desc')
    .orderBy('id', 'desc')
    .limit(recentUsesShown)
    .execute();
  // The current logon is the newest success; failures count from the one before it.
  const successes = await deps.db
    .selectFrom('audit_log')
    .select('id')
    .where('user_ref', '=', userRef)
    .where('action', '=', 'logon')
    .where('outcome', '=', 'success')
    .orderBy('id', 'desc')
    .limit(2)
    .execute();
  const failures = await deps.db
    .selectFrom('audit_log')
    .select(sql<number>`count(*)::int`.as('count'))
    .where('user_ref', '=', userRef)
    .where('action', '=', 'logon')
    .where('outcome', '=', 'failure')
    .$if(successes.length === 2, (q) => q.where('id', '>', successes[1]!.id))
    .executeTakeFirstOrThrow();

  const maxAgeMs = deps.config.passwordMaxAgeDays * dayMs;
  const now = deps.clock.now().getTime();
  const agedPasswords: ('login' | 'confirmation')[] = [];
  if (live.user.login_password_changed_at && now - live.user.login_password_changed_at.getTime() > maxAgeMs) agedPasswords.push('login');
  if (live.user.confirmation_password_changed_at && now - live.user.confirmation_password_changed_at.getTime() > maxAgeMs) {
    agedPasswords.push('confirmation');
  }
  return { recentUses, failuresSinceLastLogon: failures.count, agedPasswords };
}
