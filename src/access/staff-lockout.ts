import type { Deps } from '../deps.ts';
import type { Staff } from '../db/schema.ts';
import type { Tx } from '../db/transaction.ts';
import { recordAudit } from '../audit/audit-trail.ts';
import { endStaffSessionsOf } from './staff-sessions.ts';
import type { RequestContext } from './request-context.ts';

/**
 * The seventh consecutive wrong secret stops the member and ends their sessions, in the caller's
 * transaction: the one that counts the failure causing it (check-secret.ts, decision 0024).
 */
export async function stopStaffMember(deps: Deps, tx: Tx, staff: Staff, context: RequestContext): Promise<void> {
  const now = deps.clock.now();
  const stopped = await tx.updateTable('staff').set({ stopped_at: now }).where('id', '=', staff.id).where('stopped_at', 'is', null).returning('id').executeTakeFirst();
  if (!stopped) return; // someone else recorded this stop first
  await endStaffSessionsOf(tx, staff.id, 'stopped', now);
  await recordAudit(tx, {
    at: now,
    contractId: null,
    userRef: null,
    actor: 'system',
    action: 'staff.stop',
    outcome: 'info',
    reason: 'too_many_failures',
    ip: context.ip,
    userAgent: context.userAgent,
    details: { login: staff.login_id },
  });
}
