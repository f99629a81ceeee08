import type { Executor } from '../../db/transaction.ts';
import type { User } from '../../db/schema.ts';
import type { ActorKind } from '../../domain/lock-modes.ts';
import { isValidUserId } from '../../domain/identifiers.ts';
import { AppError } from '../../errors.ts';

/**
 * R1.4, R1.6: the master administers the contract; a user holding the user-administration
 * permission is an admin user; everyone else is a general user.
 */
export async function actorKindOf(executor: Executor, person: User): Promise<ActorKind> {
  if (person.role === 'master') return 'master';
  const admin = await executor
    .selectFrom('user_permission')
    .select('user_ref')
    .where('user_ref', '=', person.id)
    .where('business', '=', 'user_admin')
    .executeTakeFirst();
  return admin ? 'admin_user' : 'general_user';
}

/**
 * A person of the actor's own contract, by user ID. The contract comes from the actor's session,
 * never from the request, so another contract's people cannot be named (they are simply not
 * found); deleted people are gone for every purpose but the audit trail.
 */
export async function personOfContract(executor: Executor, contractId: string, userId: string): Promise<User> {
  if (!isValidUserId(userId)) throw new AppError('NOT_FOUND');
  const person = await executor
    .selectFrom('users')
    .selectAll()
    .where('contract_id', '=', contractId)
    .where('user_id', '=', userId)
    .where('status', '<>', 'deleted')
    .executeTakeFirst();
  if (!person) throw new AppError('NOT_FOUND');
  return person;
}
