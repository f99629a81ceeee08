import { sql } from 'kysely';
import type { Deps } from '../../deps.ts';
import type { Executor } from '../../db/transaction.ts';
import type { GridCard } from '../../db/schema.ts';
import { inFlightAfterOutcome, type AttemptReservation } from '../../access/attempts.ts';
import { newChallenge, parseCells, serializeCells, type GridCell, gridCardAssociatedData } from '../../auth/grid-card.ts';

/**
 * R3.2: the open challenge of the person's valid card, or a new one, pinned to the pending logon so
 * its answer is judged against these cells. The same cells are shown again until answered
 * correctly, so asking again never reveals more of the card. One statement: the partial unique index
 * makes two requests at once agree on one challenge, and the one that loses the insert reads the
 * winner's on its second try.
 */
export async function challengeForLogon(
  deps: Deps,
  userRef: number,
  sessionId: string,
): Promise<{ cardSerial: string; id: number; cells: GridCell[] } | undefined> {
  for (let tries = 0; tries < 2; tries++) {
    const now = deps.clock.now();
    const result = await sql<{ serial: string; id: number | null; cells: string | null }>`
      WITH card AS (
        SELECT id, serial FROM grid_card WHERE user_ref = ${userRef} AND invalidated_at IS NULL AND expires_at > ${now}
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
      ), pinned AS (
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

/** The person's valid card with the challenge this pending logon was shown, if still open. */
export async function cardAndShownChallenge(
  executor: Executor,
  userRef: number,
  challengeId: number | null,
  now: Date,
): Promise<{ card: GridCard; challenge: { id: number; cells: GridCell[] } | undefined } | undefined> {
  const row = await executor
    .selectFrom('grid_card')
    .leftJoin('grid_challenge', (join) =>
      join
        .onRef('grid_challenge.card_id', '=', 'grid_card.id')
        .on('grid_challenge.id', '=', challengeId ?? -1)
        .on('grid_challenge.answered_at', 'is', null),
    )
    .selectAll('grid_card')
    .select(['grid_challenge.id as challenge_id', 'grid_challenge.cells as challenge_cells'])
    .where('grid_card.user_ref', '=', userRef)
    .where('grid_card.invalidated_at', 'is', null)
    .where('grid_card.expires_at', '>', now)
    .executeTakeFirst();
  if (!row) return undefined;
  const { challenge_id, challenge_cells, ...card } = row;
  return {
    card,
    challenge: challenge_id !== null && challenge_cells !== null ? { id: challenge_id, cells: parseCells(challenge_cells) } : undefined,
  };
}

/**
 * House rule 4: answering consumes the challenge in one conditional statement, the race gate; the
 * completed logon resets the failure count (R2.3) and gives back the answer's reserved attempt in
 * the same statement. False when the challenge had already been answered.
 */
export async function consumeChallengeAndReset(executor: Executor, challengeId: number, userRef: number, reservation: AttemptReservation, now: Date): Promise<boolean> {
  const result = await sql<{ id: number }>`
    WITH consumed AS (
      UPDATE grid_challenge SET answered_at = ${now} WHERE id = ${challengeId} AND answered_at IS NULL RETURNING id
    )
    UPDATE users SET failed_attempts = 0, attempts_in_flight = ${inFlightAfterOutcome(reservation)}
    WHERE id = ${userRef} AND EXISTS (SELECT 1 FROM consumed) RETURNING id`.execute(executor);
  return result.rows.length === 1;
}

export function cardDigits(deps: Deps, card: GridCard): string {
  return deps.keyring.open(card.digits_sealed, gridCardAssociatedData(card.serial));
}

