import type { Deps } from '../../deps.ts';
import { AppError } from '../../errors.ts';
import { recordAudit, userActor } from '../../audit/audit-trail.ts';
import type { LiveSession } from '../sessions.ts';
import type { RequestContext } from '../request-context.ts';
import { acceptStep, codeStep, evaluated, refuseWrong, reserveTokenAttempt, usableTokenOf } from './check.ts';
import { notifyTokenChange } from './notices.ts';
import { tokenExpired } from './standing.ts';

export const serialPattern = /^[A-Za-z0-9-]{1,32}$/;

/** Whether the person holds a usable token now (R6.7: not revoked, not expired). */
export async function hasUsableToken(deps: Deps, live: LiveSession): Promise<boolean> {
  try {
    await usableTokenOf(deps, live.user);
    return true;
  } catch (error) {
    if (error instanceof AppError) return false;
    throw error;
  }
}

/**
 * R6.3 [ワンタイムパスワード利用開始登録]: the person enters the serial printed on the token and the
 * code it shows. The token must be one the bank assigned to the person's contract, usable; several
 * people of a contract may activate the same one (shared). A wrong serial and a wrong code get the
 * same answer and cost the same attempt (R6.6), so serials cannot be probed; the code of an
 * activation is a use of the token like any other (R6.8).
 */
export async function activateToken(deps: Deps, live: LiveSession, serial: string, code: string, context: RequestContext): Promise<string> {
  const { user } = live;
  if (await hasUsableToken(deps, live)) throw new AppError('TOKEN_ALREADY_ACTIVE');
  if (!serialPattern.test(serial)) throw new AppError('TOKEN_SERIAL_INVALID', { field: 'serial' });
  if (!/^[0-9]{6}$/.test(code)) throw new AppError('TOKEN_CODE_FORMAT', { field: 'tokenCode' });
  const entry = { user, context, action: 'token.activate' };
  const attempt = await reserveTokenAttempt(deps, entry);
  const now = deps.clock.now();
  const token = await deps.db.selectFrom('hardware_token').selectAll().where('serial', '=', serial).where('contract_id', '=', user.contract_id).executeTakeFirst();
  const usable = token !== undefined && token.revoked_at === null && !tokenExpired(token, now);
  const step = usable ? await evaluated(deps, user, () => codeStep(deps, token, code, now)) : undefined;
  if (!token || step === undefined) return refuseWrong(deps, entry, usable ? serial : undefined, attempt, 'TOKEN_ACTIVATION_FAILED');
  await acceptStep(deps, entry, serial, step, 'token.activate', async (tx, at) => {
    await tx.updateTable('users').set({ token_serial: serial, token_activated_at: at }).where('id', '=', user.id).execute();
    await notifyTokenChange(deps, tx, user, { actorLabel: user.user_id, what: 'hardwareToken.notice.activated', params: { serial }, ip: context.ip, at });
  });
  return serial;
}

/** R6.4 [トークン利用開始登録の省略]: the activation page is not offered again in this session. */
export async function skipActivation(deps: Deps, live: LiveSession, context: RequestContext): Promise<void> {
  const now = deps.clock.now();
  await deps.db.transaction().execute(async (tx) => {
    await tx.updateTable('session').set({ token_prompt_skipped: true }).where('id', '=', live.session.id).execute();
    await recordAudit(tx, {
      at: now,
      contractId: live.user.contract_id,
      userRef: live.user.id,
      actor: userActor(live.user.contract_id, live.user.user_id),
      action: 'token.activation_skip',
      outcome: 'info',
      ip: context.ip,
      userAgent: context.userAgent,
    });
  });
}
