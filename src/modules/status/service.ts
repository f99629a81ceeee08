import { sql } from 'kysely';
import type { Executor } from '../../db/transaction.ts';
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

/** The person's logons in the audit trail: every use the top page speaks of is one of them. */
function logonsOf(executor: Executor, userRef: number) {
  return executor.selectFrom('audit_log').where('audit_log.user_ref', '=', userRef).where('audit_log.action', '=', 'logon');
}

/**
 * R7.2: the failed logons since the last logon. The current logon is the newest success; failures
 * count from the one before it (all of them when there is none before it).
 */
function failuresSinceLastLogon(executor: Executor, userRef: number) {
  const successBefore = logonsOf(executor, userRef).select('audit_log.id').where('audit_log.outcome', '=', 'success').orderBy('audit_log.id', 'desc').offset(1).limit(1);
  return logonsOf(executor, userRef)
    .select(sql<number>`count(*)::int`.as('count'))
    .where('audit_log.outcome', '=', 'failure')
    .where('audit_log.id', '>', sql<bigint>`coalesce((${successBefore}), 0)`);
}

export async function statusSummary(deps: Deps, live: LiveSession): Promise<StatusSummary> {
  // One statement: the last uses, each carrying the count of failures (a subquery run once). No
  // logon at all means no failure either, so an empty list loses no count.
  const rows = await logonsOf(deps.db, live.user.id)
    .select(['audit_log.at', 'audit_log.ip', 'audit_log.outcome', sql<string | null>`details->>'method'`.as('method'), failuresSinceLastLogon(deps.db, live.user.id).as('failures')])
    .orderBy('audit_log.at', 'desc')
    .orderBy('audit_log.id', 'desc')
    .limit(recentUsesShown)
    .execute();
  const recentUses: ServiceUse[] = rows.map(({ at, ip, outcome, method }) => ({ at, ip, outcome, method }));
  const failures = rows[0]?.failures ?? 0;

  const maxAgeMs = deps.config.passwordMaxAgeDays * dayMs;
  const now = deps.clock.now().getTime();
  const agedPasswords: ('login' | 'confirmation')[] = [];
  if (live.user.login_password_changed_at && now - live.user.login_password_changed_at.getTime() > maxAgeMs) agedPasswords.push('login');
  if (live.user.confirmation_password_changed_at && now - live.user.confirmation_password_changed_at.getTime() > maxAgeMs) {
    agedPasswords.push('confirmation');
  }
  return { recentUses, failuresSinceLastLogon: failures, agedPasswords };
}
