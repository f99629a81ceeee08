import { registrationPasswordValidDays } from '../../auth/password-rules.ts';
import type { Deps } from '../../deps.ts';
import type { User } from '../../db/schema.ts';
import { inTransaction, type Tx } from '../../db/transaction.ts';
import { hashSecret } from '../../auth/password-hash.ts';
import { addDaysTo } from '../../domain/tokyo-time.ts';
import { endSessionsOfUser } from '../../access/sessions.ts';
import { operatorActor, recordBankChange, type ChangeActor } from './change-actor.ts';
import { findPerson } from './operator-input.ts';

/**
 * R1.3, R2.5: the registration password the bank gives a new master, or a master who forgot a
 * password, on paper; the first logon after it sets new passwords.
 */
const registrationAlphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789'; // no 0/O or 1/I to misread on paper
const registrationPasswordLength = 12;

/** A registration password made ready before a transaction opens (the hash is slow on purpose). */
export interface PreparedRegistration {
  password: string;
  hash: string;
}

export async function prepareRegistration(deps: Deps): Promise<PreparedRegistration> {
  let password = '';
  for (let i = 0; i < registrationPasswordLength; i++) password += registrationAlphabet[deps.random.int(0, registrationAlphabet.length)];
  return { password, hash: await hashSecret(password) };
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
  await recordBankChange(tx, by, {
    at: now,
    contractId: user.contract_id,
    userRef: user.id,
    action: 'registration_password.issue',
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
