import type { Deps } from '../../deps.ts';
import type { Staff, StaffRole } from '../../db/schema.ts';
import { inTransaction } from '../../db/transaction.ts';
import { recordAudit } from '../../audit/audit-trail.ts';
import { hashSecret } from '../../auth/password-hash.ts';
import { OperatorInputError } from '../../modules/contracts/service.ts';
import { newTotpSecret, totpUri } from './totp.ts';
import { endStaffSessionsOf } from '../../access/staff-sessions.ts';

/**
 * The bank's staff who work in the operator console, created by the bank's IT from the CLI. A new
 * member gets an initial password and an authenticator-app secret, shown once; the secret is kept
 * sealed with the keyring (house rule 7) and only the password's argon2id hash is stored.
 */
export const staffRoles: readonly StaffRole[] = ['recorder', 'approver'];
export const staffLoginPattern = /^[a-z0-9._-]{3,32}$/;
export const staffNameLengthMax = 60;
const initialPasswordLength = 16;
const initialPasswordAlphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789';

export interface StaffCredentials {
  login: string;
  name: string;
  role: StaffRole;
  initialPassword: string;
  totpSecret: string;
  totpUri: string;
}

/** Binds a sealed TOTP secret to its staff member: copied to another row, it does not open. */
export function staffTotpAssociatedData(login: string): string {
  return `staff_totp:${login}`;
}

function newInitialPassword(deps: Deps): string {
  for (;;) {
    let password = '';
    for (let i = 0; i < initialPasswordLength; i++) password += initialPasswordAlphabet[deps.random.int(0, initialPasswordAlphabet.length)];
    if (/[A-Za-z]/.test(password) && /[0-9]/.test(password)) return password;
  }
}

async function freshSecrets(deps: Deps, login: string, role: StaffRole, name: string) {
  const initialPassword = newInitialPassword(deps);
  const totpSecret = newTotpSecret(deps.random);
  const credentials: StaffCredentials = {
    login,
    name,
    role,
    initialPassword,
    totpSecret,
    totpUri: totpUri({ issuer: `${deps.config.bankName} operator console`, login, secret: totpSecret }),
  };
  return {
    credentials,
    passwordHash: await hashSecret(initialPassword),
    totpSealed: deps.keyring.seal(totpSecret, staffTotpAssociatedData(login)),
  };
}

function checkLogin(login: string): string {
  if (!staffLoginPattern.test(login)) throw new OperatorInputError('--login must be 3–32 of a–z, 0–9, ".", "_" and "-"');
  return login;
}

export async function addStaff(deps: Deps, input: { login: string; name: string; role: string; operator: string }): Promise<StaffCredentials> {
  const login = checkLogin(input.login);
  const name = input.name.trim();
  if (name.length === 0 || name.length > staffNameLengthMax || /[\p{Cc}\p{Cf}]/u.test(name)) {
    throw new OperatorInputError(`--name must be 1–${staffNameLengthMax} characters without control characters`);
  }
  if (!staffRoles.includes(input.role as StaffRole)) throw new OperatorInputError('--role must be recorder or approver');
  const role = input.role as StaffRole;
  const fresh = await freshSecrets(deps, login, role, name);
  const now = deps.clock.now();
  return inTransaction(deps.db, async (tx) => {
    const created = await tx
      .insertInto('staff')
      .values({ login_id: login, display_name: name, role, password_hash: fresh.passwordHash, totp_secret_sealed: fresh.totpSealed, created_at: now })
      .onConflict((oc) => oc.column('login_id').doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!created) throw new OperatorInputError(`a staff member with login ${login} exists already`);
    await recordAudit(tx, {
      at: now,
      contractId: null,
      userRef: null,
      actor: `operator:${input.operator}`,
      action: 'staff.add',
      outcome: 'success',
      details: { login, role },
    });
    return fresh.credentials;
  });
}

async function staffByLogin(deps: Deps, login: string): Promise<Staff> {
  const staff = await deps.db.selectFrom('staff').selectAll().where('login_id', '=', checkLogin(login)).executeTakeFirst();
  if (!staff) throw new OperatorInputError(`no staff member with login ${login}`);
  return staff;
}

/**
 * A member who forgot the password or lost the phone: a new initial password and a new
 * authenticator secret, shown once; the old ones stop working and live sessions end. IT has seen
 * the new password, so the member must replace it again at the next logon.
 */
export async function resetStaffSecrets(deps: Deps, input: { login: string; operator: string }): Promise<StaffCredentials> {
  const staff = await staffByLogin(deps, input.login);
  const fresh = await freshSecrets(deps, staff.login_id, staff.role, staff.display_name);
  const now = deps.clock.now();
  await inTransaction(deps.db, async (tx) => {
    await tx
      .updateTable('staff')
      .set({ password_hash: fresh.passwordHash, password_changed_at: null, totp_secret_sealed: fresh.totpSealed, failed_attempts: 0, stopped_at: null })
      .where('id', '=', staff.id)
      .execute();
    await endStaffSessionsOf(tx, staff.id, 'stopped', now);
    await recordAudit(tx, { at: now, contractId: null, userRef: null, actor: `operator:${input.operator}`, action: 'staff.reset', outcome: 'success', details: { login: staff.login_id } });
  });
  return fresh.credentials;
}

/** Seven wrong secrets stopped the member; the bank's IT lifts it after checking who it was. */
export async function liftStaffStop(deps: Deps, input: { login: string; operator: string }): Promise<{ lifted: boolean }> {
  const staff = await staffByLogin(deps, input.login);
  const now = deps.clock.now();
  return inTransaction(deps.db, async (tx) => {
    const lifted = await tx
      .updateTable('staff')
      .set({ stopped_at: null, failed_attempts: 0 })
      .where('id', '=', staff.id)
      .where('stopped_at', 'is not', null)
      .returning('id')
      .executeTakeFirst();
    if (lifted) {
      await recordAudit(tx, { at: now, contractId: null, userRef: null, actor: `operator:${input.operator}`, action: 'staff.lift_stop', outcome: 'success', details: { login: staff.login_id } });
    }
    return { lifted: Boolean(lifted) };
  });
}

/** A member who leaves: the account never works again and its live sessions end at once. */
export async function disableStaff(deps: Deps, input: { login: string; operator: string }): Promise<{ disabled: boolean }> {
  const staff = await staffByLogin(deps, input.login);
  const now = deps.clock.now();
  return inTransaction(deps.db, async (tx) => {
    const disabled = await tx.updateTable('staff').set({ disabled_at: now }).where('id', '=', staff.id).where('disabled_at', 'is', null).returning('id').executeTakeFirst();
    await endStaffSessionsOf(tx, staff.id, 'stopped', now);
    if (disabled) {
      await recordAudit(tx, { at: now, contractId: null, userRef: null, actor: `operator:${input.operator}`, action: 'staff.disable', outcome: 'success', details: { login: staff.login_id } });
    }
    return { disabled: Boolean(disabled) };
  });
}

export async function listStaff(deps: Deps): Promise<Pick<Staff, 'login_id' | 'display_name' | 'role' | 'stopped_at' | 'disabled_at' | 'created_at' | 'password_changed_at'>[]> {
  return deps.db.selectFrom('staff').select(['login_id', 'display_name', 'role', 'stopped_at', 'disabled_at', 'created_at', 'password_changed_at']).orderBy('login_id').execute();
}
