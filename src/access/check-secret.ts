import type { Deps } from '../deps.ts';
import { lockoutFailuresMax, releaseAttempt, reserveAttemptWaiting, type SecretHolder } from './attempts.ts';
import { refuseAsBusy } from './attempts-busy.ts';
import { stopPerson } from './lockout.ts';
import { stopStaffMember } from './staff-lockout.ts';
import { noteFailureAddress } from './stop-origins.ts';
import type { RequestContext } from './request-context.ts';

export type SecretVerdict = 'right' | 'wrong' | 'no_attempt_left';

export interface SecretCheck {
  holder: SecretHolder;
  context: RequestContext;
  /** Evaluates the secret, in constant time; called only once an attempt is reserved. */
  verify: () => Promise<boolean> | boolean;
  /** Records the wrong secret (its audit record), before the stop it may cause. */
  recordWrong?: () => Promise<void>;
  /** Records a secret refused unevaluated because every attempt was in flight, with the reason given (decision 0022). */
  recordBusy: (reason: string) => Promise<void>;
  /**
   * The caller gives the attempt back itself, in the write that completes its step (a logon's
   * session insert, a consumed challenge that resets the count).
   */
  keepReservation?: boolean;
}

/**
 * Every secret of a customer or a staff member is checked this one way (R2.3, decision 0001):
 * reserve an attempt → verify → a right secret gives the attempt back; a wrong one is recorded and,
 * when its attempt was the last, stops the holder. With no attempt left the secret is not evaluated:
 * 'no_attempt_left' when the holder is stopped; when every attempt stayed in flight for the whole
 * wait, the request is refused as busy (ATTEMPTS_BUSY, decision 0022) — never as wrong or stopped,
 * and without counting.
 */
export async function checkSecret(deps: Deps, check: SecretCheck): Promise<SecretVerdict> {
  const reserved = await reserveAttemptWaiting(deps, check.holder);
  if ('refused' in reserved) {
    if (reserved.refused === 'busy') return refuseAsBusy('ATTEMPTS_BUSY', check.recordBusy);
    return 'no_attempt_left';
  }
  if (await check.verify()) {
    if (!check.keepReservation) await releaseAttempt(deps.db, check.holder);
    return 'right';
  }
  // R2.3: where the wrong secret came from, so that the stop it may cause can name it.
  if (check.holder.kind === 'customer') await noteFailureAddress(deps.db, check.holder.user.id, check.context.ip, deps.clock.now());
  await check.recordWrong?.();
  if (reserved.attempt >= lockoutFailuresMax) await stopHolder(deps, check.holder, check.context);
  return 'wrong';
}

function stopHolder(deps: Deps, holder: SecretHolder, context: RequestContext): Promise<void> {
  return holder.kind === 'customer' ? stopPerson(deps, holder.user, context) : stopStaffMember(deps, holder.staff, context);
}
