import { sql, type RawBuilder } from 'kysely';
import type { Random } from '../platform/random.ts';
import { sha256Hex } from '../crypto/compare.ts';
import { randomToken } from '../platform/random.ts';

/**
 * A session cookie holds `id.secret` (house rule 7): the id finds the row, the secret proves the
 * holder; only the secret's SHA-256 is stored. Customers' and staff sessions are made and read the
 * same way, in tables of their own.
 */
export interface NewSessionToken {
  id: string;
  secretHash: string;
  csrfToken: string;
  /** What the cookie carries. */
  token: string;
}

export function newSessionToken(random: Random): NewSessionToken {
  const id = randomToken(random, 16);
  const secret = randomToken(random, 32);
  return { id, secretHash: sha256Hex(secret), csrfToken: randomToken(random, 24), token: `${id}.${secret}` };
}

/** The id and the secret's hash a cookie names; undefined for anything that is not a token of ours. */
export function readSessionToken(token: string | undefined): { id: string; secret: string; secretHash: string } | undefined {
  const match = token ? /^([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/.exec(token) : null;
  if (!match) return undefined;
  const [, id, secret] = match as unknown as [string, string, string];
  return { id, secret, secretHash: sha256Hex(secret) };
}

/**
 * When a session ends by itself: a session halfway through its logon (`pendingStage`) has a short
 * life of its own; otherwise it ends when idle or at its absolute end, whichever comes first.
 */
export interface LifetimeRule {
  pendingStage: string;
  pendingSeconds: number;
  idleSeconds: number;
  absoluteSeconds: number;
}

interface Timed {
  stage: string;
  created_at: Date;
  last_seen_at: Date;
}

/** When the session ends by itself, and the reason it will then have; for the page's countdown. */
export function lifetimeEnd(session: Timed, rule: LifetimeRule): { reason: 'expired' | 'idle' | 'absolute'; at: number } {
  if (session.stage === rule.pendingStage) return { reason: 'expired', at: session.created_at.getTime() + rule.pendingSeconds * 1000 };
  const idleEnd = session.last_seen_at.getTime() + rule.idleSeconds * 1000;
  const absoluteEnd = session.created_at.getTime() + rule.absoluteSeconds * 1000;
  return idleEnd <= absoluteEnd ? { reason: 'idle', at: idleEnd } : { reason: 'absolute', at: absoluteEnd };
}

/**
 * How far a session's own times may lie after `now` before the clock is taken to have stepped
 * back: processes whose clocks agree to within a second or two (NTP) never come near it.
 */
export const clockStepToleranceSeconds = 5;

/**
 * Whether the session has ended by `now`, decided in the statement that resumes it: the reason of
 * lifetimeEnd once its time has come, NULL while the session lives. Both session tables have the
 * columns it reads. A session seen or made later than `now` (beyond clockStepToleranceSeconds)
 * ends as `clock`: the service's clock has stepped back, so how long the session has been idle
 * cannot be told, and a session whose idle end had passed must not open again (R7.1).
 */
export function lifetimeEndedSql(table: 'session' | 'staff_session', rule: LifetimeRule, now: Date): RawBuilder<string | null> {
  const column = (name: 'stage' | 'created_at' | 'last_seen_at') => sql.ref(`${table}.${name}`);
  const before = (seconds: number) => new Date(now.getTime() - seconds * 1000);
  const latestPossible = new Date(now.getTime() + clockStepToleranceSeconds * 1000);
  return sql<string | null>`CASE
    WHEN ${column('last_seen_at')} > ${latestPossible} OR ${column('created_at')} > ${latestPossible} THEN 'clock'
    WHEN ${column('stage')} = ${rule.pendingStage} THEN CASE WHEN ${column('created_at')} <= ${before(rule.pendingSeconds)} THEN 'expired' END
    WHEN ${column('last_seen_at')} <= ${before(rule.idleSeconds)} OR ${column('created_at')} <= ${before(rule.absoluteSeconds)} THEN
      CASE WHEN ${column('last_seen_at')} - ${column('created_at')} <= make_interval(secs => ${rule.absoluteSeconds - rule.idleSeconds}::double precision)
           THEN 'idle' ELSE 'absolute' END
  END`;
}
