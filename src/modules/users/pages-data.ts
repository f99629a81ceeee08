import type { Deps } from '../../deps.ts';
import type { Account } from '../../db/schema.ts';
import { AppError } from '../../errors.ts';
import { refusalToAct } from '../../domain/permissions.ts';
import type { LiveSession } from '../../access/sessions.ts';
import { refusalField } from './form-input.ts';
import { administrator, subjectOf } from './administrator.ts';
import { cardStates, contractAccounts, peopleOf, type CardState, type PersonRecord } from './repository.ts';

/** What the users pages show; each first asks whether the session's person may administer (R1.4). */

export interface FormPage {
  actor: PersonRecord;
  accounts: Account[];
}

export interface PersonPage extends FormPage {
  subject: PersonRecord;
  card: CardState | undefined;
}

/** The list page: everyone of the actor's contract, with their card state (R1.4, R3.3). */
export async function usersOverview(deps: Deps, live: LiveSession): Promise<{ people: PersonRecord[]; cards: Map<number, CardState> }> {
  await administrator(deps, live);
  const contractId = live.user.contract_id;
  return { people: await peopleOf(deps.db, contractId), cards: await cardStates(deps.db, contractId, deps.clock.now()) };
}

/** The create page: the actor (whose permissions bound what may be given) and the contract's accounts. */
export async function newPersonPage(deps: Deps, live: LiveSession): Promise<FormPage> {
  const actor = await administrator(deps, live);
  return { actor, accounts: await contractAccounts(deps.db, live.user.contract_id) };
}

/** One person's page: the actor, the person, the contract's accounts and the person's card. */
export async function personPage(deps: Deps, live: LiveSession, userId: string): Promise<PersonPage> {
  const { actor, accounts } = await newPersonPage(deps, live);
  const subject = await subjectOf(deps.db, live, userId);
  const refused = refusalToAct(actor.person, subject.person, 'view');
  if (refused) throw new AppError(refused.code, { field: refusalField(refused) });
  const cards = await cardStates(deps.db, live.user.contract_id, deps.clock.now());
  return { actor, subject, accounts, card: cards.get(subject.user.id) };
}
