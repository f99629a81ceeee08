import type { Deps } from '../../deps.ts';
import type { Contract, User } from '../../db/schema.ts';
import { confirmWithToken, type AcceptedCode, type TokenEntry } from './check.ts';
import { graceEnd, withinGrace } from './standing.ts';
import { tokyoDate } from '../../domain/business-days.ts';

/**
 * R6.4, R6.5: whether an operation that needs the token password asks for it from this person now —
 * `not_needed` before the contract applied for tokens (its first assignment); `grace` while the person has none usable and the
 * contract's grace period runs (the operation goes ahead without it); `required` otherwise (with
 * no usable token, the operation is refused with how to activate one).
 */
export type TokenRequirement = 'not_needed' | 'grace' | 'required';

export async function tokenRequirement(deps: Deps, user: User, contract: Pick<Contract, 'id' | 'tokens_applied_at'>): Promise<TokenRequirement> {
  // Once the contract has applied for tokens, a token is needed for good: revoking every one of them
  // (lost, stolen) must not let the operations go ahead without one.
  if (!contract.tokens_applied_at) return 'not_needed';
  const now = deps.clock.now();
  const usable = user.token_serial
    ? await deps.db
        .selectFrom('hardware_token')
        .select('serial')
        .where('serial', '=', user.token_serial)
        .where('contract_id', '=', contract.id)
        .where('revoked_at', 'is', null)
        .where('expires_on', '>', tokyoDate(now))
        .executeTakeFirst()
    : undefined;
  if (usable) return 'required';
  return withinGrace(contract, deps.config.tokenGraceDays, now) ? 'grace' : 'required';
}

/** The token password where the person's operation needs it now; undefined when it does not (R6.4). */
export async function confirmWithTokenWhereNeeded(deps: Deps, entry: TokenEntry, contract: Pick<Contract, 'id' | 'tokens_applied_at'>, code: unknown): Promise<AcceptedCode | undefined> {
  if ((await tokenRequirement(deps, entry.user, contract)) !== 'required') return undefined;
  return confirmWithToken(deps, entry, code);
}

/** What a form shows of the token password: whether it is asked, and until when the grace period runs (R6.4). */
export interface TokenAsk {
  requirement: TokenRequirement;
  graceUntil: Date | undefined;
}

export async function tokenAsk(deps: Deps, user: User, contract: Pick<Contract, 'id' | 'tokens_applied_at'>): Promise<TokenAsk> {
  return { requirement: await tokenRequirement(deps, user, contract), graceUntil: graceEnd(contract, deps.config.tokenGraceDays) };
}
