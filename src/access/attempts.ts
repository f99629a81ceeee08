import { sql } from 'kysely';
import type { Executor } from '../db/transaction.ts';
import type { Staff, User } from '../db/schema.ts';

/**
 * R2.3: seven consecutive wrong entries of any secret of one person stop that person. The bank's
 * staff are held to the same count (decision 0001).
 */
export const lockoutFailuresMax = 7;

/** Whose secret is being tried: a customer's person, or a member of the bank's staff. */
export type SecretHolder = { kind: 'customer'; user: User } | { kind: 'staff'; staff: Staff };

export const customerHolder = (user: User): SecretHolder => ({ kind: 'customer', user });
export const staffHolder = (staff: Staff): SecretHolder => ({ kind: 'staff', staff });

const countOne = { failed_attempts: sql<number>`failed_attempts + 1` };
const giveOneBack = { failed_attempts: sql<number>`greatest(failed_attempts - 1, 0)` };

/**
 * Reserves one of the holder's remaining attempts before a secret is evaluated. The increment is
 * the race gate (house rule 5): however many requests arrive at once, at most `lockoutFailuresMax`
 * evaluations are ever reserved between successes. Returns the attempt's number, or undefined when
 * none is left (stopped, disabled, or every attempt in flight).
 */
export async function reserveAttempt(executor: Executor, holder: SecretHolder): Promise<number | undefined> {
  const row =
    holder.kind === 'customer'
      ? await executor
          .updateTable('users')
          .set(countOne)
          .where('id', '=', holder.user.id)
          .where('stopped_at', 'is', null)
          .where('failed_attempts', '<', lockoutFailuresMax)
          .returning('failed_attempts')
          .executeTakeFirst()
      : await executor
          .updateTable('staff')
          .set(countOne)
          .where('id', '=', holder.staff.id)
          .where('stopped_at', 'is', null)
          .where('disabled_at', 'is', null)
          .where('failed_attempts', '<', lockoutFailuresMax)
          .returning('failed_attempts')
          .executeTakeFirst();
  return row?.failed_attempts;
}

/** A right secret gives its reserved attempt back; earlier failures still count until the logon completes. */
export async function releaseAttempt(executor: Executor, holder: SecretHolder): Promise<void> {
  if (holder.kind === 'customer') await executor.updateTable('users').set(giveOneBack).where('id', '=', holder.user.id).execute();
  else await executor.updateTable('staff').set(giveOneBack).where('id', '=', holder.staff.id).execute();
}
