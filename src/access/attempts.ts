import { setTimeout as pause } from 'node:timers/promises';
import { sql } from 'kysely';
import type { Deps } from '../deps.ts';
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

/**
 * How soon a request whose holder has every attempt in flight looks again whether one was given
 * back: at first soon (an evaluation takes tens of milliseconds), then less often, so that a burst
 * of waiting requests does not keep the database busy with looking.
 */
export const attemptLookFirstMs = 25;
export const attemptLookEveryMs = 250;

/**
 * An attempt reserved, or why none was: the holder is stopped (or disabled), or every attempt left
 * is in flight — being evaluated by other requests at this moment — for longer than the wait.
 */
export type Reservation = { attempt: number } | { refused: 'stopped' | 'busy' };

/**
 * Reserves an attempt (decision 0001); while every attempt left is in flight, waits up to
 * `config.attemptsBusyWaitMs` for the requests evaluating them to settle (decision 0022). Those
 * requests either give their attempts back (right secrets: this one is then evaluated) or stop the
 * holder (wrong ones: this one is answered as stopped, unevaluated). Only when neither happens in
 * time is the request refused as busy. So the rest of an attacker's burst of wrong passwords meets
 * the stop and is answered exactly like an unknown user (R2.4) — a "busy" would tell that the ID
 * exists — while a right password sent many times at once is let in.
 */
export async function reserveAttemptWaiting(deps: Deps, holder: SecretHolder): Promise<Reservation> {
  let waitedMs = 0;
  for (let nextMs = attemptLookFirstMs; ; nextMs = Math.min(nextMs * 2, attemptLookEveryMs)) {
    const attempt = await reserveAttempt(deps.db, holder);
    if (attempt !== undefined) return { attempt };
    if (await isStopped(deps.db, holder)) return { refused: 'stopped' };
    if (waitedMs >= deps.config.attemptsBusyWaitMs) return { refused: 'busy' };
    await pause(nextMs);
    waitedMs += nextMs;
  }
}

/** Whether the holder can have no attempt at all until someone lifts the stop (or enables the member again). */
async function isStopped(executor: Executor, holder: SecretHolder): Promise<boolean> {
  if (holder.kind === 'customer') {
    const row = await executor.selectFrom('users').select('stopped_at').where('id', '=', holder.user.id).executeTakeFirst();
    return !row || row.stopped_at !== null;
  }
  const row = await executor.selectFrom('staff').select(['stopped_at', 'disabled_at']).where('id', '=', holder.staff.id).executeTakeFirst();
  return !row || row.stopped_at !== null || row.disabled_at !== null;
}

/** A right secret gives its reserved attempt back; earlier failures still count until the logon completes. */
export async function releaseAttempt(executor: Executor, holder: SecretHolder): Promise<void> {
  if (holder.kind === 'customer') await executor.updateTable('users').set(giveOneBack).where('id', '=', holder.user.id).execute();
  else await executor.updateTable('staff').set(giveOneBack).where('id', '=', holder.staff.id).execute();
}
