import { setTimeout as pause } from 'node:timers/promises';
import { sql, type Expression, type RawBuilder } from 'kysely';
import type { Deps } from '../deps.ts';
import type { Executor } from '../db/transaction.ts';
import type { Staff, User } from '../db/schema.ts';

/**
 * R2.3: seven consecutive wrong entries of any secret of one person stop that person. The bank's
 * staff are held to the same count (decision 0001).
 */
export const lockoutFailuresMax = 7;

/**
 * Decision 0024: how long a reserved attempt counts without an outcome. An evaluation takes tens of
 * milliseconds (an argon2id hash, a few statements); a reservation still without an outcome after
 * a minute belongs to a process that died, and counts as never made — the person is not charged a
 * failure nobody entered.
 */
export const attemptLeaseSeconds = 60;

/** Whose secret is being tried: a customer's person, or a member of the bank's staff. */
export type SecretHolder = { kind: 'customer'; user: User } | { kind: 'staff'; staff: Staff };

export const customerHolder = (user: User): SecretHolder => ({ kind: 'customer', user });
export const staffHolder = (staff: Staff): SecretHolder => ({ kind: 'staff', staff });

/**
 * One attempt reserved for an evaluation, until its outcome: counted as a failure (wrong) or given
 * back (right). `batchAt` names the batch of reservations in flight it joined: once that batch has
 * lapsed, its outcome no longer gives anything back (a later batch's reservations are not its own).
 */
export interface AttemptReservation {
  holder: SecretHolder;
  batchAt: Date;
}

function holderRow(holder: SecretHolder): { table: 'users' | 'staff'; id: number } {
  return holder.kind === 'customer' ? { table: 'users', id: holder.user.id } : { table: 'staff', id: holder.staff.id };
}

/**
 * Reserves one of the holder's remaining attempts before a secret is evaluated (decision 0001).
 * The one conditional UPDATE is the race gate (house rule 5): failures plus reservations in flight
 * stay below `lockoutFailuresMax`, so however many requests arrive at once, at most seven
 * evaluations are ever reserved between successes. Reservations in flight whose newest is older
 * than `attemptLeaseSeconds` are dropped in the same statement, before the gate is judged (decision
 * 0024). Returns the reservation, or undefined when none is left (stopped, disabled, or every
 * attempt in flight).
 */
export async function reserveAttempt(executor: Executor, holder: SecretHolder, now: Date): Promise<AttemptReservation | undefined> {
  if (holder.kind === 'customer') return reservationOf(holder, await reserveCustomerAttemptQuery(executor, holder.user.id, now).executeTakeFirst());
  const { lease, gate } = leaseAndGate(now);
  const row = await executor
    .updateTable('staff')
    .set(lease)
    .where('id', '=', holder.staff.id)
    .where('stopped_at', 'is', null)
    .where('disabled_at', 'is', null)
    .where(gate, '<', lockoutFailuresMax)
    .returning('attempts_batch_at')
    .executeTakeFirst();
  return reservationOf(holder, row);
}

/**
 * The UPDATE of reserveAttempt for a customer's person. Also a part of a statement that reserves
 * along with other work (the password step's one round trip, src/modules/logon/password-step.ts),
 * which may add conditions of its own and names the person's row by an expression: it stays the one
 * conditional UPDATE that gates races (house rule 5).
 */
export function reserveCustomerAttemptQuery(executor: Executor, userRef: number | Expression<number>, now: Date) {
  const { lease, gate } = leaseAndGate(now);
  return executor
    .updateTable('users')
    .set(lease)
    .where('id', '=', userRef)
    .where('stopped_at', 'is', null)
    .where(gate, '<', lockoutFailuresMax)
    .returning('attempts_batch_at');
}

/** The reservation a reserving statement's returned row stands for. */
export function reservationOf(holder: SecretHolder, row: { attempts_batch_at: Date | null } | undefined): AttemptReservation | undefined {
  return row?.attempts_batch_at ? { holder, batchAt: row.attempts_batch_at } : undefined;
}

function leaseAndGate(now: Date) {
  const lapsedBefore = new Date(now.getTime() - attemptLeaseSeconds * 1000);
  // The batch in flight still counts: it has reservations, and the newest is within its lease.
  const live = sql<boolean>`(attempts_in_flight > 0 AND attempts_reserved_at > ${lapsedBefore})`;
  const inFlight = sql<number>`(CASE WHEN ${live} THEN attempts_in_flight ELSE 0 END)`;
  const lease = {
    attempts_in_flight: sql<number>`${inFlight} + 1`,
    attempts_batch_at: sql<Date>`(CASE WHEN ${live} THEN attempts_batch_at ELSE ${now} END)`,
    // greatest: the processes' clocks may differ by a little; the newest reservation stays the newest.
    attempts_reserved_at: sql<Date>`(CASE WHEN ${live} THEN greatest(attempts_reserved_at, ${now}) ELSE ${now} END)`,
  };
  return { lease, gate: sql<number>`failed_attempts + ${inFlight}` };
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
export type Reservation = { reservation: AttemptReservation } | { refused: 'stopped' | 'busy' };

/**
 * The outcome of the first reservation, already tried by the caller in a statement of its own that
 * did other work too (reserveCustomerAttemptQuery): undefined `reservation` when none was made.
 */
export interface TriedReservation {
  reservation: AttemptReservation | undefined;
}

/**
 * Reserves an attempt (decision 0001) — or starts from `firstTry`, when the caller has tried
 * already — and while every attempt left is in flight, waits up to `config.attemptsBusyWaitMs` for
 * the requests evaluating them to settle (decision 0022). Those
 * requests either give their attempts back (right secrets: this one is then evaluated) or stop the
 * holder (wrong ones: this one is answered as stopped, unevaluated). Only when neither happens in
 * time is the request refused as busy. So the rest of an attacker's burst of wrong passwords meets
 * the stop and is answered exactly like an unknown user (R2.4) — a "busy" would tell that the ID
 * exists — while a right password sent many times at once is let in.
 */
export async function reserveAttemptWaiting(deps: Deps, holder: SecretHolder, firstTry?: TriedReservation): Promise<Reservation> {
  let waitedMs = 0;
  let tried = firstTry;
  for (let nextMs = attemptLookFirstMs; ; nextMs = Math.min(nextMs * 2, attemptLookEveryMs)) {
    const reservation = tried ? tried.reservation : await reserveAttempt(deps.db, holder, deps.clock.now());
    tried = undefined;
    if (reservation) return { reservation };
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

/**
 * The reservations in flight once this one's outcome is in: one fewer while its batch is still the
 * one counted; unchanged when its batch lapsed and another began (decision 0024), so a late outcome
 * never uncounts a reservation of someone else. For the statements that complete a step and give
 * the attempt back with it (a logon's session insert, a consumed grid challenge or time step).
 */
export function inFlightAfterOutcome(reservation: AttemptReservation): RawBuilder<number> {
  return sql<number>`(CASE WHEN attempts_batch_at = ${reservation.batchAt} THEN greatest(attempts_in_flight - 1, 0) ELSE attempts_in_flight END)`;
}

/** A right secret gives its reserved attempt back; earlier failures still count until the logon completes. */
export async function releaseAttempt(executor: Executor, reservation: AttemptReservation): Promise<void> {
  const { table, id } = holderRow(reservation.holder);
  await executor.updateTable(table).set({ attempts_in_flight: inFlightAfterOutcome(reservation) }).where('id', '=', id).execute();
}

/**
 * R2.3: a wrong secret turns its reservation into a failure. Returns the holder's failures with it,
 * by which the caller stops the holder at the seventh — in the same transaction, so that no crash
 * can leave seven failures without the stop that a lift would undo.
 */
export async function countFailure(executor: Executor, reservation: AttemptReservation): Promise<number> {
  const { table, id } = holderRow(reservation.holder);
  const row = await executor
    .updateTable(table)
    .set({ failed_attempts: sql<number>`failed_attempts + 1`, attempts_in_flight: inFlightAfterOutcome(reservation) })
    .where('id', '=', id)
    .returning('failed_attempts')
    .executeTakeFirst();
  return row?.failed_attempts ?? 0;
}
