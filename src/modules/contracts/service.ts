import { registrationPasswordValidDays } from '../../auth/password-rules.ts';
import type { Deps } from '../../deps.ts';
import type { Business, LockMode, User } from '../../db/schema.ts';
import { inTransaction, type Tx } from '../../db/transaction.ts';
import { recordAudit } from '../../audit/audit-trail.ts';
import { hashSecret } from '../../auth/password-hash.ts';
import { gridCardValidityDays, newGridDigits } from '../../auth/grid-card.ts';
import { contractIdFrom } from '../../domain/contract-id.ts';
import { addDaysTo } from '../../domain/tokyo-time.ts';
import { isValidEmail, isValidUserId } from '../../domain/identifiers.ts';
import { randomDigits } from '../../platform/random.ts';
import { endSessionsOfUser } from '../../access/sessions.ts';
import { gridCardAssociatedData } from '../../auth/grid-card.ts';
import { liftStopInTx as liftPersonInTx } from '../../access/lockout.ts';

/**
 * The bank operator's use cases: onboard a contract with its master (R1.3), issue and invalidate
 * grid cards (R3.3), issue a new registration password (R2.5), lift a stop (R2.3) and set the lock
 * mode. Each change is audited with who made it. The `…InTx` forms run inside the caller's
 * transaction (the operator console approves a change application and makes the change in one);
 * the others are the CLI's, each in a transaction of its own.
 */
export const companyNameLengthMax = 100;
const registrationAlphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789'; // no 0/O or 1/I to misread on paper
const registrationPasswordLength = 12;

/**
 * The master holds every business and step (R1.4); its limits are the contract's, which bound what
 * it may grant to anyone else.
 */
export const masterPerTransactionLimitYen = 10_000_000n;
export const masterDailyLimitYen = 50_000_000n;
const allBusinesses: Business[] = ['inquiry', 'transfer', 'tax_payment', 'bulk_transfer', 'user_admin'];
const moneyBusinesses = new Set<Business>(['transfer', 'tax_payment', 'bulk_transfer']);

export class OperatorInputError extends Error {}

/** Who makes a change, as the audit trail names them (`operator:<name>`, `staff:<login>`), and from where. */
export interface ChangeActor {
  actor: string;
  ip?: string;
  userAgent?: string;
}

function operatorActor(operator: string): ChangeActor {
  return { actor: `operator:${operator}` };
}

export interface IssuedCard {
  serial: string;
  digits: string;
  expiresAt: Date;
}

export interface OnboardInput {
  companyName: string;
  lockMode: LockMode;
  masterUserId: string;
  masterName: string;
  masterEmail?: string;
}

export interface OnboardResult {
  contractId: string;
  companyName: string;
  lockMode: LockMode;
  masterUserId: string;
  registrationPassword: string;
  registrationPasswordExpiresAt: Date;
  card: IssuedCard;
}

/** A registration password made ready before a transaction opens (the hash is slow on purpose). */
export interface PreparedRegistration {
  password: string;
  hash: string;
}

export function checkOnboardInput(input: OnboardInput): OnboardInput {
  const companyName = input.companyName.trim();
  if (companyName.length === 0 || companyName.length > companyNameLengthMax || /[\p{Cc}]/u.test(companyName)) {
    throw new OperatorInputError(`company name must be 1–${companyNameLengthMax} characters without control characters`);
  }
  if (!isValidUserId(input.masterUserId)) throw new OperatorInputError('master user ID must be 1–30 half-width letters and digits (R1.2)');
  if (input.masterEmail !== undefined && !isValidEmail(input.masterEmail)) throw new OperatorInputError('master email is not a valid address');
  if (input.lockMode !== 'unlinked' && input.lockMode !== 'linked') throw new OperatorInputError('lock mode must be unlinked or linked');
  return { ...input, companyName };
}

export async function onboardContract(deps: Deps, input: OnboardInput & { operator: string }): Promise<OnboardResult> {
  const checked = checkOnboardInput(input);
  const registration = await prepareRegistration(deps);
  return inTransaction(deps.db, (tx) => onboardInTx(deps, tx, checked, registration, operatorActor(input.operator)));
}

export async function onboardInTx(
  deps: Deps,
  tx: Tx,
  input: OnboardInput,
  registration: PreparedRegistration,
  by: ChangeActor,
): Promise<OnboardResult & { masterRef: number }> {
  const { companyName } = checkOnboardInput(input);
  const now = deps.clock.now();
  const expiresAt = addDaysTo(now, registrationPasswordValidDays);
  const contractId = await unusedContractId(deps, tx);
  await tx.insertInto('contract').values({ id: contractId, company_name: companyName, lock_mode: input.lockMode, created_at: now }).execute();
  const master = await tx
    .insertInto('users')
    .values({
      contract_id: contractId,
      user_id: input.masterUserId,
      display_name: input.masterName.trim() || input.masterUserId,
      role: 'master',
      email: input.masterEmail ?? null,
      registration_password_hash: registration.hash,
      registration_password_expires_at: expiresAt,
      created_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  await tx
    .insertInto('user_permission')
    .values(
      allBusinesses.map((business) => ({
        user_ref: master.id,
        business,
        can_register: true,
        can_approve: true,
        can_send: true,
        per_transaction_limit_yen: moneyBusinesses.has(business) ? masterPerTransactionLimitYen : null,
        daily_limit_yen: moneyBusinesses.has(business) ? masterDailyLimitYen : null,
      })),
    )
    .execute();
  await recordAudit(tx, {
    ...auditBy(by),
    at: now,
    contractId,
    userRef: master.id,
    action: 'contract.onboard',
    outcome: 'success',
    details: { companyName, lockMode: input.lockMode, masterUserId: input.masterUserId, registrationPasswordExpiresAt: expiresAt },
  });
  const card = await issueCardInTx(deps, tx, master, by);
  return {
    contractId,
    companyName,
    lockMode: input.lockMode,
    masterUserId: master.user_id,
    masterRef: master.id,
    registrationPassword: registration.password,
    registrationPasswordExpiresAt: expiresAt,
    card,
  };
}

function auditBy(by: ChangeActor): { actor: string; ip?: string; userAgent?: string } {
  return { actor: by.actor, ip: by.ip, userAgent: by.userAgent };
}

async function unusedContractId(deps: Deps, tx: Tx): Promise<string> {
  for (;;) {
    const id = contractIdFrom(String(deps.random.int(1, 10)) + randomDigits(deps.random, 9));
    const taken = await tx.selectFrom('contract').select('id').where('id', '=', id).executeTakeFirst();
    if (!taken) return id;
  }
}

export async function prepareRegistration(deps: Deps): Promise<PreparedRegistration> {
  let password = '';
  for (let i = 0; i < registrationPasswordLength; i++) password += registrationAlphabet[deps.random.int(0, registrationAlphabet.length)];
  return { password, hash: await hashSecret(password) };
}

export async function findPerson(deps: Deps, contractId: string, userId: string): Promise<User> {
  const user = await deps.db.selectFrom('users').selectAll().where('contract_id', '=', contractId).where('user_id', '=', userId).executeTakeFirst();
  if (!user) throw new OperatorInputError(`no user ${userId} in contract ${contractId}`);
  return user;
}

/**
 * R3.3: a lost card stops working at once; its open challenge goes with it, so a logon halfway
 * through cannot be completed with it. Returns the serials invalidated.
 */
export async function invalidateCardsInTx(deps: Deps, tx: Tx, user: User, by: ChangeActor): Promise<string[]> {
  const now = deps.clock.now();
  const previous = await tx
    .updateTable('grid_card')
    .set({ invalidated_at: now })
    .where('user_ref', '=', user.id)
    .where('invalidated_at', 'is', null)
    .returning(['id', 'serial'])
    .execute();
  for (const card of previous) {
    await tx.updateTable('grid_challenge').set({ answered_at: now }).where('card_id', '=', card.id).where('answered_at', 'is', null).execute();
    await recordAudit(tx, {
      ...auditBy(by),
      at: now,
      contractId: user.contract_id,
      userRef: user.id,
      action: 'grid_card.invalidate',
      outcome: 'success',
      details: { serial: card.serial },
    });
  }
  return previous.map((card) => card.serial);
}

/**
 * R3.3: a new card invalidates the person's previous one in the same transaction, so a card
 * reported lost stops working at once.
 */
export async function issueCardInTx(deps: Deps, tx: Tx, user: User, by: ChangeActor): Promise<IssuedCard & { id: number; replaced: string[] }> {
  const now = deps.clock.now();
  const replaced = await invalidateCardsInTx(deps, tx, user, by);
  const serial = randomDigits(deps.random, 12);
  const digits = newGridDigits(deps.random);
  const expiresAt = addDaysTo(now, gridCardValidityDays);
  const card = await tx
    .insertInto('grid_card')
    .values({
      user_ref: user.id,
      serial,
      digits_sealed: deps.keyring.seal(digits, gridCardAssociatedData(serial)),
      issued_at: now,
      expires_at: expiresAt,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  // R3.3: the card the master asked for (a new user's, or a replacement) is this one.
  const fulfilled = await tx
    .updateTable('grid_card_request')
    .set({ fulfilled_at: now, card_id: card.id })
    .where('user_ref', '=', user.id)
    .where('fulfilled_at', 'is', null)
    .where('cancelled_at', 'is', null)
    .returning('id')
    .execute();
  await recordAudit(tx, {
    ...auditBy(by),
    at: now,
    contractId: user.contract_id,
    userRef: user.id,
    action: 'grid_card.issue',
    outcome: 'success',
    details: { serial, expiresAt, replaced, ...(fulfilled.length > 0 ? { fulfilledRequest: fulfilled[0]!.id } : {}) },
  });
  return { id: card.id, serial, digits, expiresAt, replaced };
}

export async function issueGridCard(deps: Deps, input: { contractId: string; userId: string; operator: string }): Promise<IssuedCard> {
  const user = await findPerson(deps, input.contractId, input.userId);
  return inTransaction(deps.db, (tx) => issueCardInTx(deps, tx, user, operatorActor(input.operator)));
}

/**
 * R2.5: the master who forgot a password gets a new registration password from the bank. The old
 * passwords stop working and live sessions end; the next logon sets new ones (R1.3).
 */
export async function setRegistrationPasswordInTx(
  deps: Deps,
  tx: Tx,
  user: User,
  registration: PreparedRegistration,
  by: ChangeActor,
): Promise<{ expiresAt: Date }> {
  const now = deps.clock.now();
  const expiresAt = addDaysTo(now, registrationPasswordValidDays);
  await tx
    .updateTable('users')
    .set({
      registration_password_hash: registration.hash,
      registration_password_expires_at: expiresAt,
      login_password_hash: null,
      login_password_changed_at: null,
      confirmation_password_hash: null,
      confirmation_password_changed_at: null,
    })
    .where('id', '=', user.id)
    .execute();
  await endSessionsOfUser(tx, user.id, 'credentials', now);
  await recordAudit(tx, {
    ...auditBy(by),
    at: now,
    contractId: user.contract_id,
    userRef: user.id,
    action: 'registration_password.issue',
    outcome: 'success',
    details: { expiresAt },
  });
  return { expiresAt };
}

export async function issueRegistrationPassword(
  deps: Deps,
  input: { contractId: string; userId: string; operator: string },
): Promise<{ registrationPassword: string; expiresAt: Date }> {
  const user = await findPerson(deps, input.contractId, input.userId);
  const registration = await prepareRegistration(deps);
  const { expiresAt } = await inTransaction(deps.db, (tx) => setRegistrationPasswordInTx(deps, tx, user, registration, operatorActor(input.operator)));
  return { registrationPassword: registration.password, expiresAt };
}

/**
 * R2.3: lifting a master's stop (and so the contract's) is the bank's, as is lifting anyone's stop
 * in linked mode (src/domain/lock-modes.ts). The person's failure count starts again from zero; the
 * contract's stop goes once no stop that blocks it remains.
 */
export async function liftStopInTx(
  deps: Deps,
  tx: Tx,
  user: User,
  by: ChangeActor,
): Promise<{ lifted: boolean; contractLifted: boolean; refused: boolean }> {
  const outcome = await liftPersonInTx(tx, user, 'operator');
  if (outcome.refused) return { lifted: false, contractLifted: false, refused: true };
  const lifted = outcome.personLifted || outcome.contractLifted;
  if (lifted) {
    await recordAudit(tx, {
      ...auditBy(by),
      at: deps.clock.now(),
      contractId: user.contract_id,
      userRef: user.id,
      action: 'person.lift_stop',
      outcome: 'success',
      details: { contractLifted: outcome.contractLifted, releaser: 'operator' },
    });
  }
  return { lifted, contractLifted: outcome.contractLifted, refused: false };
}

/**
 * The CLI's lift, which decides who may lift before calling (the CLI refuses a
 * user's stop in an unlinked contract). It lifts the person named whatever their role, so tests
 * can stand in for the master's own lift; the contract's stop follows the master's (not linked) or
 * the person's (linked).
 */
export async function liftStop(deps: Deps, input: { contractId: string; userId: string; operator: string }): Promise<{ lifted: boolean }> {
  const user = await findPerson(deps, input.contractId, input.userId);
  const now = deps.clock.now();
  return inTransaction(deps.db, async (tx) => {
    const person = await tx
      .updateTable('users')
      .set({ stopped_at: null, failed_attempts: 0 })
      .where('id', '=', user.id)
      .where('stopped_at', 'is not', null)
      .returning('id')
      .executeTakeFirst();
    const mode = await tx.selectFrom('contract').select('lock_mode').where('id', '=', user.contract_id).executeTakeFirstOrThrow();
    const liftsContract = user.role === 'master' || (mode.lock_mode === 'linked' && person !== undefined);
    const contract = liftsContract
      ? await tx.updateTable('contract').set({ stopped_at: null }).where('id', '=', user.contract_id).where('stopped_at', 'is not', null).returning('id').executeTakeFirst()
      : undefined;
    const lifted = Boolean(person || contract);
    if (lifted) {
      await recordAudit(tx, {
        at: now,
        contractId: user.contract_id,
        userRef: user.id,
        actor: `operator:${input.operator}`,
        action: 'person.lift_stop',
        outcome: 'success',
        details: { contractLifted: Boolean(contract) },
      });
    }
    return { lifted };
  });
}

/** R2.3: the contract's lock mode, chosen by the customer on its application. */
export async function setLockModeInTx(deps: Deps, tx: Tx, contractId: string, lockMode: LockMode, by: ChangeActor): Promise<{ changed: boolean; previous: LockMode }> {
  const before = await tx.selectFrom('contract').select('lock_mode').where('id', '=', contractId).forUpdate().executeTakeFirstOrThrow();
  if (before.lock_mode === lockMode) return { changed: false, previous: before.lock_mode };
  await tx.updateTable('contract').set({ lock_mode: lockMode }).where('id', '=', contractId).execute();
  await recordAudit(tx, {
    ...auditBy(by),
    at: deps.clock.now(),
    contractId,
    userRef: null,
    action: 'contract.lock_mode',
    outcome: 'success',
    details: { from: before.lock_mode, to: lockMode },
  });
  return { changed: true, previous: before.lock_mode };
}
