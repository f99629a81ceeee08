import assert from 'node:assert/strict';
import type { Deps } from '../deps.ts';
import { confirmWithConfirmationPassword } from '../access/confirmation-password.ts';
import type { CommandActor } from './actor.ts';

/**
 * A secret that confirms a change, declared by the change: today the actor's confirmation password
 * (R1.5); the email one-time password and the hardware token join here as kinds of their own.
 */
export type Confirmation = { kind: 'confirmation_password'; password: string };

export const confirmationPassword = (password: string): Confirmation => ({ kind: 'confirmation_password', password });

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
    }
  }
}
