import type { Deps } from '../../deps.ts';
import type { AccountType } from '../../db/schema.ts';
import { AppError } from '../../errors.ts';
import { businessDayOnOrAfter, tokyoDate } from '../../domain/business-days.ts';
import type { RequestContext } from '../../access/request-context.ts';
import type { LiveSession } from '../../access/sessions.ts';
import { accountBalances, type AccountBalance } from '../accounts/repository.ts';
import { findBank, findBranch, searchBanks, searchBranches } from '../../domain/bank-directory.ts';
import { ownBank } from '../payees/own-bank.ts';
import { payeesOf } from '../payees/repository.ts';
import { holderOf, usableAccountIds } from './holder.ts';
import type { Actor } from './service.ts';
import { randomToken } from '../../platform/random.ts';

/** R8.6: a key per money-moving form, made when the form is rendered: 24 random bytes, 32 characters. */
const idempotencyKeyBytes = 24;

export function newFormKey(deps: Deps): string {
  return randomToken(deps.random, idempotencyKeyBytes);
}
import { field } from './form-input.ts';
import { lookupText } from './pages-query.ts';
import type { CodeLookup } from './views-lookup.ts';

/** What the transfer pages read besides the use cases: the actor, and the choices the form offers. */

/** The session's person as the transfers use cases take them, with the protections of the session (R9.1). */
export function actorOf(live: LiveSession, context: RequestContext): Actor {
  return {
    user: live.user,
    contract: live.contract,
    ip: context.ip,
    userAgent: context.userAgent,
    protections: { certificate: live.session.client_certificate_id !== null },
  };
}

export interface PayeeChoice {
  id: number;
  label: { name: string; bank: string; branch: string; accountType: AccountType; accountNumber: string };
}

export interface TransferFormChoices {
  /** R8.2: the open accounts the person may pay from, with their balances. */
  accounts: AccountBalance[];
  /** The contract's registered payees that can be paid now (approved, not deleted). */
  payees: PayeeChoice[];
  /** R8.2: today when the bank is open, otherwise its next business day. */
  defaultDate: string;
}

/** The choices of the transfer form; a person without the register step has no form (R8.5). */
export async function transferFormChoices(deps: Deps, actor: Actor): Promise<TransferFormChoices> {
  const holder = await holderOf(deps.db, actor);
  if (!holder.canRegister) throw new AppError('TRANSFER_NOT_PERMITTED');
  const accountIds = await usableAccountIds(deps.db, actor, { openOnly: true });
  const accounts = await accountBalances(deps.db, actor.contract.id, accountIds);
  const own = ownBank(deps);
  const payees = await Promise.all(
    (await payeesOf(deps.db, actor.contract.id, ['active'])).map(async (payee) => {
      const bank = findBank(own, payee.bank_code);
      const branch = await findBranch(own, payee.bank_code, payee.branch_code);
      return {
        id: payee.id,
        label: {
          name: payee.nickname ? `${payee.nickname}（${payee.name_kana}）` : payee.name_kana,
          bank: bank ? bank.name : payee.bank_code,
          branch: branch ? branch.name : payee.branch_code,
          accountType: payee.account_type,
          accountNumber: payee.account_number,
        },
      };
    }),
  );
  return { accounts, payees, defaultDate: businessDayOnOrAfter(tokyoDate(deps.clock.now())) };
}

/** R8.2: the bank and branch searches under the form, for the bank the form names (typed or picked). */
export async function codeLookupOf(deps: Deps, query: unknown, values: Record<string, string>): Promise<CodeLookup> {
  const bankQuery = lookupText(query, 'bankQuery');
  const branchQuery = lookupText(query, 'branchQuery');
  const typedBank = values[field.bankCode];
  const own = ownBank(deps);
  const bank = typedBank === undefined ? undefined : findBank(own, typedBank);
  return {
    bankQuery,
    branchQuery,
    banks: bankQuery.trim() === '' ? undefined : searchBanks(own, bankQuery),
    branches: bank && branchQuery.trim() !== '' ? await searchBranches(own, bank.code, branchQuery) : undefined,
    bank,
  };
}
