import type { Deps } from '../../deps.ts';
import type { Executor } from '../../db/transaction.ts';
import type { GridCard } from '../../db/schema.ts';
import { newChallenge, parseCells, serializeCells, type GridCell } from '../../auth/grid-card.ts';

export async function validCardOf(executor: Executor, userRef: number, now: Date): Promise<GridCard | undefined> {
  return executor
    .selectFrom('grid_card')
    .selectAll()
    .where('user_ref', '=', userRef)
    .where('invalidated_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirst();
}

/**
 * R3.2: the open challenge of the card, or a new one. The same cells are shown again until they are
 * answered correctly, so asking again never reveals more of the card; the partial unique index
 * makes two requests at once agree on one challenge.
 */
export async function openChallenge(deps: Deps, card: GridCard): Promise<{ id: number; cells: GridCell[] }> {
  await deps.db
    .insertInto('grid_challenge')
    .values({ card_id: card.id, cells: serializeCells(newChallenge(deps.random)), created_at: deps.clock.now() })
    .onConflict((oc) => oc.column('card_id').where('answered_at', 'is', null).doNothing())
    .execute();
  const challenge = await deps.db
    .selectFrom('grid_challenge')
    .select(['id', 'cells'])
    .where('card_id', '=', card.id)
    .where('answered_at', 'is', null)
    .executeTakeFirstOrThrow();
  return { id: challenge.id, cells: parseCells(challenge.cells) };
}

/** The challenge shown to this pending logon, while it is still open. */
export async function shownChallenge(executor: Executor, challengeId: number | null): Promise<{ id: number; cells: GridCell[] } | undefined> {
  if (challengeId === null) return undefined;
  const row = await executor
    .selectFrom('grid_challenge')
    .select(['id', 'cells'])
    .where('id', '=', challengeId)
    .where('answered_at', 'is', null)
    .executeTakeFirst();
  return row && { id: row.id, cells: parseCells(row.cells) };
}

/** House rule 4: answering consumes the challenge in one conditional statement, the race gate. */
export async function consumeChallenge(executor: Executor, challengeId: number, now: Date): Promise<boolean> {
  const row = await executor
    .updateTable('grid_challenge')
    .set({ answered_at: now })
    .where('id', '=', challengeId)
    .where('answered_at', 'is', null)
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}

export function cardDigits(deps: Deps, card: GridCard): string {
  return deps.keyring.open(card.digits_sealed, gridCardAssociatedData(card.serial));
}

export function gridCardAssociatedData(serial: string): string {
  return `grid_card:${serial}`;
}
