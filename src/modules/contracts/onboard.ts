import { registrationPasswordValidDays } from '../../auth/password-rules.ts';
import type { Deps } from '../../deps.ts';
import type { Business, LockMode } from '../../db/schema.ts';
import { inTransaction, type Tx } from '../../db/transaction.ts';
import { contractIdFrom } from '../../domain/contract-id.ts';
import { addDaysTo } from '../../domain/tokyo-time.ts';
import { isValidEmail, isValidUserId } from '../../domain/identifiers.ts';
import { randomDigits } from '../../platform/random.ts';
import { operatorActor, recordBankChange, type ChangeActor } from './change-actor.ts';
import { issueCardInTx, type IssuedCard } from './grid-cards.ts';
import { OperatorInputError } from './operator-input.ts';
import { prepareRegistration, type PreparedRegistration } from './registration.ts';

/**
 * R1.3: a new contract with its master, who holds every business and step, a registration password
 * for the first logon and a grid card — made by the CLI at once, or by the console on an approved
 * application.
 */
export const companyNameLengthMax = 100;

/**
 * The master holds every business and step (R1.4); its limits are the contract's, which bound what
 * it may grant to anyone else.
 */
export const masterPerTransactionLimitYen = 10_000_000n;
export const masterDailyLimitYen = 50_000_000n;
const allBusinesses: Business[] = ['inquiry', 'transfer', 'tax_payment', 'bulk_transfer', 'user_admin'];
const moneyBusinesses = new Set<Business>(['transfer', 'tax_payment', 'bulk_transfer']);

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
  await recordBankChange(tx, by, {
    at: now,
    contractId: contractId,
    userRef: master.id,
    action: 'contract.onboard',
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

async function unusedContractId(deps: Deps, tx: Tx): Promise<string> {
  for (;;) {
    const id = contractIdFrom(String(deps.random.int(1, 10)) + randomDigits(deps.random, 9));
    const taken = await tx.selectFrom('contract').select('id').where('id', '=', id).executeTakeFirst();
    if (!taken) return id;
  }
}
