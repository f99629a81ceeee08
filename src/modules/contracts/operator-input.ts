import type { Deps } from '../../deps.ts';
import type { User } from '../../db/schema.ts';

/** What the bank's operator typed names nothing, or is not allowed: the CLI prints it and changes nothing. */
export class OperatorInputError extends Error {
  /** Fields a script reads besides the message, printed with it under --json (the serial a refused token file names). */
  readonly fields: Record<string, string>;
  constructor(message: string, fields: Record<string, string> = {}) {
    super(message);
    this.fields = fields;
  }
}

export async function findPerson(deps: Deps, contractId: string, userId: string): Promise<User> {
  const user = await deps.db.selectFrom('users').selectAll().where('contract_id', '=', contractId).where('user_id', '=', userId).executeTakeFirst();
  if (!user) throw new OperatorInputError(`no user ${userId} in contract ${contractId}`);
  return user;
}
