import type { Deps } from '../../deps.ts';
import type { Contract, LogonMethod, User } from '../../db/schema.ts';
import { inTransaction } from '../../db/transaction.ts';
import { AppError } from '../../errors.ts';
import { recordAudit, userActor } from '../../audit/audit-trail.ts';
import { verifyDecoy, verifySecret } from '../../auth/password-hash.ts';
import { isCorrectAnswer } from '../../auth/grid-card.ts';
import { hitRateLimit } from '../rate-limit.ts';
import { stageAfterLogon } from '../setup/steps.ts';
import { createSession, endSessionsAtLogon, type LiveSession } from '../session/store.ts';
import { isBlocked, releaseAttempt, reserveAttempt, stopIfExhausted } from './lockout.ts';
import { cardAndShownChallenge, cardDigits, challengeForLogon, consumeChallengeAndReset } from './grid-challenge.ts';

export interface RequestContext {
  ip: string;
  userAgent?: string;
}

const rateWindowSeconds = 60;

/**
 * Step 1 of a logon (R3.1, R1.3): contract ID, user ID and the login password — or, before the
 * person has one, the one-time registration password. Every way of failing gives the same answer
 * (R2.4); the audit trail keeps the real reason.
 */
export async function checkPassword(
  deps: Deps,
  input: { contractId: string; userId: string; password: string },
  context: RequestContext,
): Promise<{ token: string }> {
  const now = deps.clock.now();
  if (!(await hitRateLimit(deps.db, `logon:${context.ip}`, deps.config.logonRatePerMinute, rateWindowSeconds, now))) {
    throw new AppError('AUTH_RATE_LIMITED');
  }
  const found = await deps.db
    .selectFrom('users')
    .innerJoin('contract', 'contract.id', 'users.contract_id')
    .selectAll('users')
    .select(['contract.lock_mode', 'contract.stopped_at as contract_stopped_at', 'contract.company_name', 'contract.created_at as contract_created_at', 'contract.approval_mode', 'contract.result_email_to', 'contract.certificate_required'])
    .where('users.contract_id', '=', input.contractId)
    .where('users.user_id', '=', input.userId)
    .executeTakeFirst();

  const fail = async (reason: string, user?: User): Promise<never> => {
    await recordAudit(deps.db, {
      at: now,
      contractId: user ? user.contract_id : null,
      userRef: user?.id ?? null,
      actor: user ? userActor(user.contract_id, user.user_id) : 'anonymous',
      action: 'logon',
      outcome: 'failure',
      reason,
      ip: context.ip,
      userAgent: context.userAgent,
      details: user
        ? { method: user.login_password_hash ? 'password' : 'registration' }
        : { contractId: input.contractId, userId: input.userId },
    });
    throw new AppError('AUTH_LOGON_FAILED');
  };

  if (!found) {
    await verifyDecoy(input.password);
    return fail('unknown_user');
  }
  const { lock_mode, contract_stopped_at, company_name, contract_created_at, approval_mode, result_email_to, certificate_required, ...user } = found;
  const contract: Contract = {
    id: user.contract_id,
    company_name,
    lock_mode,
    stopped_at: contract_stopped_at,
    created_at: contract_created_at,
    approval_mode,
    result_email_to,
    certificate_required,
  };
  if (isBlocked(user, contract)) {
    await verifyDecoy(input.password);
    return fail('stopped', user);
  }
  const attempt = await reserveAttempt(deps.db, user.id);
  if (attempt === undefined) {
    await verifyDecoy(input.password);
    return fail('stopped', user);
  }

  const method: LogonMethod = user.login_password_hash ? 'password' : 'registration';
  const right = await verifyPasswordFor(user, method, input.password, now);
  if (!right.ok) {
    await stopIfExhausted(deps, user, attempt, context);
    return fail(right.reason, user);
  }
  const { token } = await createSession(deps, deps.db, { user, stage: 'grid', method, ip: context.ip, releasingAttempt: true });
  return { token };
}

async function verifyPasswordFor(
  user: User,
  method: LogonMethod,
  password: string,
  now: Date,
): Promise<{ ok: true } | { ok: false; reason: string }> {
  if (method === 'password') {
    return (await verifySecret(user.login_password_hash!, password)) ? { ok: true } : { ok: false, reason: 'wrong_password' };
  }
  if (!user.registration_password_hash) {
    await verifyDecoy(password);
    return { ok: false, reason: 'no_registration_password' };
  }
  const right = await verifySecret(user.registration_password_hash, password);
  if (!right) return { ok: false, reason: 'wrong_registration_password' };
  if (!user.registration_password_expires_at || user.registration_password_expires_at <= now) {
    return { ok: false, reason: 'registration_password_expired' };
  }
  return { ok: true };
}

export type GridPrompt = { kind: 'challenge'; cells: string[]; cardSerial: string } | { kind: 'no_card' };

/**
 * The challenge of step 2 (R3.2), remembered on the pending session: the answer is judged against
 * the cells this person was shown, never against a challenge drawn since.
 */
export async function gridPrompt(deps: Deps, live: LiveSession): Promise<GridPrompt> {
  const challenge = await challengeForLogon(deps, live.user.id, live.session.id);
  if (!challenge) return { kind: 'no_card' };
  return { kind: 'challenge', cells: challenge.cells, cardSerial: challenge.cardSerial };
}

/**
 * Step 2: the grid card answer. A right answer completes the logon: the challenge is consumed, the
 * failure count resets, the pending session is replaced by one with a fresh id (R7.1), and any
 * other live session of the person ends (one live session per person). The same right answer sent
 * twice at once completes one logon; the other request is refused without counting as a failure.
 */
export async function answerGrid(
  deps: Deps,
  live: LiveSession,
  answer: string,
  context: RequestContext,
): Promise<{ token: string; stage: 'setup' | 'active' }> {
  const now = deps.clock.now();
  const { user, session } = live;
  const auditBase = {
    at: now,
    contractId: user.contract_id,
    userRef: user.id,
    actor: userActor(user.contract_id, user.user_id),
    action: 'logon',
    ip: context.ip,
    userAgent: context.userAgent,
  };
  const fail = async (reason: string): Promise<never> => {
    await recordAudit(deps.db, { ...auditBase, outcome: 'failure', reason, details: { method: session.logon_method } });
    throw new AppError('AUTH_GRID_FAILED');
  };

  const found = await cardAndShownChallenge(deps.db, user.id, session.grid_challenge_id, now);
  if (!found) return fail('no_valid_card');
  const { card, challenge } = found;
  // A challenge already answered (a replay, or the loser of a double submit) is not an attempt.
  if (!challenge) return fail('grid_challenge_not_open');
  const attempt = await reserveAttempt(deps.db, user.id);
  if (attempt === undefined) return fail('stopped');
  if (!isCorrectAnswer(cardDigits(deps, card), challenge.cells, answer)) {
    await stopIfExhausted(deps, user, attempt, context);
    return fail('wrong_grid_answer');
  }

  const completed = await inTransaction(deps.db, async (tx) => {
    if (!(await consumeChallengeAndReset(tx, challenge.id, user.id, now))) return undefined;
    await endSessionsAtLogon(tx, user.id, session.id, now);
    const stage = stageAfterLogon(user);
    const created = await createSession(deps, tx, { user, stage, method: session.logon_method, ip: context.ip });
    await recordAudit(tx, { ...auditBase, outcome: 'success', details: { method: session.logon_method, cardSerial: card.serial } });
    return { token: created.token, stage } as const;
  });
  if (completed) return completed;
  await releaseAttempt(deps.db, user.id);
  return fail('grid_challenge_already_answered');
}
