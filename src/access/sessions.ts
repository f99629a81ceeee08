import { sql, type RawBuilder } from 'kysely';
import type { Deps } from '../deps.ts';
import type { Executor, Tx } from '../db/transaction.ts';
import type { GatedAppend } from '../audit/audit-trail.ts';
import type { Business, Contract, LogonMethod, Session, SessionStage, User } from '../db/schema.ts';
import { mayAdminister } from '../domain/permissions.ts';
import { inFlightAfterOutcome, type AttemptReservation } from './attempts.ts';
import { finalisesPaymentsSql } from './email-otp/otp-address.ts';
import { needsTokenSql, usableTokenSql } from './hardware-token/standing.ts';
import { usableGridCardSql } from './grid-card-standing.ts';
import { lifetimeEnd, lifetimeEndedSql, newSessionToken, readSessionToken, type LifetimeRule } from './session-token.ts';

/**
 * Sessions live in PostgreSQL (R7.1), so every service process sees the same ones. The cookie holds
 * `id.secret`; only a hash of the secret is stored (house rule 7).
 */
export const pendingLogonSeconds = 300;

/**
 * Why a session ended; the logon page tells the person (`credentials` — a password or card replaced
 * for them; `certificate` — the certificate the session is bound to was not presented, or is revoked
 * or expired; `certificate_required` — a session without a certificate for a contract that uses them;
 * `clock` — the service's clock stepped back past the session's last use, see lifetimeEndedSql).
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
  | 'certificate_required'
  | 'clock';

export interface LiveSession {
  session: Session;
  user: User;
  contract: Contract;
  /**
   * R1.4: the person may administer users (the master, or an admin user): the rule itself
   * (mayAdminister) asked on the person and heldSteps as the session's statement read them, so the
   * menu can offer 利用者管理 without another query; the users pages check the rule themselves.
   * Like heldSteps, meant only for an active session (an admin user's holdings are not read at other
   * stages).
   */
  mayAdminister: boolean;
  /**
   * R5.1: the person can finalise payments and has no confirmed OTP address yet: the pages hold them
   * at its registration until there is one. Read with the session, so it follows a permission change
   * at the next request.
   */
  needsOtpAddress: boolean;
  /**
   * R6.3, R6.4: the person has an operation that needs a token and no usable token activated, and
   * has not skipped the activation page in this session: the pages offer it before anything else.
   */
  needsTokenActivation: boolean;
  /**
   * R1.4: the steps of each business the person holds, read with the session for the menu (only
   * entries they may use are shown), as fresh as the session's own row. Pages that act on a business
   * still check its grant themselves, in the statement that acts. Read only for an active session:
   * no other stage shows the menu (pageStageOf).
   */
  heldSteps: readonly HeldSteps[];
  /**
   * R3.2: for a logon at its grid step, the challenge pinned to it when still open and its card
   * still usable — the cells the page shows, read with the session; undefined otherwise (the step
   * then draws or finds one, src/modules/logon/grid-challenge.ts).
   */
  shownChallenge: ShownChallenge | undefined;
}

export interface ShownChallenge {
  id: number;
  /** As stored (grid_challenge.cells). */
  cells: string;
  cardSerial: string;
}

export interface HeldSteps {
  business: Business;
  register: boolean;
  approve: boolean;
  send: boolean;
}

export type SessionLookup = { live: LiveSession } | { ended: EndReason | undefined };

/** Opens a session. */
export async function createSession(deps: Deps, executor: Executor, init: SessionInit): Promise<{ token: string; session: Session }> {
  const { token, values } = newSessionRow(deps, init);
  const session = await executor.insertInto('session').values(values).returningAll().executeTakeFirstOrThrow();
  return { token, session };
}

/**
 * Opens a session in the same statement as the writes that decide whether it opens (a logon's
 * steps: one round trip fewer). `after` is a list of data-modifying CTEs, one of them named
 * `person`, which returns the person's row (its `id`) when the session is to open: no row, no
 * session, and undefined.
 */
export async function createSessionAfter(
  deps: Deps,
  executor: Executor,
  init: SessionInit,
  after: RawBuilder<unknown>,
  options: {
    /** The grid challenge the new session shows (R3.2), as an expression over `after`'s CTEs; none by default. */
    pinnedChallenge?: RawBuilder<number | null>;
    /**
     * The audit record of the session's opening, appended by the same statement when the session
     * opens (a gatedAppend on `person`, decision 0031); the executor is then a transaction.
     */
    append?: GatedAppend;
  } = {},
): Promise<{ token: string; session: Session } | undefined> {
  const { token, values } = newSessionRow(deps, init);
  const { pinnedChallenge = sql`NULL`, append } = options;
  const result = await sql<Session & Record<string, unknown>>`
    WITH RECURSIVE ${after}${append ? sql`, ${append.ctes}` : sql``}
    INSERT INTO session (id, secret_hash, user_ref, contract_id, stage, logon_method, csrf_token, ip, created_at, last_seen_at, client_certificate_id, grid_challenge_id)
    SELECT ${values.id}, ${values.secret_hash}, person.id, ${values.contract_id}, ${values.stage}, ${values.logon_method},
           ${values.csrf_token}, ${values.ip}, ${values.created_at}, ${values.last_seen_at}, ${values.client_certificate_id}::integer, (${pinnedChallenge})::integer
    FROM person
    RETURNING session.*${append ? sql`, ${append.columns}` : sql``}`.execute(executor);
  const row = result.rows[0];
  if (!row) return undefined;
  if (append) await append.appended(executor as Tx, row);
  const appendColumns = new Set(append?.columnNames);
  const session = Object.fromEntries(Object.entries(row).filter(([column]) => !appendColumns.has(column))) as unknown as Session;
  return { token, session };
}

/** The condition of a gatedAppend that records the opening of the session createSessionAfter opens. */
export const sessionOpens = sql<boolean>`EXISTS (SELECT 1 FROM person)`;

/**
 * The `after` of a password step's session (createSessionAfter): gives back the lockout attempt the
 * step reserved (see releaseAttempt in attempts.ts). The person's row exists (the caller holds it).
 */
export function releasingAttempt(user: User, reservation: AttemptReservation): RawBuilder<unknown> {
  return sql`person AS (UPDATE users SET attempts_in_flight = ${inFlightAfterOutcome(reservation)} WHERE id = ${user.id} RETURNING id)`;
}

export interface SessionInit {
  user: User;
  stage: SessionStage;
  method: LogonMethod;
  ip: string;
  clientCertificateId?: number | null;
}

function newSessionRow(deps: Deps, init: SessionInit) {
  const { id, secretHash, csrfToken, token } = newSessionToken(deps.random);
  const now = deps.clock.now();
  const values = {
    id,
    secret_hash: secretHash,
    user_ref: init.user.id,
    contract_id: init.user.contract_id,
    stage: init.stage,
    logon_method: init.method,
    csrf_token: csrfToken,
    ip: init.ip,
    created_at: now,
    last_seen_at: now,
    // R4.1: bound to the certificate it was opened with; no other certificate can use it.
    client_certificate_id: init.clientCertificateId ?? null,
  };
  return { token, values };
}

/**
 * R7.1: how stale a session's `last_seen_at` may be before a page writes it again. Writing it on
 * every page made every page a write (a row version, WAL and a commit's flush) for a moment that
 * changes nothing a second later. A page now writes it only when it is older than this, so a
 * session idle for `sessionIdleSeconds` after its last page ends at most this much earlier than
 * that, never later: the idle end is kept within the resolution, on the safe side. A twentieth of
 * the idle time at most, so a short configured idle time keeps its meaning (decision 0030).
 */
export const sessionSeenResolutionSeconds = 15;

export function seenResolutionSeconds(idleSeconds: number): number {
  return Math.min(sessionSeenResolutionSeconds, Math.floor(idleSeconds / 20));
}

/** A logon that stopped halfway (grid card not yet answered) gets a short life of its own. */
function lifetimeRule(deps: Deps): LifetimeRule {
  return { pendingStage: 'grid', pendingSeconds: pendingLogonSeconds, idleSeconds: deps.config.sessionIdleSeconds, absoluteSeconds: deps.config.sessionAbsoluteSeconds };
}

/**
 * Finds the live session a cookie names and marks it seen. A session past its idle or absolute
 * end, or whose person or contract has been stopped, is ended here and reported with its reason,
 * so the page can tell the person why. `certificateFingerprint` is the SHA-256 of the client
 * certificate presented with this request (undefined: none): a session bound to a certificate
 * lives only while that very certificate is presented and valid (R4.1, R4.5), so a cookie
 * replayed from another PC ends it. Pages call it through resumeRequestSession (./request-session.ts).
 */
export async function resumeSession(deps: Deps, token: string | undefined, certificateFingerprint?: string): Promise<SessionLookup> {
  const named = readSessionToken(token);
  if (!named) return { ended: undefined };
  const now = deps.clock.now();
  const found = await judgeAndTouch(deps, named.id, named.secretHash, certificateFingerprint, now);
  if (!found) return { ended: undefined };
  const { user_json, contract_json, needs_otp_address, needs_token_activation, held_steps, shown_challenge, end_now, touched, seen_recently, ...session } = found;
  if (session.ended_at) return { ended: session.end_reason as EndReason };
  if (end_now) {
    await endSession(deps.db, session.id, end_now, now);
    return { ended: end_now };
  }
  // Judged live, but ended by another request in between: what that request recorded.
  if (!touched && !seen_recently) return { ended: await storedEndReason(deps, session.id) };
  const user = reviveDates(user_json) as User;
  const administers = mayAdminister({ role: user.role, status: user.status, stopped: user.stopped_at !== null, grants: held_steps });
  return {
    live: { session: { ...session, last_seen_at: touched ? now : session.last_seen_at }, user, contract: reviveDates(contract_json) as Contract, mayAdminister: administers, needsOtpAddress: needs_otp_address, needsTokenActivation: needs_token_activation, heldSteps: held_steps, shownChallenge: shown_challenge ?? undefined },
  };
}

/**
 * Whether a session lives is decided here, once, in the one statement every page runs: its secret,
 * its stored end, its person's and contract's standing (isBlocked in SQL), its lifetime, and its
 * client certificate (R4.1: a bound session needs that very certificate, valid; an unbound one may
 * not be active in a contract that uses certificates). The statement marks a live session seen and
 * returns why any other has ended; a session seen within the resolution above is judged but not
 * written (`seen_recently`). The secret is matched by its SHA-256: comparing digests of a
 * 256-bit random secret reveals nothing that helps to find it.
 */
async function judgeAndTouch(deps: Deps, id: string, secretHash: string, fingerprint: string | undefined, now: Date) {
  const lifetimeEnded = lifetimeEndedSql('session', lifetimeRule(deps), now);
  const seenAfter = new Date(now.getTime() - seenResolutionSeconds(deps.config.sessionIdleSeconds) * 1000);
  const { rows } = await sql<Session & { user_json: User; contract_json: Contract; needs_otp_address: boolean; needs_token_activation: boolean; held_steps: HeldSteps[]; shown_challenge: ShownChallenge | null; end_now: EndReason | null; touched: boolean; seen_recently: boolean }>`
    WITH found AS (
      SELECT session.*, to_jsonb(users.*) AS user_json, to_jsonb(contract.*) AS contract_json,
        -- What only an active session's pages ask (pageStageOf, the menu): a logon's steps skip it.
        session.stage = 'active' AND users.otp_email_confirmed_at IS NULL AND ${finalisesPaymentsSql(sql.ref('users.id'))} AS needs_otp_address,
        session.stage = 'active' AND NOT session.token_prompt_skipped AND NOT ${usableTokenSql(sql.ref('users.token_serial'), sql.ref('users.contract_id'), now)}
          AND ${needsTokenSql(sql.ref('users.id'), sql.ref('users.contract_id'))} AS needs_token_activation,
        CASE WHEN session.stage = 'active' THEN (
          SELECT coalesce(jsonb_agg(jsonb_build_object('business', p.business, 'register', p.can_register, 'approve', p.can_approve, 'send', p.can_send)), '[]')
          FROM user_permission p WHERE p.user_ref = users.id
        ) ELSE '[]' END AS held_steps,
        CASE WHEN session.stage = 'grid' THEN (
          SELECT jsonb_build_object('id', shown.id, 'cells', shown.cells, 'cardSerial', card.serial)
          FROM grid_challenge shown JOIN grid_card card ON card.id = shown.card_id
          WHERE shown.id = session.grid_challenge_id AND shown.answered_at IS NULL AND card.user_ref = users.id AND ${usableGridCardSql('card', now)}
        ) END AS shown_challenge,
        CASE
          WHEN session.ended_at IS NOT NULL THEN NULL
          WHEN users.stopped_at IS NOT NULL OR users.status <> 'active' OR contract.stopped_at IS NOT NULL THEN 'stopped'
          ELSE coalesce(${lifetimeEnded}, CASE
            WHEN session.client_certificate_id IS NOT NULL
              AND NOT coalesce(client_certificate.fingerprint_sha256 = ${fingerprint ?? null}::text
                AND client_certificate.revoked_at IS NULL AND client_certificate.not_after >= ${now}, false) THEN 'certificate'
            WHEN session.client_certificate_id IS NULL AND session.stage = 'active' AND contract.certificate_required THEN 'certificate_required'
          END)
        END AS end_now
      FROM session
      JOIN users ON users.id = session.user_ref
      JOIN contract ON contract.id = session.contract_id
      LEFT JOIN client_certificate ON client_certificate.id = session.client_certificate_id
      WHERE session.id = ${id} AND session.secret_hash = ${secretHash}
    ), touched AS (
      UPDATE session SET last_seen_at = greatest(session.last_seen_at, ${now}) FROM found
      WHERE session.id = found.id AND found.ended_at IS NULL AND found.end_now IS NULL AND session.ended_at IS NULL
        AND found.last_seen_at <= ${seenAfter}
      RETURNING session.id
    )
    SELECT found.*, EXISTS (SELECT 1 FROM touched) AS touched, found.last_seen_at > ${seenAfter} AS seen_recently FROM found`.execute(deps.db);
  return rows[0];
}

async function storedEndReason(deps: Deps, id: string): Promise<EndReason | undefined> {
  const row = await deps.db.selectFrom('session').select('end_reason').where('id', '=', id).executeTakeFirst();
  return (row?.end_reason ?? undefined) as EndReason | undefined;
}

const timestampColumns = /_at$/;
function reviveDates(json: unknown): unknown {
  const record = json as Record<string, unknown>;
  for (const [key, value] of Object.entries(record)) {
    if (timestampColumns.test(key) && typeof value === 'string') record[key] = new Date(value);
  }
  return record;
}

/** Ends the live sessions a column names (one session, one person's, a contract's) with the reason the logon page shows. */
async function endLiveSessions(executor: Executor, column: 'id' | 'user_ref' | 'contract_id', value: string | number, reason: EndReason, now: Date): Promise<void> {
  await executor.updateTable('session').set({ ended_at: now, end_reason: reason }).where(column, '=', value).where('ended_at', 'is', null).execute();
}

export function endSession(executor: Executor, sessionId: string, reason: EndReason, now: Date): Promise<void> {
  return endLiveSessions(executor, 'id', sessionId, reason, now);
}

/**
 * A completed logon ends the pending session it came from (rotated: a fresh id, R7.1) and every
 * other live session of the person (one live session per person), in one statement — a part of
 * the statement that completes the logon (src/modules/logon/grid-challenge.ts).
 */
export function endSessionsAtLogonQuery(executor: Executor, userRef: number, pendingSessionId: string, now: Date) {
  return executor
    .updateTable('session')
    .set({
      ended_at: now,
      end_reason: sql<string>`CASE WHEN id = ${pendingSessionId} THEN 'rotated' ELSE 'superseded' END`,
    })
    .where('user_ref', '=', userRef)
    .where('ended_at', 'is', null);
}

/** Ends every live session of one person (a stop, or a new logon: one live session per person, R7.1). */
export function endSessionsOfUser(executor: Executor, userRef: number, reason: EndReason, now: Date): Promise<void> {
  return endLiveSessions(executor, 'user_ref', userRef, reason, now);
}

export function endSessionsOfContract(executor: Executor, contractId: string, reason: EndReason, now: Date): Promise<void> {
  return endLiveSessions(executor, 'contract_id', contractId, reason, now);
}

/** Seconds until the idle end, for the page's warning. */
export function secondsLeft(deps: Deps, session: Session): number {
  return Math.max(0, Math.floor((lifetimeEnd(session, lifetimeRule(deps)).at - deps.clock.now().getTime()) / 1000));
}
