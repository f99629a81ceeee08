import { sql, type RawBuilder } from 'kysely';
import type { Deps } from '../../deps.ts';
import type { Executor } from '../../db/transaction.ts';
import type { GridCard, User } from '../../db/schema.ts';
import { customerHolder, inFlightAfterOutcome, reservationOf, reserveCustomerAttemptQuery, type AttemptReservation, type TriedReservation } from '../../access/attempts.ts';
import { endSessionsAtLogonQuery } from '../../access/sessions.ts';
import { usableGridCardSql } from '../../access/grid-card-standing.ts';
import { newChallenge, parseCells, serializeCells, type GridCell, gridCardAssociatedData } from '../../auth/grid-card.ts';

/**
 * R3.2: the open challenge of the person's usable card, or a new one, as CTEs of a statement:
 * `chosen` returns it (none without a card). The same cells are shown again until answered
 * correctly, so asking again never reveals more of the card. The partial unique index makes two
 * statements at once agree on one challenge: the one that loses the insert returns none, and its
 * caller reads the winner's on a second try.
 */
export function drawingChallenge(deps: Deps, userRef: number, now: Date): RawBuilder<unknown> {
  return sql`card AS (
        SELECT id, serial FROM grid_card WHERE user_ref = ${userRef} AND ${usableGridCardSql('grid_card', now)}
      ), open AS (
        SELECT grid_challenge.id, grid_challenge.cells FROM grid_challenge JOIN card ON grid_challenge.card_id = card.id
        WHERE grid_challenge.answered_at IS NULL
      ), drawn AS (
        INSERT INTO grid_challenge (card_id, cells, created_at)
        SELECT card.id, ${serializeCells(newChallenge(deps.random))}, ${now} FROM card WHERE NOT EXISTS (SELECT 1 FROM open)
        ON CONFLICT (card_id) WHERE answered_at IS NULL DO NOTHING
        RETURNING id, cells
      ), chosen AS (
        SELECT id, cells FROM open UNION ALL SELECT id, cells FROM drawn
      )`;
}

/** The challenge drawingChallenge chose, for the session that shows it (createSessionAfter). */
export const chosenChallenge = sql<number | null>`(SELECT id FROM chosen)`;

/**
 * The challenge of the grid step, pinned to the pending logon so its answer is judged against these
 * cells. The password step pins one as it opens the session; this finds or draws one when that
 * did not (no usable card then, or a lost race) or the pinned one was answered since.
 */
export async function challengeForLogon(
  deps: Deps,
  userRef: number,
  sessionId: string,
): Promise<{ cardSerial: string; id: number; cells: GridCell[] } | undefined> {
  for (let tries = 0; tries < 2; tries++) {
    const now = deps.clock.now();
    const result = await sql<{ serial: string; id: number | null; cells: string | null }>`
      WITH ${drawingChallenge(deps, userRef, now)}, pinned AS (
        UPDATE session SET grid_challenge_id = (SELECT id FROM chosen)
        WHERE id = ${sessionId} AND ended_at IS NULL AND EXISTS (SELECT 1 FROM chosen)
      )
      SELECT card.serial, chosen.id, chosen.cells FROM card LEFT JOIN chosen ON true`.execute(deps.db);
    const row = result.rows[0];
    if (!row) return undefined;
    if (row.id !== null && row.cells !== null) return { cardSerial: row.serial, id: row.id, cells: parseCells(row.cells) };
  }
  throw new Error('grid challenge: no open challenge after a second try');
}

/**
 * The person's valid card (one at most: grid_card_one_valid) with the challenge this pending logon
 * was shown, if still open, and — only when it is — the reservation of one of the person's attempts
 * for judging the answer (R2.3, decision 0001), in one statement. The reservation is still the one
 * conditional UPDATE that gates races (house rule 5); the open challenge is a further condition of
 * it, so a replay or the loser of a double submit reserves nothing.
 */
export async function cardShownChallengeAndAttempt(
  executor: Executor,
  user: User,
  challengeId: number | null,
  now: Date,
): Promise<{ card: GridCard; challenge: { id: number; cells: GridCell[] } | undefined; firstTry: TriedReservation } | undefined> {
  const { rows } = await sql<GridCard & { challenge_id: number | null; challenge_cells: string | null; reserved_batch_at: Date | null }>`
    WITH card AS (
      SELECT * FROM grid_card WHERE user_ref = ${user.id} AND ${usableGridCardSql('grid_card', now)}
    ), shown AS (
      SELECT grid_challenge.id, grid_challenge.cells FROM grid_challenge JOIN card ON grid_challenge.card_id = card.id
      WHERE grid_challenge.id = ${challengeId ?? -1} AND grid_challenge.answered_at IS NULL
    ), reserved AS (${reserveCustomerAttemptQuery(executor, user.id, now).where(sql<boolean>`EXISTS (SELECT 1 FROM shown)`)})
    SELECT card.*, shown.id AS challenge_id, shown.cells AS challenge_cells, reserved.attempts_batch_at AS reserved_batch_at
    FROM card LEFT JOIN shown ON true LEFT JOIN reserved ON true`.execute(executor);
  const row = rows[0];
  if (!row) return undefined;
  const { challenge_id, challenge_cells, reserved_batch_at, ...card } = row;
  return {
    card,
    challenge: challenge_id !== null && challenge_cells !== null ? { id: challenge_id, cells: parseCells(challenge_cells) } : undefined,
    firstTry: { reservation: reservationOf(customerHolder(user), { attempts_batch_at: reserved_batch_at }) },
  };
}

/**
 * House rule 4: answering consumes the challenge in one conditional statement, the race gate; the
 * completed logon resets the failure count (R2.3) and gives back the answer's reserved attempt in
 * the same statement. False when the challenge had already been answered.
 */
export async function consumeChallengeAndReset(executor: Executor, challengeId: number, userRef: number, reservation: AttemptReservation, now: Date): Promise<boolean> {
  const result = await sql<{ id: number }>`WITH ${consumingChallenge(challengeId, userRef, reservation, now)} SELECT id FROM person`.execute(executor);
  return result.rows.length === 1;
}

/**
 * What a right answer does, as the `after` of the new session (createSessionAfter in
 * src/access/sessions.ts), so that the logon completes in one statement: consumeChallengeAndReset's
 * consumption and reset, and — only when the challenge was consumed — the end of the pending and
 * every other live session of the person (R7.1). The new session is not among those ended: a
 * statement's parts do not see each other's rows.
 */
export function completingLogon(executor: Executor, challengeId: number, userRef: number, pendingSessionId: string, reservation: AttemptReservation, now: Date): RawBuilder<unknown> {
  const ended = endSessionsAtLogonQuery(executor, userRef, pendingSessionId, now).where(sql<boolean>`EXISTS (SELECT 1 FROM person)`);
  return sql`${consumingChallenge(challengeId, userRef, reservation, now)}, ended AS (${ended})`;
}

/** The consumption (the race gate) and the reset, as CTEs; `person` returns the person's row only if this statement consumed the challenge. */
function consumingChallenge(challengeId: number, userRef: number, reservation: AttemptReservation, now: Date): RawBuilder<unknown> {
  return sql`consumed AS (
      UPDATE grid_challenge SET answered_at = ${now} WHERE id = ${challengeId} AND answered_at IS NULL RETURNING id
    ), person AS (
      UPDATE users SET failed_attempts = 0, attempts_in_flight = ${inFlightAfterOutcome(reservation)}
      WHERE id = ${userRef} AND EXISTS (SELECT 1 FROM consumed) RETURNING id
    )`;
}

export function cardDigits(deps: Deps, card: GridCard): string {
  return deps.keyring.open(card.digits_sealed, gridCardAssociatedData(card.serial));
}

