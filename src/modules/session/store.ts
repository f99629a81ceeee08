import { sql } from 'kysely';
import type { Deps } from '../../deps.ts';
import type { Executor } from '../../db/transaction.ts';
import type { Contract, LogonMethod, Session, SessionStage, User } from '../../db/schema.ts';
import { secretsEqual, sha256Hex } from '../../crypto/compare.ts';
import { randomToken } from '../../platform/random.ts';
import { isBlocked } from '../logon/lockout.ts';

/**
 * Sessions live in PostgreSQL (R7.1), so every service process sees the same ones. The cookie holds
 * `id.secret`; only a hash of the secret is stored (house rule 7).
 */
export const pendingLogonSeconds = 300;

/**
 * Why a session ended; the logon page tells the person (`credentials` — a password or card replaced
 * for them; `certificate` — the certificate the session is bound to was not presented, or is revoked
 * or expired; `certificate_required` — a session without a certificate for a contract that uses them).
 */
export type EndReason =
  | 'idle'
  | 'absolute'
  | 'superseded'
  | 'stopped'
  | 'credentials'
  | 'logout'
  | 'expired'
  | 'rotated'
  | 'certificate'
  | 'certificate_required';

export interface LiveSession {
  session: Session;
  user: User;
  contract: Contract;
  /**
   * R1.4: the person may administer users (the master, or an admin user). Read with the session so
   * the menu can offer 利用者管理 without another query; the users pages check the rule themselves.
   */
  mayAdminister: boolean;
}

export type SessionLookup = { live: LiveSession } | { ended: EndReason | undefined };

/**
 * Opens a session. With `releasingAttempt`, the same statement gives back the lockout attempt the
 * password step reserved (see releaseAttempt in ../logon/lockout.ts): a logon's password step is
 * one round trip fewer.
 */
export async function createSession(
  deps: Deps,
  executor: Executor,
  init: { user: User; stage: SessionStage; method: LogonMethod; ip: string; releasingAttempt?: boolean; clientCertificateId?: number | null },
): Promise<{ token: string; session: Session }> {
  const id = randomToken(deps.random, 16);
  const secret = randomToken(deps.random, 32);
  const now = deps.clock.now();
  const values = {
    id,
    secret_hash: sha256Hex(secret),
    user_ref: init.user.id,
    contract_id: init.user.contract_id,
    stage: init.stage,
    logon_method: init.method,
    csrf_token: randomToken(deps.random, 24),
    ip: init.ip,
    created_at: now,
    last_seen_at: now,
    // R4.1: bound to the certificate it was opened with; no other certificate can use it.
    client_certificate_id: init.clientCertificateId ?? null,
  };
  if (!init.releasingAttempt) {
    const session = await executor.insertInto('session').values(values).returningAll().executeTakeFirstOrThrow();
    return { token: `${id}.${secret}`, session };
  }
  const result = await sql<Session>`
    WITH released AS (
      UPDATE users SET failed_attempts = greatest(failed_attempts - 1, 0) WHERE id = ${init.user.id} RETURNING id
    )
    INSERT INTO session (id, secret_hash, user_ref, contract_id, stage, logon_method, csrf_token, ip, created_at, last_seen_at, client_certificate_id)
    SELECT ${values.id}, ${values.secret_hash}, released.id, ${values.contract_id}, ${values.stage}, ${values.logon_method},
           ${values.csrf_token}, ${values.ip}, ${values.created_at}, ${values.last_seen_at}, ${values.client_certificate_id}::integer
    FROM released
    RETURNING *`.execute(executor);
  return { token: `${id}.${secret}`, session: result.rows[0]! };
}

function lifetimeEnd(deps: Deps, session: Session): { reason: EndReason; at: number } {
  const { sessionIdleSeconds, sessionAbsoluteSeconds } = deps.config;
  // A logon that stopped halfway (grid card not yet answered) gets a short life of its own.
  if (session.stage === 'grid') return { reason: 'expired', at: session.created_at.getTime() + pendingLogonSeconds * 1000 };
  const idleEnd = session.last_seen_at.getTime() + sessionIdleSeconds * 1000;
  const absoluteEnd = session.created_at.getTime() + sessionAbsoluteSeconds * 1000;
  return idleEnd <= absoluteEnd ? { reason: 'idle', at: idleEnd } : { reason: 'absolute', at: absoluteEnd };
}

/**
 * Finds the live session a cookie names and marks it seen. A session past its idle or absolute
 * end, or whose person or contract has been stopped, is ended here and reported with its reason,
 * so the page can tell the person why. `certificateFingerprint` is the SHA-256 of the client
 * certificate presented with this request (undefined: none): a session bound to a certificate
 * lives only while that very certificate is presented and valid (R4.1, R4.5), so a cookie
 * replayed from another PC ends it. Pages call it through resumeRequestSession (./request.ts).
 */
export async function resumeSession(deps: Deps, token: string | undefined, certificateFingerprint?: string): Promise<SessionLookup> {
  const match = token ? /^([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/.exec(token) : null;
  if (!match) return { ended: undefined };
  const [, id, secret] = match as unknown as [string, string, string];
  const now = deps.clock.now();
  const live = await touchLiveSession(deps, id, sha256Hex(secret), certificateFingerprint, now);
  if (live) return { live };
  return { ended: await whySessionEnded(deps, id, secret, certificateFingerprint, now) };
}

/**
 * Every page asks this, so it is one statement: the session is marked seen only if its secret,
 * its lifetime and its person's standing all hold. The secret is matched by its SHA-256 here:
 * comparing digests of a 256-bit random secret reveals nothing that helps to find it.
 */
async function touchLiveSession(deps: Deps, id: string, secretHash: string, fingerprint: string | undefined, now: Date): Promise<LiveSession | undefined> {
  const { sessionIdleSeconds, sessionAbsoluteSeconds } = deps.config;
  const seconds = (n: number) => new Date(now.getTime() - n * 1000);
  const row = await sql<Session & { user_json: User; contract_json: Contract; may_administer: boolean }>`
    UPDATE session SET last_seen_at = ${now}
    FROM users, contract
    WHERE session.id = ${id} AND session.secret_hash = ${secretHash} AND session.ended_at IS NULL
      AND users.id = session.user_ref AND contract.id = session.contract_id
      AND users.stopped_at IS NULL AND users.status = 'active' AND contract.stopped_at IS NULL
      AND CASE WHEN session.stage = 'grid' THEN session.created_at > ${seconds(pendingLogonSeconds)}
               ELSE session.last_seen_at > ${seconds(sessionIdleSeconds)} AND session.created_at > ${seconds(sessionAbsoluteSeconds)} END
      AND CASE WHEN session.client_certificate_id IS NULL THEN session.stage <> 'active' OR NOT contract.certificate_required
               ELSE EXISTS (
                 SELECT 1 FROM client_certificate
                 WHERE client_certificate.id = session.client_certificate_id
                   AND client_certificate.fingerprint_sha256 = ${fingerprint ?? null}::text
                   AND client_certificate.revoked_at IS NULL AND client_certificate.not_after >= ${now}) END
    RETURNING session.*, to_jsonb(users.*) AS user_json, to_jsonb(contract.*) AS contract_json,
      users.role = 'master' OR EXISTS (
        SELECT 1 FROM user_permission WHERE user_permission.user_ref = users.id AND user_permission.business = 'user_admin'
      ) AS may_administer`.execute(deps.db);
  const found = row.rows[0];
  if (!found) return undefined;
  const { user_json, contract_json, may_administer, ...session } = found;
  return { session, user: reviveDates(user_json) as User, contract: reviveDates(contract_json) as Contract, mayAdminister: may_administer };
}

/** The slow path, for a cookie that did not resume: which reason to show, ending the session with it. */
async function whySessionEnded(deps: Deps, id: string, secret: string, fingerprint: string | undefined, now: Date): Promise<EndReason | undefined> {
  const row = await deps.db
    .selectFrom('session')
    .innerJoin('users', 'users.id', 'session.user_ref')
    .innerJoin('contract', 'contract.id', 'session.contract_id')
    .leftJoin('client_certificate', 'client_certificate.id', 'session.client_certificate_id')
    .selectAll('session')
    .select([
      sql<User>`to_jsonb(users.*)`.as('user_json'),
      sql<Contract>`to_jsonb(contract.*)`.as('contract_json'),
      'client_certificate.fingerprint_sha256',
      'client_certificate.revoked_at as certificate_revoked_at',
      'client_certificate.not_after as certificate_not_after',
    ])
    .where('session.id', '=', id)
    .executeTakeFirst();
  if (!row || !secretsEqual(row.secret_hash, sha256Hex(secret))) return undefined;
  const { user_json, contract_json, fingerprint_sha256, certificate_revoked_at, certificate_not_after, ...session } = row;
  if (session.ended_at) return session.end_reason as EndReason;
  const contract = reviveDates(contract_json) as Contract;
  const lifetime = lifetimeEnd(deps, session);
  let reason: EndReason = lifetime.reason;
  if (isBlocked(reviveDates(user_json) as User, contract)) reason = 'stopped';
  else if (lifetime.at > now.getTime()) {
    if (session.client_certificate_id !== null) {
      const certificateHolds = fingerprint_sha256 === fingerprint && certificate_revoked_at === null
        && certificate_not_after !== null && certificate_not_after.getTime() >= now.getTime();
      if (!certificateHolds) reason = 'certificate';
    } else if (session.stage === 'active' && contract.certificate_required) {
      reason = 'certificate_required';
    }
  }
  await endSession(deps.db, session.id, reason, now);
  return reason;
}

const timestampColumns = /_at$/;
function reviveDates(json: unknown): unknown {
  const record = json as Record<string, unknown>;
  for (const [key, value] of Object.entries(record)) {
    if (timestampColumns.test(key) && typeof value === 'string') record[key] = new Date(value);
  }
  return record;
}

export async function endSession(executor: Executor, sessionId: string, reason: EndReason, now: Date): Promise<void> {
  await executor
    .updateTable('session')
    .set({ ended_at: now, end_reason: reason })
    .where('id', '=', sessionId)
    .where('ended_at', 'is', null)
    .execute();
}

/**
 * A completed logon ends the pending session it came from (rotated: a fresh id, R7.1) and every
 * other live session of the person (one live session per person), in one statement.
 */
export async function endSessionsAtLogon(executor: Executor, userRef: number, pendingSessionId: string, now: Date): Promise<void> {
  await executor
    .updateTable('session')
    .set({
      ended_at: now,
      end_reason: sql<string>`CASE WHEN id = ${pendingSessionId} THEN 'rotated' ELSE 'superseded' END`,
    })
    .where('user_ref', '=', userRef)
    .where('ended_at', 'is', null)
    .execute();
}

/** Ends every live session of one person (a stop, or a new logon: one live session per person, R7.1). */
export async function endSessionsOfUser(executor: Executor, userRef: number, reason: EndReason, now: Date): Promise<void> {
  await executor
    .updateTable('session')
    .set({ ended_at: now, end_reason: reason })
    .where('user_ref', '=', userRef)
    .where('ended_at', 'is', null)
    .execute();
}

export async function endSessionsOfContract(executor: Executor, contractId: string, reason: EndReason, now: Date): Promise<void> {
  await executor
    .updateTable('session')
    .set({ ended_at: now, end_reason: reason })
    .where('contract_id', '=', contractId)
    .where('ended_at', 'is', null)
    .execute();
}

/** Seconds until the idle end, for the page's warning. */
export function secondsLeft(deps: Deps, session: Session): number {
  return Math.max(0, Math.floor((lifetimeEnd(deps, session).at - deps.clock.now().getTime()) / 1000));
}
