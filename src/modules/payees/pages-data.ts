import type { Deps } from '../../deps.ts';
import type { Payee } from '../../db/schema-payees.ts';
import { AppError } from '../../errors.ts';
import type { LiveSession } from '../../access/sessions.ts';
import type { FormState } from '../../web/form.ts';
import { findBank, findBranch } from '../../domain/bank-directory.ts';
import { detailsOf, payeePage, type PayeePage } from './service.ts';
import type { PayeeDetails } from './form-input.ts';
import { ownBank } from './own-bank.ts';
import type { Destination } from './views.ts';

/** What the payee pages read besides the use cases. */

/** A payee's destination, or an entry's, with the bank and branch its codes name. */
export async function destinationOf(deps: Deps, details: PayeeDetails | Payee): Promise<Destination> {
  const d = 'bank_code' in details ? detailsOf(details) : details;
  const own = ownBank(deps);
  return { details: d, bank: findBank(own, d.bankCode), branch: await findBranch(own, d.bankCode, d.branchCode) };
}

/** The payee a change page is about; opened afresh, a change that is not allowed is refused. */
export async function changeablePayee(deps: Deps, live: LiveSession, payeeId: number, state: FormState): Promise<PayeePage> {
  const found = await payeePage(deps, live, payeeId);
  const refusal = found.refused.change;
  if (refusal && !state.error) throw new AppError(refusal);
  return found;
}

/** R8.5: whether a registration or change made now waits for approval, under the contract's setting. */
export async function entryNeedsApproval(deps: Deps, live: LiveSession): Promise<boolean> {
  const contract = await deps.db.selectFrom('contract').select('approval_mode').where('id', '=', live.user.contract_id).executeTakeFirstOrThrow();
  return contract.approval_mode !== 'none';
}
