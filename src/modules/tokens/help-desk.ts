import type { Deps } from '../../deps.ts';
import { inTransaction, type Tx } from '../../db/transaction.ts';
import { AppError } from '../../errors.ts';
import { driftOf } from '../../auth/token-totp.ts';
import { codeStep, spendStep } from '../../access/hardware-token/check.ts';
import { tokenSecretAssociatedData, totpParametersOf } from '../../access/hardware-token/secret.ts';
import { tokenExpired } from '../../access/hardware-token/standing.ts';
import { recordAudit } from '../../audit/audit-trail.ts';
import type { TokenActor } from './import.ts';

/** The help desk's record of what it did with a token, filed under the token's contract (none while unassigned). */
function deskAudit(tx: Tx, by: TokenActor, at: Date, contractId: string | null, action: string, ok: boolean, details: Record<string, unknown>) {
  return recordAudit(tx, { at, contractId, userRef: null, actor: by.actor, ip: by.ip, userAgent: by.userAgent, action, outcome: ok ? 'success' : 'failure', details });
}

async function tokenOf(deps: Deps, serial: string) {
  const token = await deps.db.selectFrom('hardware_token').selectAll().where('serial', '=', serial).executeTakeFirst();
  if (!token) throw new AppError('TOKEN_UNKNOWN', { field: 'serial' });
  return token;
}

/**
 * The help desk tests a code a customer reads out over the telephone. It counts as a use (R6.8): an
 * accepted code spends its step for everyone sharing the token, so a code read out can never be
 * used again by whoever overheard it. A revoked or expired token never passes.
 */
export async function testTokenCode(deps: Deps, serial: string, code: string, by: TokenActor): Promise<{ ok: boolean }> {
  const token = await tokenOf(deps, serial);
  const now = deps.clock.now();
  const usable = token.revoked_at === null && !tokenExpired(token, now);
  const step = usable && /^[0-9]{6}$/.test(code) ? codeStep(deps, token, code, now) : undefined;
  return inTransaction(deps.db, async (tx) => {
    const ok = step !== undefined && (await spendStep(tx, serial, step, now));
    await deskAudit(tx, by, now, token.contract_id, 'token.test', ok, { serial, ...(ok ? {} : { reason: !usable ? 'token not usable' : step === undefined ? 'wrong code' : 'code already accepted' }) });
    return { ok };
  });
}

/**
 * A token whose clock has drifted: two codes the customer reads one after the other give its drift,
 * stored on the token (the ±1 step window then centres on it). The second code spends its step (R6.8).
 */
export async function resyncToken(deps: Deps, serial: string, first: string, second: string, by: TokenActor): Promise<{ driftSteps: number }> {
  const token = await tokenOf(deps, serial);
  const now = deps.clock.now();
  if (token.revoked_at !== null || tokenExpired(token, now)) throw new AppError('TOKEN_NOT_ASSIGNABLE', { field: 'serial' });
  const secret = Buffer.from(deps.keyring.open(token.secret_sealed, tokenSecretAssociatedData(serial)), 'base64');
  const drift = driftOf(secret, first, second, now, totpParametersOf(token));
  // The failure is recorded too: the transaction commits either way, and the refusal is said after it.
  const spent = await inTransaction(deps.db, async (tx) => {
    const step = drift === undefined ? undefined : Math.floor(now.getTime() / 1000 / token.step_seconds) + drift;
    const ok = step !== undefined && (await spendStep(tx, serial, step, now));
    if (ok) await tx.updateTable('hardware_token').set({ drift_steps: drift! }).where('serial', '=', serial).execute();
    await deskAudit(tx, by, now, token.contract_id, 'token.resync', ok, { serial, ...(ok ? { driftSteps: drift, previousDriftSteps: token.drift_steps } : { reason: 'codes do not fit' }) });
    return ok;
  });
  if (!spent) throw new AppError('TOKEN_RESYNC_FAILED', { field: 'otp' });
  return { driftSteps: drift! };
}
