import type { Deps } from '../../deps.ts';
import type { User } from '../../db/schema.ts';
import { inTransaction, type Tx } from '../../db/transaction.ts';
import { gridCardAssociatedData, gridCardValidityDays, newGridDigits } from '../../auth/grid-card.ts';
import { addDaysTo } from '../../domain/tokyo-time.ts';
import { randomDigits } from '../../platform/random.ts';
import { operatorActor, recordBankChange, type ChangeActor } from './change-actor.ts';
import { findPerson } from './operator-input.ts';

/** R3.3: the grid card the bank prints and posts: its serial, its digits (in clear only until printed) and its end. */
export interface IssuedCard {
  serial: string;
  digits: string;
  expiresAt: Date;
}

/**
 * R3.3: a lost card stops working at once; its open challenge goes with it, so a logon halfway
 * through cannot be completed with it. Returns the serials invalidated.
 */
export async function invalidateCardsInTx(deps: Deps, tx: Tx, user: User, by: ChangeActor): Promise<string[]> {
  const now = deps.clock.now();
  const previous = await tx
    .updateTable('grid_card')
    .set({ invalidated_at: now })
    .where('user_ref', '=', user.id)
    .where('invalidated_at', 'is', null)
    .returning(['id', 'serial'])
    .execute();
  for (const card of previous) {
    await tx.updateTable('grid_challenge').set({ answered_at: now }).where('card_id', '=', card.id).where('answered_at', 'is', null).execute();
    await recordBankChange(tx, by, {
      at: now,
      contractId: user.contract_id,
      userRef: user.id,
      action: 'grid_card.invalidate',
      details: { serial: card.serial },
    });
  }
  return previous.map((card) => card.serial);
}

/**
 * R3.3: a new card invalidates the person's previous one in the same transaction, so a card
 * reported lost stops working at once.
 */
export async function issueCardInTx(deps: Deps, tx: Tx, user: User, by: ChangeActor): Promise<IssuedCard & { id: number; replaced: string[] }> {
  const now = deps.clock.now();
  const replaced = await invalidateCardsInTx(deps, tx, user, by);
  const serial = randomDigits(deps.random, 12);
  const digits = newGridDigits(deps.random);
  const expiresAt = addDaysTo(now, gridCardValidityDays);
  const card = await tx
    .insertInto('grid_card')
    .values({
      user_ref: user.id,
      serial,
      digits_sealed: deps.keyring.seal(digits, gridCardAssociatedData(serial)),
      issued_at: now,
      expires_at: expiresAt,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  // R3.3: the card the master asked for (a new user's, or a replacement) is this one.
  const fulfilled = await tx
    .updateTable('grid_card_request')
    .set({ fulfilled_at: now, card_id: card.id })
    .where('user_ref', '=', user.id)
    .where('fulfilled_at', 'is', null)
    .where('cancelled_at', 'is', null)
    .returning('id')
    .execute();
  await recordBankChange(tx, by, {
    at: now,
    contractId: user.contract_id,
    userRef: user.id,
    action: 'grid_card.issue',
    details: { serial, expiresAt, replaced, ...(fulfilled.length > 0 ? { fulfilledRequest: fulfilled[0]!.id } : {}) },
  });
  return { id: card.id, serial, digits, expiresAt, replaced };
}

export async function issueGridCard(deps: Deps, input: { contractId: string; userId: string; operator: string }): Promise<IssuedCard> {
  const user = await findPerson(deps, input.contractId, input.userId);
  return inTransaction(deps.db, (tx) => issueCardInTx(deps, tx, user, operatorActor(input.operator)));
}
