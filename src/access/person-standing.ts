import { sql } from 'kysely';
import type { Contract, User } from '../db/schema.ts';

/** Stopped (R2.3), or suspended or deleted by the master (R1.4): no logon, no session. */
export function isBlocked(user: User, contract: Contract): boolean {
  return user.stopped_at !== null || contract.stopped_at !== null || user.status !== 'active';
}

/**
 * Whether a logon evaluates the person's password at all, in SQL over the row of `users`: not for a
 * person stopped on their own (R2.3) or suspended or deleted by the master (R1.4), who is refused
 * unevaluated. A person blocked only because their contract is stopped (the master's stop, or
 * anyone's when linked) is judged as usual, and told why only once the password was right (R2.4).
 * In SQL because the password step reserves the attempt in the statement that reads the person
 * (src/modules/logon/password-step.ts).
 */
export const triesPasswordSql = sql<boolean>`(users.stopped_at IS NULL AND users.status = 'active')`;
