import { sql } from 'kysely';
import type { Executor } from '../../db/transaction.ts';
import type { HardwareToken } from '../../db/schema-tokens.ts';
import { tokenState, type TokenState } from '../../access/hardware-token/standing.ts';
import { tokyoDate, addDays } from '../../domain/business-days.ts';

/** R6.7: the console lists tokens expiring within this many days, for the bank to send new ones before. */
export const expiringWithinDays = 60;

/** A token as the bank's tools show it: never its secret. */
export interface TokenSummary {
  serial: string;
  state: TokenState;
  expires: string;
  contract: string | null;
  /** The user IDs of the people who activated it. */
  users: string[];
  assignReason: string | null;
  assignedAt: Date | null;
  lastUsedAt: Date | null;
  driftSteps: number;
  revokedAt: Date | null;
  revokeReason: string | null;
}

type TokenRow = Omit<HardwareToken, 'secret_sealed'> & { users: string[] | null };

function summary(row: TokenRow, now: Date): TokenSummary {
  const users = row.users ?? [];
  return {
    serial: row.serial,
    state: tokenState(row, users.length, now),
    expires: row.expires_on,
    contract: row.contract_id,
    users,
    assignReason: row.assign_reason,
    assignedAt: row.assigned_at,
    lastUsedAt: row.last_used_at,
    driftSteps: row.drift_steps,
    revokedAt: row.revoked_at,
    revokeReason: row.revoke_reason,
  };
}

/** The tokens with the people who activated them, optionally of one contract or one serial, ordered by serial. */
export async function listTokens(executor: Executor, now: Date, filter: { contractId?: string; serial?: string; expiringBefore?: string } = {}): Promise<TokenSummary[]> {
  const { rows } = await sql<TokenRow>`
    SELECT t.serial, t.hash, t.digits, t.step_seconds, t.expires_on, t.imported_at, t.imported_by, t.contract_id, t.assigned_at,
           t.assign_reason, t.fee_entry_id, t.revoked_at, t.revoke_reason, t.last_step, t.drift_steps, t.last_used_at,
           (SELECT array_agg(u.user_id ORDER BY u.user_id) FROM users u WHERE u.token_serial = t.serial AND u.status <> 'deleted') AS users
    FROM hardware_token t
    WHERE (${filter.contractId ?? null}::text IS NULL OR t.contract_id = ${filter.contractId ?? null})
      AND (${filter.serial ?? null}::text IS NULL OR t.serial = ${filter.serial ?? null})
      AND (${filter.expiringBefore ?? null}::date IS NULL OR (t.expires_on < ${filter.expiringBefore ?? null}::date AND t.revoked_at IS NULL))
    ORDER BY ${filter.expiringBefore ? sql`t.expires_on, t.serial` : sql`t.serial`}
    LIMIT 10000`.execute(executor);
  return rows.map((row) => summary(row, now));
}

/** R6.7: tokens in use or assigned that expire within 60 days, soonest first: the bank sends new ones before. */
export async function expiringTokens(executor: Executor, now: Date): Promise<TokenSummary[]> {
  const tokens = await listTokens(executor, now, { expiringBefore: addDays(tokyoDate(now), expiringWithinDays) });
  return tokens.filter((token) => token.contract !== null);
}

export function tokenJson(token: TokenSummary): Record<string, unknown> {
  return { serial: token.serial, state: token.state, expires: token.expires, contract: token.contract, users: token.users };
}
