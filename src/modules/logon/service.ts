import { sql } from 'kysely';
import type { Deps } from '../../deps.ts';
import type { LogonMethod, User } from '../../db/schema.ts';
import { inTransaction } from '../../db/transaction.ts';
import { AppError, type ErrorCode } from '../../errors.ts';
import { gatedAppend, recordAudit, userActor } from '../../audit/audit-trail.ts';
import { verifyDecoy, verifySecret } from '../../auth/password-hash.ts';
import { isCorrectAnswer, parseCells } from '../../auth/grid-card.ts';
import { refuseLogonAttempt } from '../../access/logon-refusals.ts';
import { startPasswordStep } from './password-step.ts';
import { stageAfterLogon } from '../../access/setup-steps.ts';
import { createSessionAfter, releasingAttempt, sessionOpens, type LiveSession } from '../../access/sessions.ts';
import { isBlocked } from '../../access/person-standing.ts';
import { customerHolder, releaseAttempt } from '../../access/attempts.ts';
import { checkSecretKeeping } from '../../access/check-secret.ts';
import { certificateRefusal, logonPurpose, type CertificateGate } from './certificate-gate.ts';
import type { RequestContext } from '../../access/request-context.ts';
import { cardDigits, cardShownChallengeAndAttempt, challengeForLogon, chosenChallenge, completingLogon, drawingChallenge } from './grid-challenge.ts';

/**
 * Step 1 of a logon (R3.1, R1.3): contract ID, user ID and the login password — or, before the
 * person has one, the one-time registration password. Every way of failing the secrets gives the
 * same answer (R2.4); the audit trail keeps the real reason. Whatever is refused with an answer of
 * its own — a stopped contract, a contract that uses client certificates (R4.1, R4.2, see
 * certificate-gate.ts) — is judged only once the password is right: the answer then tells nothing
 * to one who does not know the password, so it cannot tell a known user ID from an unknown one.
 * `gate.purpose` 'certificate' is the logon of 電子証明書の取得・更新 (R4.3).
 */
export async function checkPassword(
  deps: Deps,
  input: { contractId: string; userId: string; password: string },
  context: RequestContext,
  gate: CertificateGate = logonPurpose,
): Promise<{ token: string }> {
  const now = deps.clock.now();
  const started = await startPasswordStep(deps, input, context, now);
  if (!started.admitted) return refuseLogonAttempt(deps, 'customer', context, now);
  const { found } = started;

  const recordFailure = async (reason: string, user?: User, refusal?: { code: ErrorCode; details: Record<string, unknown> }): Promise<void> => {
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
        ? { method: user.login_password_hash ? 'password' : 'registration', ...(gate.purpose === 'certificate' ? { purpose: 'certificate' } : {}), ...refusal?.details }
        : { contractId: input.contractId, userId: input.userId },
    });
  };
  const fail = async (reason: string, user?: User, refusal?: { code: ErrorCode; details: Record<string, unknown> }): Promise<never> => {
    await recordFailure(reason, user, refusal);
    throw new AppError(refusal?.code ?? 'AUTH_LOGON_FAILED');
  };

  if (!found) {
    await verifyDecoy(input.password);
    return fail('unknown_user');
  }
  const { user, contract } = found;
  if (!found.triesPassword) {
    await verifyDecoy(input.password);
    return fail('stopped', user);
  }
  // R2.3: tried though blocked, so stopped only because the contract is (the master's stop, or
  // anyone's when linked): judged as usual, and told why only once the password was right (R2.4).
  const stoppedByContract = isBlocked(user, contract);
  const method: LogonMethod = user.login_password_hash ? 'password' : 'registration';
  let wrongReason = 'wrong_password';
  const checked = await checkSecretKeeping(deps, {
    holder: customerHolder(user),
    context,
    verify: async () => {
      const right = await verifyPasswordFor(user, method, input.password, now);
      if (!right.ok) wrongReason = right.reason;
      return right.ok;
    },
    recordWrong: () => recordFailure(wrongReason, user),
    recordBusy: (reason) => recordFailure(reason, user),
    firstTry: started.firstTry,
  });
  if (checked.verdict === 'no_attempt_left') {
    await verifyDecoy(input.password);
    return fail('stopped', user);
  }
  if (checked.verdict === 'wrong') throw new AppError('AUTH_LOGON_FAILED');
  // The session insert below gives the attempt back in the same statement.
  const { reservation } = checked;
  // The password is right. Each refusal below gives its attempt back (the secret was right) without
  // resetting the count, which only a completed logon does (decision 0001), and opens no session.
  // R4.1: a contract that uses certificates needs the person's own valid certificate at the
  // certificate listener; the first logon with the registration password needs none (nothing to bind).
  let clientCertificateId: number | null = null;
  if (gate.purpose === 'logon' && contract.certificate_required && method === 'password') {
    const judged = await certificateRefusal(gate, user);
    if ('refusal' in judged) {
      await releaseAttempt(deps.db, reservation);
      return fail(judged.refusal.reason, user, judged.refusal);
    }
    clientCertificateId = judged.certificateId;
  }
  if (stoppedByContract) {
    await releaseAttempt(deps.db, reservation);
    return fail('contract_stopped', user, { code: 'AUTH_CONTRACT_STOPPED', details: {} });
  }
  if (gate.purpose === 'certificate') {
    // R4.3: only after the right password, so the answer tells nothing to one who does not know it.
    const refused = !contract.certificate_required
      ? ({ reason: 'certificate_not_required', code: 'CERT_LOGON_NOT_REQUIRED' } as const)
      : method === 'registration'
        ? ({ reason: 'certificate_before_first_logon', code: 'CERT_LOGON_FIRST_LOGON_NEEDED' } as const)
        : undefined;
    if (refused) {
      await releaseAttempt(deps.db, reservation);
      return fail(refused.reason, user, { code: refused.code, details: {} });
    }
  }
  // The grid step's challenge (R3.2) is chosen and pinned as the session opens, in its statement.
  const opened = await createSessionAfter(
    deps,
    deps.db,
    { user, stage: 'grid', method, ip: context.ip, clientCertificateId },
    sql`${releasingAttempt(user, reservation)}, ${drawingChallenge(deps, user.id, now)}`,
    { pinnedChallenge: chosenChallenge },
  );
  // The person's row exists (read above), so `person` returns it and the session opened.
  return { token: opened!.token };
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
  const shown = live.shownChallenge;
  if (shown) return { kind: 'challenge', cells: parseCells(shown.cells), cardSerial: shown.cardSerial };
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
): Promise<{ token: string; stage: 'setup' | 'active' | 'certificate' }> {
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
  // R4.3: a password logon of a contract that uses certificates, opened without one, can only be
  // the logon of 電子証明書の取得・更新: it leads to the acquisition page and nowhere else.
  const forCertificate = live.contract.certificate_required && session.logon_method === 'password' && session.client_certificate_id === null;
  const purpose = forCertificate ? { purpose: 'certificate' } : {};
  const recordFailure = async (reason: string): Promise<void> => {
    await recordAudit(deps.db, { ...auditBase, outcome: 'failure', reason, details: { method: session.logon_method, ...purpose } });
  };
  const fail = async (reason: string): Promise<never> => {
    await recordFailure(reason);
    throw new AppError('AUTH_GRID_FAILED');
  };

  const found = await cardShownChallengeAndAttempt(deps.db, user, session.grid_challenge_id, now);
  if (!found) return fail('no_valid_card');
  const { card, challenge } = found;
  // A challenge already answered (a replay, or the loser of a double submit) is not an attempt.
  if (!challenge) return fail('grid_challenge_not_open');
  const checked = await checkSecretKeeping(deps, {
    holder: customerHolder(user),
    context,
    verify: () => isCorrectAnswer(cardDigits(deps, card), challenge.cells, answer),
    recordWrong: () => recordFailure('wrong_grid_answer'),
    recordBusy: recordFailure,
    firstTry: found.firstTry,
  });
  if (checked.verdict === 'no_attempt_left') return fail('stopped');
  if (checked.verdict === 'wrong') throw new AppError('AUTH_GRID_FAILED');
  // Consuming the challenge resets the count and gives the attempt back (below); a lost race gives it back alone.
  const { reservation } = checked;

  // One statement: the challenge consumed (the race gate), the count reset, the sessions ended, the
  // new session opened and — only then — the logon's record appended (R9.1, decision 0031).
  const completed = await inTransaction(deps.db, async (tx) => {
    const stage = forCertificate ? 'certificate' : stageAfterLogon(user);
    const record = {
      ...auditBase,
      outcome: 'success',
      details: { method: session.logon_method, cardSerial: card.serial, ...purpose, ...(session.client_certificate_id ? { certificateId: session.client_certificate_id } : {}) },
    } as const;
    const created = await createSessionAfter(
      deps,
      tx,
      { user, stage, method: session.logon_method, ip: context.ip, clientCertificateId: session.client_certificate_id },
      completingLogon(tx, challenge.id, user.id, session.id, reservation, now),
      { append: gatedAppend([record], sessionOpens) },
    );
    return created ? ({ token: created.token, stage } as const) : undefined;
  });
  if (completed) return completed;
  await releaseAttempt(deps.db, reservation);
  return fail('grid_challenge_already_answered');
}
