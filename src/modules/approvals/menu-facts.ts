import type { Deps } from '../../deps.ts';
import type { Business } from '../../db/schema.ts';
import type { LiveSession } from '../../access/sessions.ts';
import type { MenuFacts } from '../../web/menu-facts.ts';
import { waitingForRequest } from './request-waiting.ts';

/**
 * The menu's facts (web/menu-facts.ts): the businesses the person holds (R1.4), read with this
 * request's session (LiveSession.heldSteps), and the count waiting for them (R8.5).
 */
export async function menuFacts(deps: Deps, live: LiveSession): Promise<MenuFacts> {
  const grant = (business: Business) => live.heldSteps.find((g) => g.business === business);
  const steps = (business: Business) => {
    const g = grant(business);
    return g ? { any: g.register || g.approve || g.send, register: g.register, later: g.approve || g.send } : { any: false, register: false, later: false };
  };
  const transfer = steps('transfer');
  const bulk = steps('bulk_transfer');
  const approval = transfer.later || bulk.later;
  return {
    waiting: approval ? (await waitingForRequest(deps, live)).total : 0,
    inquiry: grant('inquiry') !== undefined,
    transfer: transfer.any,
    registerTransfer: transfer.register,
    approval,
    bulk: bulk.any,
    taxPayment: grant('tax_payment') !== undefined,
  };
}
