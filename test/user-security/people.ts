import assert from 'node:assert/strict';
import type { Deps } from '../../src/deps.ts';
import type { Business } from '../../src/db/schema.ts';
import { hashSecret } from '../../src/auth/password-hash.ts';
import { issueGridCard } from '../../src/modules/contracts/service.ts';
import { registrationPasswordValidDays } from '../../src/auth/password-rules.ts';
import { Client } from '../helpers/client.ts';
import type { TestPerson } from '../helpers/people.ts';
import { addUser, passwordStep, userRow, type TestApp } from '../helpers/http-app.ts';

/**
 * People for the user-security, setup and security-page tests, written as the users pages would
 * leave them: a user with permission rows (user administration makes an admin user).
 */
export async function addPerson(deps: Deps, contractId: string, businesses: Business[] = ['inquiry']): Promise<TestPerson> {
  const person = await addUser(deps, contractId);
  const row = await userRow(deps, person);
  if (businesses.length > 0) {
    await deps.db
      .insertInto('user_permission')
      .values(
        businesses.map((business) => ({
          user_ref: row.id,
          business,
          can_register: business === 'transfer' || business === 'bulk_transfer',
          can_approve: false,
          can_send: false,
          per_transaction_limit_yen: business === 'transfer' || business === 'tax_payment' || business === 'bulk_transfer' ? 1_000_000n : null,
          daily_limit_yen: business === 'transfer' || business === 'tax_payment' || business === 'bulk_transfer' ? 3_000_000n : null,
        })),
      )
      .execute();
  }
  return person;
}

export const addAdminUser = (deps: Deps, contractId: string) => addPerson(deps, contractId, ['inquiry', 'user_admin']);

let newUserCounter = 0;

/**
 * A user the master has just created (R1.4): an initial password handed over out of band, kept as
 * a one-time registration password, an address registered by the master (or none), and a card.
 */
export async function addNewUser(deps: Deps, contractId: string, options: { email?: string | null } = {}): Promise<TestPerson> {
  newUserCounter++;
  const userId = `newcomer${newUserCounter}`;
  const initialPassword = `Initial${newUserCounter}x2026`;
  const email = options.email === undefined ? `${userId}.${contractId}@customer.example` : options.email;
  const now = deps.clock.now();
  await deps.db
    .insertInto('users')
    .values({
      contract_id: contractId,
      user_id: userId,
      display_name: `新人 ${newUserCounter}`,
      role: 'user',
      // R7.3: the address the master registered waits for the user's code (modules/users/address.ts).
      email: null,
      unconfirmed_email: email,
      registration_password_hash: await hashSecret(initialPassword),
      registration_password_expires_at: new Date(now.getTime() + registrationPasswordValidDays * 86_400_000),
      created_at: now,
    })
    .execute();
  const card = await issueGridCard(deps, { contractId, userId, operator: 'test' });
  return {
    contractId,
    userId,
    registrationPassword: initialPassword,
    digits: card.digits,
    loginPassword: 'MyOwnLogin2026',
    confirmationPassword: 'MyOwnConfirm2026',
    email: email ?? `${userId}.${contractId}@customer.example`,
  };
}

const wrongPassword = 'Wrong2026pass';

/** R2.3: seven wrong passwords in a row stop the person. */
export async function stopByWrongPasswords(t: TestApp, person: TestPerson): Promise<void> {
  for (let i = 0; i < 7; i++) assert.equal((await passwordStep(new Client(t.app), person, wrongPassword)).statusCode, 401);
  assert.notEqual((await userRow(t.deps, person)).stopped_at, null, `${person.userId} is stopped`);
}

export function securityPath(person: TestPerson): string {
  return `/users/${person.userId}/security`;
}

/** The audit records of one action in a contract, oldest first. */
export async function auditOf(deps: Deps, contractId: string, action: string) {
  return deps.db.selectFrom('audit_log').selectAll().where('contract_id', '=', contractId).where('action', '=', action).orderBy('id').execute();
}
