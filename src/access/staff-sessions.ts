import { sql } from 'kysely';
import type { Deps } from '../deps.ts';
import type { Executor } from '../db/transaction.ts';
import type { Selectable } from 'kysely';
import type { Staff, StaffSessionTable } from '../db/schema.ts';
import { lifetimeEnd, lifetimeEndedSql, newSessionToken, readSessionToken, type LifetimeRule } from './session-token.ts';

/**
 * Sessions of the bank's staff, in their own table (never the customers'), so a customer's session
 * can never open the console and a staff session never opens the portal. The cookie holds
 * `id.secret`; only the secret's hash is stored (house rule 7).
 */
export type StaffSession = Selectable<StaffSessionTable>;
export type StaffStage = StaffSession['stage'];
export type StaffEndReason = 'idle' | 'absolute' | 'superseded' | 'stopped' | 'logout' | 'expired' | 'rotated' | 'clock';

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
  const { id, secretHash, csrfToken, token } = newSessionToken(deps.random);
  const now = deps.clock.now();
  const session = await executor
    .insertInto('staff_session')
    .values({
      id,
      secret_hash: secretHash,
      staff_ref: init.staff.id,
      stage: init.stage,
      csrf_token: csrfToken,
      ip: init.ip,
      created_at: now,
      last_seen_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return { token, session };
}

/** Password accepted, authenticator code still to come: the pending stage. */
function lifetimeRule(deps: Deps): LifetimeRule {
  return {
    pendingStage: 'totp',
    pendingSeconds: staffPendingLogonSeconds,
    idleSeconds: deps.config.operatorSessionIdleSeconds,
    absoluteSeconds: deps.config.operatorSessionAbsoluteSeconds,
  };
}

/** Seconds until the session ends by itself, for the page's automatic return to the logon. */
export function staffSecondsLeft(deps: Deps, session: StaffSession): number {
  return Math.max(0, Math.floor((lifetimeEnd(session, lifetimeRule(deps)).at - deps.clock.now().getTime()) / 1000));
}

/**
 * The live session a cookie names, marked seen; a session past its idle or absolute end, or whose
 * member has been stopped or disabled since, is ended here and reported with its reason. As for the
 * customers' sessions, whether it lives is decided once, in the statement that marks it seen.
 */
export async function resumeStaffSession(deps: Deps, token: string | undefined): Promise<StaffSessionLookup> {
  const named = readSessionToken(token);
  if (!named) return { ended: undefined };
  const now = deps.clock.now();
  const lifetimeEnded = lifetimeEndedSql('staff_session', lifetimeRule(deps), now);
  const { rows } = await sql<StaffSession & { staff_json: Record<string, unknown>; end_now: StaffEndReason | null; touched: boolean }>`
    WITH found AS (
      SELECT staff_session.*, to_jsonb(staff.*) AS staff_json,
        CASE
          WHEN staff_session.ended_at IS NOT NULL THEN NULL
          WHEN staff.stopped_at IS NOT NULL OR staff.disabled_at IS NOT NULL THEN 'stopped'
          ELSE ${lifetimeEnded}
        END AS end_now
      FROM staff_session JOIN staff ON staff.id = staff_session.staff_ref
      WHERE staff_session.id = ${named.id} AND staff_session.secret_hash = ${named.secretHash}
    ), touched AS (
      UPDATE staff_session SET last_seen_at = greatest(staff_session.last_seen_at, ${now}) FROM found
      WHERE staff_session.id = found.id AND found.ended_at IS NULL AND found.end_now IS NULL AND staff_session.ended_at IS NULL
      RETURNING staff_session.id
    )
    SELECT found.*, EXISTS (SELECT 1 FROM touched) AS touched FROM found`.execute(deps.db);
  const found = rows[0];
  if (!found) return { ended: undefined };
  const { staff_json, end_now, touched, ...session } = found;
  if (session.ended_at) return { ended: session.end_reason as StaffEndReason };
  if (end_now) {
    await endStaffSession(deps.db, session.id, end_now, now);
    return { ended: end_now };
  }
  if (!touched) {
    const stored = await deps.db.selectFrom('staff_session').select('end_reason').where('id', '=', session.id).executeTakeFirst();
    return { ended: (stored?.end_reason ?? undefined) as StaffEndReason | undefined };
  }
  return { live: { session: { ...session, last_seen_at: now }, staff: reviveStaff(staff_json) } };
}

function reviveStaff(json: Record<string, unknown>): Staff {
  const staff = { ...json };
  for (const key of ['stopped_at', 'disabled_at', 'created_at', 'password_changed_at']) {
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
