import type { Executor, Tx } from '../../db/transaction.ts';
import type { Account, User, UserPermission } from '../../db/schema.ts';
import { steps, type Grant, type Person, type Step } from '../../domain/permissions.ts';

/**
 * The contract's people as the permission rules see them. Every query takes the contract ID: a
 * person of another contract cannot be read through here (cross-contract access is impossible by
 * construction).
 */
export interface PersonRecord {
  user: User;
  person: Person;
}

const stepColumns: Record<Step, 'can_register' | 'can_approve' | 'can_send'> = {
  register: 'can_register',
  approve: 'can_approve',
  send: 'can_send',
};

function grantFromRow(row: UserPermission): Grant {
  return {
    business: row.business,
    steps: steps.filter((step) => row[stepColumns[step]]),
    perTransactionLimitYen: row.per_transaction_limit_yen,
    dailyLimitYen: row.daily_limit_yen,
  };
}

/** The contract's open accounts, in the order the bank lists them. */
export async function contractAccounts(executor: Executor, contractId: string): Promise<Account[]> {
  return executor
    .selectFrom('account')
    .selectAll()
    .where('contract_id', '=', contractId)
    .where('closed_at', 'is', null)
    .orderBy('branch_code')
    .orderBy('account_number')
    .orderBy('account_type')
    .execute();
}

async function recordsOf(executor: Executor, contractId: string, users: User[]): Promise<PersonRecord[]> {
  if (users.length === 0) return [];
  const refs = users.map((user) => user.id);
  const permissions = await executor
    .selectFrom('user_permission')
    .innerJoin('users', 'users.id', 'user_permission.user_ref')
    .selectAll('user_permission')
    .where('users.contract_id', '=', contractId)
    .where('user_permission.user_ref', 'in', refs)
    .execute();
  // Only accounts of the contract count, whatever a row of user_account may say.
  const accounts = await executor
    .selectFrom('user_account')
    .innerJoin('account', 'account.id', 'user_account.account_id')
    .select(['user_account.user_ref', 'user_account.account_id'])
    .where('account.contract_id', '=', contractId)
    .where('account.closed_at', 'is', null)
    .where('user_account.user_ref', 'in', refs)
    .orderBy('user_account.account_id')
    .execute();
  const all = users.some((user) => user.role === 'master') ? (await contractAccounts(executor, contractId)).map((a) => a.id) : [];
  return users.map((user) => ({
    user,
    person: {
      ref: user.id,
      contractId: user.contract_id,
      role: user.role,
      status: user.status,
      stopped: user.stopped_at !== null,
      grants: permissions.filter((row) => row.user_ref === user.id).map(grantFromRow),
      // R1.4: the master may use every open account of the contract, anyone else the open ones
      // linked to them. usesAccountSql (./account-use.ts) is this rule's SQL form.
      accountIds: user.role === 'master' ? all : accounts.filter((row) => row.user_ref === user.id).map((row) => row.account_id),
    },
  }));
}

/** Everyone of the contract, the master first, then by user ID. */
export async function peopleOf(executor: Executor, contractId: string): Promise<PersonRecord[]> {
  const users = await executor
    .selectFrom('users')
    .selectAll()
    .where('contract_id', '=', contractId)
    .orderBy('role')
    .orderBy('user_id')
    .execute();
  return recordsOf(executor, contractId, users);
}

export async function personByUserId(executor: Executor, contractId: string, userId: string): Promise<PersonRecord | undefined> {
  const user = await executor.selectFrom('users').selectAll().where('contract_id', '=', contractId).where('user_id', '=', userId).executeTakeFirst();
  return user ? (await recordsOf(executor, contractId, [user]))[0] : undefined;
}

export async function personByRef(executor: Executor, contractId: string, ref: number): Promise<PersonRecord | undefined> {
  const user = await executor.selectFrom('users').selectAll().where('contract_id', '=', contractId).where('id', '=', ref).executeTakeFirst();
  return user ? (await recordsOf(executor, contractId, [user]))[0] : undefined;
}

/**
 * Locks the person a change is about, before the contract: the order in which a stop (R2.3) and a
 * lift take their locks, so that a change and a stop of the same person never deadlock.
 */
export async function lockPerson(tx: Tx, contractId: string, userId: string): Promise<void> {
  await tx.selectFrom('users').select('id').where('contract_id', '=', contractId).where('user_id', '=', userId).forUpdate().executeTakeFirst();
}

/**
 * Changes to a contract's people are made one at a time: the rules that look at everyone (the last
 * administrator, a free user ID) are then judged on rows nobody else is changing.
 */
export async function lockContract(tx: Tx, contractId: string): Promise<void> {
  await tx.selectFrom('contract').select('id').where('id', '=', contractId).forUpdate().executeTakeFirstOrThrow();
}

export async function userIdTaken(executor: Executor, contractId: string, userId: string): Promise<boolean> {
  const row = await executor.selectFrom('users').select('id').where('contract_id', '=', contractId).where('user_id', '=', userId).executeTakeFirst();
  return row !== undefined;
}

export async function replaceGrants(tx: Tx, userRef: number, grants: readonly Grant[]): Promise<void> {
  await tx.deleteFrom('user_permission').where('user_ref', '=', userRef).execute();
  if (grants.length === 0) return;
  await tx
    .insertInto('user_permission')
    .values(
      grants.map((grant) => ({
        user_ref: userRef,
        business: grant.business,
        can_register: grant.steps.includes('register'),
        can_approve: grant.steps.includes('approve'),
        can_send: grant.steps.includes('send'),
        per_transaction_limit_yen: grant.perTransactionLimitYen,
        daily_limit_yen: grant.dailyLimitYen,
      })),
    )
    .execute();
}

export async function replaceAccounts(tx: Tx, userRef: number, accountIds: readonly number[]): Promise<void> {
  await tx.deleteFrom('user_account').where('user_ref', '=', userRef).execute();
  if (accountIds.length === 0) return;
  await tx
    .insertInto('user_account')
    .values(accountIds.map((accountId) => ({ user_ref: userRef, account_id: accountId })))
    .execute();
}

export interface CardState {
  validSerial: string | undefined;
  requested: boolean;
}

/** Each person's valid grid card and whether a card has been asked of the bank and not yet issued (R3.3). */
export async function cardStates(executor: Executor, contractId: string, now: Date): Promise<Map<number, CardState>> {
  const cards = await executor
    .selectFrom('grid_card')
    .innerJoin('users', 'users.id', 'grid_card.user_ref')
    .select(['grid_card.user_ref', 'grid_card.serial'])
    .where('users.contract_id', '=', contractId)
    .where('grid_card.invalidated_at', 'is', null)
    .where('grid_card.expires_at', '>', now)
    .execute();
  const requests = await executor
    .selectFrom('grid_card_request')
    .innerJoin('users', 'users.id', 'grid_card_request.user_ref')
    .select('grid_card_request.user_ref')
    .where('users.contract_id', '=', contractId)
    .where('grid_card_request.fulfilled_at', 'is', null)
    .where('grid_card_request.cancelled_at', 'is', null)
    .execute();
  const states = new Map<number, CardState>();
  const stateOf = (ref: number): CardState => {
    const known = states.get(ref);
    if (known) return known;
    const fresh: CardState = { validSerial: undefined, requested: false };
    states.set(ref, fresh);
    return fresh;
  };
  for (const card of cards) stateOf(card.user_ref).validSerial = card.serial;
  for (const request of requests) stateOf(request.user_ref).requested = true;
  return states;
}

