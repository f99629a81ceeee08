import type { Deps } from '../../deps.ts';
import type { Tx } from '../../db/transaction.ts';
import type { User } from '../../db/schema.ts';
import type { RequestContext } from '../../access/request-context.ts';
import { sendEmailCode, voidEmailCode } from '../settings/email-service.ts';

/**
 * R7.3: an address an administrator sets for someone else is confirmed by its owner before it is
 * used. It waits in `unconfirmed_email` with a code sent to it; the owner enters the code after
 * logging on (at the setup when they have no confirmed address, else on the email page), and only
 * then does it replace the address notices go to. Until then notices keep going to the old address,
 * or to none. An administrator cannot redirect a person's notices alone.
 */
export type AddressChange = 'none' | 'set' | 'withdraw';

type Addresses = Pick<User, 'email' | 'unconfirmed_email'>;

/** The address the administration form shows: one set and waiting for its owner, else the one in use. */
export function administeredAddress(user: Addresses): string {
  return user.unconfirmed_email ?? user.email ?? '';
}

/** What a submitted address does: nothing, sets a new one to confirm, or takes back one still waiting (the one in use typed again). */
export function addressChange(user: Addresses, wanted: string): AddressChange {
  if (wanted === administeredAddress(user)) return 'none';
  if (user.unconfirmed_email !== null && wanted === user.email) return 'withdraw';
  return 'set';
}

export interface AdministeredAddress {
  owner: Pick<User, 'id' | 'contract_id' | 'user_id' | 'unconfirmed_email'>;
  wanted: string;
  change: AddressChange;
  setBy: { userId: string; companyName: string };
  context: RequestContext;
}

/** In the administrator's transaction: the waiting address and the code sent to it, or its withdrawal. */
export async function applyAdministeredAddress(deps: Deps, tx: Tx, address: AdministeredAddress): Promise<void> {
  const { owner, wanted, change } = address;
  if (change === 'none') return;
  if (change === 'withdraw') {
    await tx.updateTable('users').set({ unconfirmed_email: null }).where('id', '=', owner.id).execute();
    if (owner.unconfirmed_email) await voidEmailCode(deps, tx, owner.id, owner.unconfirmed_email);
    return;
  }
  await tx.updateTable('users').set({ unconfirmed_email: wanted }).where('id', '=', owner.id).execute();
  await sendEmailCode(deps, tx, { owner, newEmail: wanted, setBy: address.setBy, context: address.context });
}
