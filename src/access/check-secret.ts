import type { Deps } from '../deps.ts';
import { inTransaction } from '../db/transaction.ts';
import { countFailure, lockoutFailuresMax, releaseAttempt, reserveAttemptWaiting, type AttemptReservation, type SecretHolder, type TriedReservation } from './attempts.ts';
import { refuseAsBusy } from './attempts-busy.ts';
import { stopPerson } from './lockout.ts';
import { stopStaffMember } from './staff-lockout.ts';
import { noteFailureAddress } from './stop-origins.ts';
import type { RequestContext } from './request-context.ts';

export type SecretVerdict = 'right' | 'wrong' | 'no_attempt_left';

/** A verdict whose right secret still holds its reservation, for the caller to give back. */
export type KeptVerdict = { verdict: 'right'; reservation: AttemptReservation } | { verdict: 'wrong' } | { verdict: 'no_attempt_left' };

export interface SecretCheck {
  holder: SecretHolder;
  context: RequestContext;
  /** Evaluates the secret, in constant time; called only once an attempt is reserved. */
  verify: () => Promise<boolean> | boolean;
  /** Records the wrong secret (its audit record), before the stop it may cause. */
  recordWrong?: () => Promise<void>;
  /** Records a secret refused unevaluated because every attempt was in flight, with the reason given (decision 0022). */
  recordBusy: (reason: string) => Promise<void>;
  /** The first reservation, when the caller tried it in a statement of its own (one round trip fewer). */
  firstTry?: TriedReservation;
}

/**
 * Every secret of a customer or a staff member is checked this one way (R2.3, decision 0001):
 * reserve an attempt → verify → a right secret gives the attempt back; a wrong one is recorded and
 * counted, and the seventh failure stops the holder. With no attempt left the secret is not
 * evaluated: 'no_attempt_left' when the holder is stopped; when every attempt stayed in flight for
 * the whole wait, the request is refused as busy (ATTEMPTS_BUSY, decision 0022) — never as wrong or
 * stopped, and without counting.
 */
export async function checkSecret(deps: Deps, check: SecretCheck): Promise<SecretVerdict> {
  const checked = await checkSecretKeeping(deps, check);
  if (checked.verdict === 'right') await releaseAttempt(deps.db, checked.reservation);
  return checked.verdict;
}

/**
 * checkSecret for a caller that gives a right secret's attempt back itself, in the write that
 * completes its step (a logon's session insert, a consumed challenge that resets the count). Until
 * then the reservation is a lease (decision 0024): should the process die first, it lapses.
 */
export async function checkSecretKeeping(deps: Deps, check: SecretCheck): Promise<KeptVerdict> {
  const reserved = await reserveAttemptWaiting(deps, check.holder, check.firstTry);
  if ('refused' in reserved) {
    if (reserved.refused === 'busy') return refuseAsBusy('ATTEMPTS_BUSY', check.recordBusy);
    return { verdict: 'no_attempt_left' };
  }
  if (await check.verify()) return { verdict: 'right', reservation: reserved.reservation };
  // R2.3: where the wrong secret came from, so that the stop it may cause can name it.
  if (check.holder.kind === 'customer') await noteFailureAddress(deps.db, check.holder.user.id, check.context.ip, deps.clock.now());
  await check.recordWrong?.();
  await countFailureAndStop(deps, reserved.reservation, check.context);
  return { verdict: 'wrong' };
}

/**
 * The failure and the stop it causes commit together: a process that died between them would leave
 * seven failures without a stop — no attempt left, yet nothing for anyone to lift (decision 0024).
 */
function countFailureAndStop(deps: Deps, reservation: AttemptReservation, context: RequestContext): Promise<void> {
  return inTransaction(deps.db, async (tx) => {
    if ((await countFailure(tx, reservation)) < lockoutFailuresMax) return;
    const { holder } = reservation;
    if (holder.kind === 'customer') await stopPerson(deps, tx, holder.user, context);
    else await stopStaffMember(deps, tx, holder.staff, context);
  });
}
