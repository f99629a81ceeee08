/**
 * Who may administer a contract's people, and what they may give them (R1.4, R1.6): small pure
 * rules of the form "may this actor do this to this subject". Each answers with the reason of a
 * refusal (an error code) or undefined when the action is allowed. Services ask before a change and
 * again inside its transaction, on rows read under the contract's lock.
 */

export const businesses = ['inquiry', 'transfer', 'tax_payment', 'bulk_transfer', 'user_admin'] as const;
export type Business = (typeof businesses)[number];
export const steps = ['register', 'approve', 'send'] as const;
export type Step = (typeof steps)[number];

/** R1.4: the steps register, approve and send apply to fund transfer and bulk file transmission. */
export function hasSteps(business: Business): boolean {
  return business === 'transfer' || business === 'bulk_transfer';
}

/** R1.4: usage limits (per transaction, per day) apply to the businesses that move money. */
export function hasLimits(business: Business): boolean {
  return business === 'transfer' || business === 'tax_payment' || business === 'bulk_transfer';
}

export interface Grant {
  business: Business;
  steps: readonly Step[];
  perTransactionLimitYen: bigint | null;
  dailyLimitYen: bigint | null;
}

export interface Person {
  ref: number;
  contractId: string;
  role: 'master' | 'user';
  status: 'active' | 'suspended' | 'deleted';
  stopped: boolean;
  grants: readonly Grant[];
  /** The accounts the person may use; the master's are every open account of the contract. */
  accountIds: readonly number[];
}

export type Refusal =
  | 'NOT_FOUND'
  | 'FORBIDDEN'
  | 'USERS_MASTER_PROTECTED'
  | 'USERS_ADMIN_PROTECTED'
  | 'USERS_SELF'
  | 'USERS_DELETED'
  | 'USERS_GRANT_INVALID'
  | 'USERS_STEP_REQUIRED'
  | 'USERS_LIMIT_REQUIRED'
  | 'USERS_LIMIT_ORDER'
  | 'USERS_GRANT_BEYOND_OWN'
  | 'USERS_LIMIT_BEYOND_OWN'
  | 'USERS_ACCOUNT_BEYOND_OWN'
  | 'USERS_LAST_ADMINISTRATOR';

/** A refusal, with the business or account it is about so that a page can point at the field. */
export interface Refused {
  code: Refusal;
  business?: Business;
  accountId?: number;
}

export type SubjectAction = 'view' | 'change' | 'suspend' | 'resume' | 'delete' | 'reset_password' | 'lift_stop';

export function grantOf<G extends Pick<Grant, 'business'>>(person: { grants: readonly G[] }, business: Business): G | undefined {
  return person.grants.find((grant) => grant.business === business);
}

/**
 * What decides whether a person administers: their role, their standing and which businesses they
 * hold, not the steps, limits or accounts of their grants. A session knows this much of its person
 * (src/access/sessions.ts) and asks the rule below on it.
 */
export type AdministeringFacts = Pick<Person, 'role' | 'status' | 'stopped'> & { grants: readonly Pick<Grant, 'business'>[] };

/** An admin user [管理者ユーザ] is a user, other than the master, who holds user administration (R1.4). */
export function isAdminUser(person: AdministeringFacts): boolean {
  return person.role === 'user' && grantOf(person, 'user_admin') !== undefined;
}

/** R1.4: the master and the admin users administer the contract's people, while they may use the service. */
export function mayAdminister(person: AdministeringFacts): boolean {
  return person.status === 'active' && !person.stopped && (person.role === 'master' || isAdminUser(person));
}

export type RoleName = 'master' | 'admin' | 'approver' | 'general';

/** R1.6: the roles the pages name: master, admin users, approvers [承認者] and general users [一般者]. */
export function roleOf(person: Person): RoleName {
  if (person.role === 'master') return 'master';
  if (isAdminUser(person)) return 'admin';
  if (person.grants.some((grant) => hasSteps(grant.business) && grant.steps.includes('approve'))) return 'approver';
  return 'general';
}

const removals = new Set<SubjectAction>(['suspend', 'delete']);
/** Things a person does for themselves elsewhere (settings), or cannot need (a stopped person has no session). */
const notOnOneself = new Set<SubjectAction>(['suspend', 'delete', 'reset_password', 'lift_stop']);

/**
 * May the actor do this to the subject at all? People of another contract do not exist for the actor
 * (NOT_FOUND, never a hint). Only those who may administer act; anyone of the contract may be viewed
 * by them. The master is the bank's to change: its permissions are the contract's and its passwords
 * are reset by the bank (R2.5). Admin users cannot remove each other: only the master suspends or
 * deletes an admin user. Nobody suspends, deletes or resets themselves, and a deleted person stays
 * as the record of who they were.
 */
export function refusalToAct(actor: Person, subject: Person, action: SubjectAction): Refused | undefined {
  if (actor.contractId !== subject.contractId) return { code: 'NOT_FOUND' };
  if (!mayAdminister(actor)) return { code: 'FORBIDDEN' };
  if (action === 'view') return undefined;
  if (subject.status === 'deleted') return { code: 'USERS_DELETED' };
  if (subject.role === 'master') return { code: 'USERS_MASTER_PROTECTED' };
  if (subject.ref === actor.ref) return notOnOneself.has(action) ? { code: 'USERS_SELF' } : undefined;
  if (actor.role !== 'master' && isAdminUser(subject) && removals.has(action)) return { code: 'USERS_ADMIN_PROTECTED' };
  return undefined;
}

/**
 * A grant must be complete and coherent on its own: steps only where they apply and at least one of
 * them there, both limits wherever money moves (the per-transaction one not above the daily one),
 * and no limits elsewhere.
 */
export function grantShapeRefusal(grant: Grant): Refused | undefined {
  const { business } = grant;
  if (new Set(grant.steps).size !== grant.steps.length || !grant.steps.every((step) => steps.includes(step))) {
    return { code: 'USERS_GRANT_INVALID', business };
  }
  if (hasSteps(business) ? grant.steps.length === 0 : grant.steps.length > 0) {
    return hasSteps(business) ? { code: 'USERS_STEP_REQUIRED', business } : { code: 'USERS_GRANT_INVALID', business };
  }
  if (!hasLimits(business)) {
    return grant.perTransactionLimitYen === null && grant.dailyLimitYen === null ? undefined : { code: 'USERS_GRANT_INVALID', business };
  }
  if (grant.perTransactionLimitYen === null || grant.dailyLimitYen === null) return { code: 'USERS_LIMIT_REQUIRED', business };
  if (grant.perTransactionLimitYen < 0n || grant.dailyLimitYen < 0n) return { code: 'USERS_GRANT_INVALID', business };
  if (grant.perTransactionLimitYen > grant.dailyLimitYen) return { code: 'USERS_LIMIT_ORDER', business };
  return undefined;
}

/** A limit is within the actor's when the actor holds one and it is not exceeded. */
function withinLimit(granted: bigint | null, held: bigint | null): boolean {
  return granted === null || (held !== null && granted <= held);
}

/**
 * Nobody gives more than they hold: each business only if held, each step only if held, each limit
 * at most the actor's own, each account only one the actor may use (R1.4).
 */
export function refusalToGrant(actor: Person, granted: readonly Grant[], accountIds: readonly number[]): Refused | undefined {
  const seen = new Set<Business>();
  for (const grant of granted) {
    if (seen.has(grant.business) || !businesses.includes(grant.business)) return { code: 'USERS_GRANT_INVALID', business: grant.business };
    seen.add(grant.business);
    const shape = grantShapeRefusal(grant);
    if (shape) return shape;
    const own = grantOf(actor, grant.business);
    if (!own || !grant.steps.every((step) => own.steps.includes(step))) return { code: 'USERS_GRANT_BEYOND_OWN', business: grant.business };
    if (!withinLimit(grant.perTransactionLimitYen, own.perTransactionLimitYen) || !withinLimit(grant.dailyLimitYen, own.dailyLimitYen)) {
      return { code: 'USERS_LIMIT_BEYOND_OWN', business: grant.business };
    }
  }
  const ownAccounts = new Set(actor.accountIds);
  if (new Set(accountIds).size !== accountIds.length) return { code: 'USERS_ACCOUNT_BEYOND_OWN' };
  for (const accountId of accountIds) {
    if (!ownAccounts.has(accountId)) return { code: 'USERS_ACCOUNT_BEYOND_OWN', accountId };
  }
  return undefined;
}

/** R1.4: a new user gets only what the actor may give. */
export function refusalToCreate(actor: Person, granted: readonly Grant[], accountIds: readonly number[]): Refused | undefined {
  if (!mayAdminister(actor)) return { code: 'FORBIDDEN' };
  return refusalToGrant(actor, granted, accountIds);
}

/**
 * R1.4: changing a person's permissions and accounts. The whole result must be within the actor's
 * own (what the actor submits, the actor gives). Only the master takes user administration away
 * from another admin user.
 */
export function refusalToChangeGrants(actor: Person, subject: Person, granted: readonly Grant[], accountIds: readonly number[]): Refused | undefined {
  const act = refusalToAct(actor, subject, 'change');
  if (act) return act;
  const keepsAdmin = granted.some((grant) => grant.business === 'user_admin');
  if (actor.role !== 'master' && subject.ref !== actor.ref && isAdminUser(subject) && !keepsAdmin) {
    return { code: 'USERS_ADMIN_PROTECTED', business: 'user_admin' };
  }
  return refusalToGrant(actor, granted, accountIds);
}

/**
 * Nobody removes the last active person able to administer (by suspending, deleting or taking user
 * administration away): the contract would be left with nobody to manage its people. `people` are
 * the contract's people as they are; `changed` is one of them as the change would leave them.
 */
export function refusalToRemoveLastAdministrator(people: readonly Person[], changed: Person): Refused | undefined {
  const original = people.find((person) => person.ref === changed.ref);
  if (!original || !mayAdminister(original) || mayAdminister(changed)) return undefined;
  const remaining = people.filter((person) => person.contractId === changed.contractId && person.ref !== changed.ref && mayAdminister(person));
  return remaining.length === 0 ? { code: 'USERS_LAST_ADMINISTRATOR' } : undefined;
}
