import assert from 'node:assert/strict';
import type { Deps } from '../deps.ts';
import { confirmWithConfirmationPassword } from '../access/confirmation-password.ts';
import { confirmWithTokenWhereNeeded } from '../access/hardware-token/requirement.ts';
import type { CommandActor } from './actor.ts';

/**
 * A secret that confirms a change, declared by the change: the actor's confirmation password (R1.5),
 * and the password of the actor's hardware token (R6.5), asked once the contract has tokens and the
 * grace period is over or the actor has one (access/hardware-token/requirement.ts).
 */
export type Confirmation = { kind: 'confirmation_password'; password: string } | { kind: 'token_password'; code: string };

export const confirmationPassword = (password: string): Confirmation => ({ kind: 'confirmation_password', password });
export const tokenPassword = (code: string): Confirmation => ({ kind: 'token_password', code });

/**
 * Checks each secret in the order declared; the first wrong one refuses the change. A customer's
 * secret confirms a customer's change only: a staff command declares none.
 */
export async function confirmSecrets(deps: Deps, actor: CommandActor, action: string, confirmations: readonly Confirmation[]): Promise<void> {
  for (const confirmation of confirmations) {
    switch (confirmation.kind) {
      case 'confirmation_password':
        assert('live' in actor, 'a staff command declares no customer confirmation');
        await confirmWithConfirmationPassword(deps, actor.live, confirmation.password, actor.context, action);
        break;
      case 'token_password':
        assert('live' in actor, 'a staff command declares no customer confirmation');
        await confirmWithTokenWhereNeeded(deps, { user: actor.live.user, context: actor.context, action }, actor.live.contract, confirmation.code);
        break;
    }
  }
}
