import type { Deps } from '../../deps.ts';
import type { Executor, Tx } from '../../db/transaction.ts';
import type { Account } from '../../db/schema.ts';
import { inTransaction } from '../../db/transaction.ts';
import { AppError } from '../../errors.ts';
import { recordAudit, userActor } from '../../audit/audit-trail.ts';
import { hashSecret } from '../../auth/password-hash.ts';
import { passwordRuleViolation } from '../../auth/password-rules.ts';
import { addDaysTo } from '../../domain/tokyo-time.ts';
import {
  mayAdminister,
  refusalToAct,
  refusalToChangeGrants,
  refusalToCreate,
  refusalToRemoveLastAdministrator,
  type Grant,
  type Person,
  type Refused,
  type SubjectAction,
} from '../../domain/permissions.ts';
import { registrationPasswordValidDays } from '../../auth/password-rules.ts';
import { confirmWithConfirmationPassword } from '../../access/confirmation-password.ts';
import { masterEmail, notifySecurityChange } from '../../mail/security-notice.ts';
import { endSessionsOfUser, type LiveSession } from '../../access/sessions.ts';
import type { RequestContext } from '../../access/request-context.ts';
import type { MessageKey } from '../../web/i18n/index.ts';
import { refusalField } from './form-input.ts';
import {
  cardStates,
  contractAccounts,
  lockContract,
  lockPerson,
  peopleOf,
  personByRef,
  personByUserId,
  replaceAccounts,
  replaceGrants,
  userIdTaken,
  type CardState,
  type PersonRecord,
} from './repository.ts';

/**
 * The master's (and admin users') management of the contract's people (R1.2, R1.4, R1.5): create,
 * change, suspend, resume, delete. Every change is judged by the rules of domain/permissions.ts
 * before the actor's confirmation password is asked (so refused input costs no attempt), and again
 * under the contract's lock inside the transaction that makes the change, records it and mails it.
 */
export interface PermissionsInput {
  grants: Grant[];
  accountIds: number[];
}

export interface CreateUserInput extends PermissionsInput {
  userId: string;
  displayName: string;
  email: string;
  initialPassword: string;
  initialPasswordRepeat: string;
  confirmationPassword: string;
}

export interface ChangeUserInput extends PermissionsInput {
  displayName: string;
  email: string;
  confirmationPassword: string;
}

export type StatusAction = 'suspend' | 'resume' | 'delete';

function refuse(refused: Refused): never {
  throw new AppError(refused.code, { field: refusalField(refused) });
}

/** The session's person as the rules see them, read afresh: permissions may have changed since logon. */
async function actorOf(executor: Executor, live: LiveSession): Promise<PersonRecord> {
  const actor = await personByRef(executor, live.user.contract_id, live.user.id);
  if (!actor) throw new AppError('FORBIDDEN');
  return actor;
}

/**
 * R1.4: only the master and admin users reach the users pages. A refused change is kept in the
 * audit trail: it is what a stolen session or a curious colleague would try.
 */
export async function administrator(deps: Deps, live: LiveSession, attempt?: { action: string; context: RequestContext }): Promise<PersonRecord> {
  const actor = await actorOf(deps.db, live);
  if (!mayAdminister(actor.person)) {
    if (attempt) await auditRefusal(deps, live, attempt.action, attempt.context, { code: 'FORBIDDEN' });
    throw new AppError('FORBIDDEN');
  }
  return actor;
}

/** The list page: everyone of the actor's contract, with their card state (R1.4, R3.3). */
export async function usersOverview(deps: Deps, live: LiveSession): Promise<{ people: PersonRecord[]; cards: Map<number, CardState> }> {
  await administrator(deps, live);
  const contractId = live.user.contract_id;
  return { people: await peopleOf(deps.db, contractId), cards: await cardStates(deps.db, contractId, deps.clock.now()) };
}

export interface FormPage {
  actor: PersonRecord;
  accounts: Account[];
}

export interface PersonPage extends FormPage {
  subject: PersonRecord;
  card: CardState | undefined;
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
  if (refused) refuse(refused);
  const cards = await cardStates(deps.db, live.user.contract_id, deps.clock.now());
  return { actor, subject, accounts, card: cards.get(subject.user.id) };
}

/** A person of the actor's own contract, by user ID; anyone else does not exist here. */
export async function subjectOf(executor: Executor, live: LiveSession, userId: string): Promise<PersonRecord> {
  const subject = await personByUserId(executor, live.user.contract_id, userId);
  if (!subject) throw new AppError('NOT_FOUND');
  return subject;
}

async function auditRefusal(deps: Deps, live: LiveSession, action: string, context: RequestContext, refused: Refused, details: Record<string, unknown> = {}) {
  await recordAudit(deps.db, {
    at: deps.clock.now(),
    contractId: live.user.contract_id,
    userRef: live.user.id,
    actor: userActor(live.user.contract_id, live.user.user_id),
    action,
    outcome: 'failure',
    reason: refused.code.toLowerCase(),
    ip: context.ip,
    userAgent: context.userAgent,
    details,
  });
}

/**
 * A judgement before the change is recorded when it refuses (in a transaction of its own, so that it
 * stays); the same judgement inside the change's transaction only throws, rolling the change back.
 */
interface Judging {
  live: LiveSession;
  action: string;
  context: RequestContext;
  details: Record<string, unknown>;
  /** Outside the change's transaction: refusals are recorded. */
  record: boolean;
}

async function judged(deps: Deps, judging: Judging, refused: Refused | undefined): Promise<void> {
  if (!refused) return;
  if (judging.record) await auditRefusal(deps, judging.live, judging.action, judging.context, refused, judging.details);
  refuse(refused);
}

/** Grants as the audit trail and the pages show them: yen as decimal strings (JSON has no bigint). */
export function describeGrants(grants: readonly Grant[]): Record<string, unknown>[] {
  return grants.map((grant) => ({
    business: grant.business,
    steps: [...grant.steps],
    perTransactionLimitYen: grant.perTransactionLimitYen?.toString() ?? null,
    dailyLimitYen: grant.dailyLimitYen?.toString() ?? null,
  }));
}

function sameGrants(a: readonly Grant[], b: readonly Grant[]): boolean {
  const key = (grants: readonly Grant[]) => JSON.stringify(describeGrants([...grants].sort((x, y) => x.business.localeCompare(y.business))));
  return key(a) === key(b);
}

function sameAccounts(a: readonly number[], b: readonly number[]): boolean {
  return JSON.stringify([...a].sort((x, y) => x - y)) === JSON.stringify([...b].sort((x, y) => x - y));
}

interface NoticeFacts {
  what: { key: MessageKey; params?: Record<string, string | number | { message: MessageKey }> };
  subjectUserId: string;
  recipients: (string | null)[];
}

/** R7.3: the change is mailed to the person it concerns and to the master, in the change's transaction. */
async function notify(deps: Deps, tx: Tx, live: LiveSession, context: RequestContext, at: Date, facts: NoticeFacts): Promise<void> {
  await notifySecurityChange(deps, tx, {
    contractId: live.contract.id,
    companyName: live.contract.company_name,
    subjectUserId: facts.subjectUserId,
    actorLabel: live.user.user_id,
    what: facts.what,
    at,
    ip: context.ip,
    recipients: [...facts.recipients, await masterEmail(tx, live.contract.id)],
  });
}

/**
 * R1.2, R1.4: a new user with an initial password the actor hands over out of band. It is stored as
 * the person's one-time registration password, so the first logon (R1.3) applies: with it and their
 * own grid card, the user sets their own passwords. The card is asked of the bank (R3.3).
 */
export async function createUser(deps: Deps, live: LiveSession, input: CreateUserInput, context: RequestContext): Promise<void> {
  const contractId = live.user.contract_id;
  const action = 'user.create';
  const judge = async (executor: Executor) => {
    const judging = { live, action, context, details: { userId: input.userId }, record: !executor.isTransaction };
    const actor = await actorOf(executor, live);
    await judged(deps, judging, refusalToCreate(actor.person, input.grants, input.accountIds));
    if (await userIdTaken(executor, contractId, input.userId)) throw new AppError('USERS_USER_ID_TAKEN', { field: 'userId' });
    return actor;
  };

  await judge(deps.db);
  const violation = passwordRuleViolation(input.initialPassword, { userId: input.userId, contractId });
  if (violation) throw new AppError(violation, { field: 'initialPassword' });
  if (input.initialPassword !== input.initialPasswordRepeat) throw new AppError('PASSWORD_REPEAT_MISMATCH', { field: 'initialPasswordRepeat' });
  await confirmWithConfirmationPassword(deps, live, input.confirmationPassword, context, action);
  const registrationHash = await hashSecret(input.initialPassword);

  const now = deps.clock.now();
  const expiresAt = addDaysTo(now, registrationPasswordValidDays);
  await inTransaction(deps.db, async (tx) => {
    await lockContract(tx, contractId);
    const actor = await judge(tx);
    const created = await tx
      .insertInto('users')
      .values({
        contract_id: contractId,
        user_id: input.userId,
        display_name: input.displayName,
        role: 'user',
        email: input.email,
        registration_password_hash: registrationHash,
        registration_password_expires_at: expiresAt,
        created_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await replaceGrants(tx, created.id, input.grants);
    await replaceAccounts(tx, created.id, input.accountIds);
    const request = await tx
      .insertInto('grid_card_request')
      .values({ user_ref: created.id, requested_by: actor.user.id, reason: 'new_user', requested_at: now })
      .returning('id')
      .executeTakeFirstOrThrow();
    const audit = { at: now, contractId, userRef: created.id, actor: userActor(contractId, live.user.user_id), ip: context.ip, userAgent: context.userAgent };
    await recordAudit(tx, {
      ...audit,
      action,
      outcome: 'success',
      details: {
        userId: input.userId,
        displayName: input.displayName,
        email: input.email,
        grants: describeGrants(input.grants),
        accountIds: input.accountIds,
        registrationPasswordExpiresAt: expiresAt,
      },
    });
    await recordAudit(tx, { ...audit, action: 'grid_card.request', outcome: 'success', reason: 'new_user', details: { requestId: request.id } });
    await notify(deps, tx, live, context, now, {
      what: { key: 'users.mail.created', params: { name: input.displayName } },
      subjectUserId: input.userId,
      recipients: [input.email],
    });
  });
}

export type ChangeOutcome = 'changed' | 'unchanged';

/**
 * R1.4: name, email, permissions, limits and accounts of a person. The result must lie within the
 * actor's own, and must leave the contract someone able to administer. A changed address is
 * mailed to the old and the new one and to the master (R7.3).
 */
export async function changeUser(deps: Deps, live: LiveSession, userId: string, input: ChangeUserInput, context: RequestContext): Promise<ChangeOutcome> {
  const contractId = live.user.contract_id;
  const action = 'user.change';
  const judge = async (executor: Executor) => {
    const actor = await actorOf(executor, live);
    const subject = await subjectOf(executor, live, userId);
    const judging = { live, action, context, details: { userId }, record: !executor.isTransaction };
    await judged(deps, judging, refusalToChangeGrants(actor.person, subject.person, input.grants, input.accountIds));
    const changed: Person = { ...subject.person, grants: input.grants, accountIds: input.accountIds };
    await judged(deps, judging, refusalToRemoveLastAdministrator((await peopleOf(executor, contractId)).map((p) => p.person), changed));
    return subject;
  };

  const before = await judge(deps.db);
  const differs = {
    profile: before.user.display_name !== input.displayName || before.user.email !== input.email,
    permissions: !sameGrants(before.person.grants, input.grants),
    accounts: !sameAccounts(before.person.accountIds, input.accountIds),
  };
  if (!differs.profile && !differs.permissions && !differs.accounts) return 'unchanged';
  await confirmWithConfirmationPassword(deps, live, input.confirmationPassword, context, action);

  const now = deps.clock.now();
  await inTransaction(deps.db, async (tx) => {
    await lockPerson(tx, contractId, userId);
    await lockContract(tx, contractId);
    const subject = await judge(tx);
    await tx.updateTable('users').set({ display_name: input.displayName, email: input.email }).where('id', '=', subject.user.id).where('contract_id', '=', contractId).execute();
    await replaceGrants(tx, subject.user.id, input.grants);
    await replaceAccounts(tx, subject.user.id, input.accountIds);
    await recordAudit(tx, {
      at: now,
      contractId,
      userRef: subject.user.id,
      actor: userActor(contractId, live.user.user_id),
      action,
      outcome: 'success',
      ip: context.ip,
      userAgent: context.userAgent,
      details: {
        userId,
        displayName: { from: subject.user.display_name, to: input.displayName },
        email: { from: subject.user.email, to: input.email },
        grants: { from: describeGrants(subject.person.grants), to: describeGrants(input.grants) },
        accountIds: { from: subject.person.accountIds, to: input.accountIds },
      },
    });
    const mark = (changed: boolean) => ({ message: (changed ? 'users.mail.mark.changed' : 'users.mail.mark.unchanged') as MessageKey });
    await notify(deps, tx, live, context, now, {
      what: { key: 'users.mail.changed', params: { profile: mark(differs.profile), permissions: mark(differs.permissions), accounts: mark(differs.accounts) } },
      subjectUserId: userId,
      recipients: [subject.user.email, input.email],
    });
  });
  return 'changed';
}

const statusChange: Record<StatusAction, { from: ('active' | 'suspended')[]; to: 'active' | 'suspended' | 'deleted'; mail: MessageKey }> = {
  suspend: { from: ['active'], to: 'suspended', mail: 'users.mail.suspended' },
  resume: { from: ['suspended'], to: 'active', mail: 'users.mail.resumed' },
  delete: { from: ['active', 'suspended'], to: 'deleted', mail: 'users.mail.deleted' },
};

/** Whether a person in this status can be suspended, resumed or deleted. */
export function statusAllows(act: StatusAction, status: string): boolean {
  return (statusChange[act].from as string[]).includes(status);
}

/**
 * R1.4: suspend (no logon until resumed), resume, or delete (the row stays with status 'deleted' as
 * the record of who the person was, and the user ID is never given again). Suspending and deleting
 * end the person's sessions at once; deleting also withdraws a card request the bank has not met.
 */
export async function setUserStatus(deps: Deps, live: LiveSession, userId: string, act: StatusAction, confirmationPassword: string, context: RequestContext): Promise<void> {
  const contractId = live.user.contract_id;
  const action = `user.${act}`;
  const change = statusChange[act];
  const judge = async (executor: Executor) => {
    const actor = await actorOf(executor, live);
    const subject = await subjectOf(executor, live, userId);
    const judging = { live, action, context, details: { userId }, record: !executor.isTransaction };
    await judged(deps, judging, refusalToAct(actor.person, subject.person, act as SubjectAction));
    if (!statusAllows(act, subject.user.status)) throw new AppError('USERS_STATUS_CONFLICT');
    const changed: Person = { ...subject.person, status: change.to };
    await judged(deps, judging, refusalToRemoveLastAdministrator((await peopleOf(executor, contractId)).map((p) => p.person), changed));
    return subject;
  };

  await judge(deps.db);
  await confirmWithConfirmationPassword(deps, live, confirmationPassword, context, action);
  const now = deps.clock.now();
  await inTransaction(deps.db, async (tx) => {
    await lockPerson(tx, contractId, userId);
    await lockContract(tx, contractId);
    const subject = await judge(tx);
    const updated = await tx
      .updateTable('users')
      .set({ status: change.to })
      .where('id', '=', subject.user.id)
      .where('contract_id', '=', contractId)
      .where('status', 'in', change.from)
      .returning('id')
      .executeTakeFirst();
    if (!updated) throw new AppError('USERS_STATUS_CONFLICT');
    if (act !== 'resume') await endSessionsOfUser(tx, subject.user.id, 'stopped', now);
    const withdrawn =
      act === 'delete'
        ? await tx
            .updateTable('grid_card_request')
            .set({ cancelled_at: now })
            .where('user_ref', '=', subject.user.id)
            .where('fulfilled_at', 'is', null)
            .where('cancelled_at', 'is', null)
            .returning('id')
            .execute()
        : [];
    await recordAudit(tx, {
      at: now,
      contractId,
      userRef: subject.user.id,
      actor: userActor(contractId, live.user.user_id),
      action,
      outcome: 'success',
      ip: context.ip,
      userAgent: context.userAgent,
      details: { userId, status: { from: subject.user.status, to: change.to }, cardRequestsWithdrawn: withdrawn.map((r) => r.id) },
    });
    await notify(deps, tx, live, context, now, { what: { key: change.mail }, subjectUserId: userId, recipients: [subject.user.email] });
  });
}
