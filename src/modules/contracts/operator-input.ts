import type { Deps } from '../../deps.ts';
import type { User } from '../../db/schema.ts';

/** What the bank's operator typed names nothing, or is not allowed: the CLI prints it and changes nothing. */
export class OperatorInputError extends Error {}

export async function findPerson(deps: Deps, contractId: string, userId: string): Promise<User> {
  const user = await deps.db.selectFrom('users').selectAll().where('contract_id', '=', contractId).where('user_id', '=', userId).executeTakeFirst();
  if (!user) throw new OperatorInputError(`no user ${userId} in contract ${contractId}`);
  return user;
}
