import { sql } from 'kysely';
import type { Deps } from '../../deps.ts';
import type { Executor } from '../../db/transaction.ts';
import type { Selectable } from 'kysely';
import type { Staff, StaffSessionTable } from '../../db/schema.ts';
import { secretsEqual, sha256Hex } from '../../crypto/compare.ts';
import { randomToken } from '../../platform/random.ts';

/**
 * Sessions of the bank's staff, in their own table (never the customers'), so a customer's session
 * can never open the console and a staff session never opens the portal. The cookie holds
 * `id.secret`; only the secret's hash is stored (house rule 7).
 */
export type StaffSession = Selectable<StaffSessionTable>;
export type StaffStage = StaffSession['stage'];
export type StaffEndReason = 'idle' | 'absolute' | 'superseded' | 'stopped' | 'logout' | 'expired' | 'rotated';

/** Password accepted, authenticator code still to come: a short life of its own. */
export const staffPendingLogonSeconds = 300;

export interface LiveStaffSession {
  session: StaffSession;
  staff: Staff;
}

export type StaffSessionLookup = { live: LiveStaffSession } | { ended: StaffEndReason | undefined };

export async function createStaffSession(
  deps: Deps,
  executor: Executor,
  init: { staff: Staff; stage: StaffStage; ip: string },
): Promise<{ token: string; session: StaffSession }> {
  const id = randomToken(deps.random, 16);
  const secret = randomToken(deps.random, 32);
  const now = deps.clock.now();
  const session = await executor
    .insertInto('staff_session')
    .values({
      id,
      secret_hash: sha256Hex(secret),
      staff_ref: init.staff.id,
      stage: init.stage,
      csrf_token: randomToken(deps.random, 24),
      ip: init.ip,
      created_at: now,
      last_seen_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return { token: `${id}.${secret}`, session };
}

function lifetimeEnd(deps: Deps, session: StaffSession): { reason: StaffEndReason; at: number } {
  if (session.stage === 'totp') return { reason: 'expired', at: session.created_at.getTime() + staffPendingLogonSeconds * 1000 };
  const idleEnd = session.last_seen_at.getTime() + deps.config.operatorSessionIdleSeconds * 1000;
  const absoluteEnd = session.created_at.getTime() + deps.config.operatorSessionAbsoluteSeconds * 1000;
  return idleEnd <= absoluteEnd ? { reason: 'idle', at: idleEnd } : { reason: 'absolute', at: absoluteEnd };
}

/** Seconds until the session ends by itself, for the page's automatic return to the logon. */
export function staffSecondsLeft(deps: Deps, session: StaffSession): number {
  return Math.max(0, Math.floor((lifetimeEnd(deps, session).at - deps.clock.now().getTime()) / 1000));
}

/**
 * The live session a cookie names, marked seen; a session past its idle or absolute end, or whose
 * member has been stopped or disabled since, is ended here and reported with its reason.
 */
export async function resumeStaffSession(deps: Deps, token: string | undefined): Promise<StaffSessionLookup> {
  const match = token ? /^([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/.exec(token) : null;
  if (!match) return { ended: undefined };
  const [, id, secret] = match as unknown as [string, string, string];
  const row = await deps.db
    .selectFrom('staff_session')
    .innerJoin('staff', 'staff.id', 'staff_session.staff_ref')
    .selectAll('staff_session')
    .select(sql<Record<string, unknown>>`to_jsonb(staff.*)`.as('staff_json'))
    .where('staff_session.id', '=', id)
    .executeTakeFirst();
  if (!row || !secretsEqual(row.secret_hash, sha256Hex(secret))) return { ended: undefined };
  const { staff_json, ...session } = row;
  if (session.ended_at) return { ended: session.end_reason as StaffEndReason };
  const staff = reviveStaff(staff_json);
  const now = deps.clock.now();
  let reason: StaffEndReason | undefined;
  if (staff.stopped_at || staff.disabled_at) reason = 'stopped';
  else {
    const end = lifetimeEnd(deps, session);
    if (now.getTime() >= end.at) reason = end.reason;
  }
  if (reason) {
    await endStaffSession(deps.db, session.id, reason, now);
    return { ended: reason };
  }
  await deps.db.updateTable('staff_session').set({ last_seen_at: now }).where('id', '=', session.id).execute();
  return { live: { session: { ...session, last_seen_at: now }, staff } };
}

function reviveStaff(json: Record<string, unknown>): Staff {
  const staff = { ...json };
  for (const key of ['stopped_at', 'disabled_at', 'created_at']) {
    if (typeof staff[key] === 'string') staff[key] = new Date(staff[key]);
  }
  staff.totp_last_step = BigInt(staff.totp_last_step as number | string);
  return staff as unknown as Staff;
}

export async function endStaffSession(executor: Executor, sessionId: string, reason: StaffEndReason, now: Date): Promise<void> {
  await executor.updateTable('staff_session').set({ ended_at: now, end_reason: reason }).where('id', '=', sessionId).where('ended_at', 'is', null).execute();
}

export async function endStaffSessionsOf(executor: Executor, staffRef: number, reason: StaffEndReason, now: Date): Promise<void> {
  await executor.updateTable('staff_session').set({ ended_at: now, end_reason: reason }).where('staff_ref', '=', staffRef).where('ended_at', 'is', null).execute();
}
