import { sql, type RawBuilder } from 'kysely';

/**
 * R3.3: a grid card answers challenges while the operator has not invalidated it (lost, replaced)
 * and it has not expired; a person has one such card at most (grid_card_one_valid). Stated once
 * for every statement that looks for the person's card: `card` names grid_card in the statement.
 */
export function usableGridCardSql(card: string, now: Date): RawBuilder<boolean> {
  return sql<boolean>`(${sql.ref(`${card}.invalidated_at`)} IS NULL AND ${sql.ref(`${card}.expires_at`)} > ${now})`;
}
