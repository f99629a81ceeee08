import type { Deps } from '../../deps.ts';
import type { User } from '../../db/schema.ts';
import { inTransaction, type Tx } from '../../db/transaction.ts';
import { AppError } from '../../errors.ts';
import { recordAudit, userActor } from '../../audit/audit-trail.ts';
import { hashSecret } from '../../auth/password-hash.ts';
import { passwordRuleViolation } from '../../auth/password-rules.ts';
import { enqueueEmail } from '../../outbox/enqueue.ts';
import { checkCurrentPassword, checkNewPasswordAllowed, type PasswordKind } from './password-checks.ts';
import { composeNotice } from '../../mail/compose.ts';
import type { RequestContext } from '../../access/request-context.ts';
import type { LiveSession } from '../../access/sessions.ts';

export type { PasswordKind } from './password-checks.ts';

function checkRules(user: User, password: string, field: string): void {
  const violation = passwordRuleViolation(password, { userId: user.user_id, contractId: user.contract_id });
  if (violation) throw new AppError(violation, { field });
}

/**
 * R1.3: at the first logon the person sets both passwords. Setting them consumes the registration
 * password in one conditional statement, so it never works again, even if two setups race.
 */
export async function setInitialPasswords(
  deps: Deps,
  live: LiveSession,
  input: { login: string; loginRepeat: string; confirmation: string; confirmationRepeat: string },
  context: RequestContext,
): Promise<void> {
  const { user } = live;
  checkRules(user, input.login, 'login');
  if (input.login !== input.loginRepeat) throw new AppError('PASSWORD_REPEAT_MISMATCH', { field: 'loginRepeat' });
  checkRules(user, input.confirmation, 'confirmation');
  if (input.confirmation !== input.confirmationRepeat) throw new AppError('PASSWORD_REPEAT_MISMATCH', { field: 'confirmationRepeat' });
  if (input.login === input.confirmation) throw new AppError('PASSWORDS_MUST_DIFFER', { field: 'confirmation' }); // R2.1

  const [loginHash, confirmationHash] = await Promise.all([hashSecret(input.login), hashSecret(input.confirmation)]);
  const now = deps.clock.now();
  await inTransaction(deps.db, async (tx) => {
    const consumed = await tx
      .updateTable('users')
      .set({
        login_password_hash: loginHash,
        login_password_changed_at: now,
        confirmation_password_hash: confirmationHash,
        confirmation_password_changed_at: now,
        registration_password_hash: null,
        registration_password_expires_at: null,
      })
      .where('id', '=', user.id)
      .where('registration_password_hash', 'is not', null)
      .where('login_password_hash', 'is', null)
      .returning('id')
      .executeTakeFirst();
    if (!consumed) throw new AppError('SESSION_REQUIRED');
    await tx
      .insertInto('password_history')
      .values([
        { user_ref: user.id, kind: 'login', hash: loginHash, created_at: now },
        { user_ref: user.id, kind: 'confirmation', hash: confirmationHash, created_at: now },
      ])
      .execute();
    await recordAudit(tx, {
      at: now,
      contractId: user.contract_id,
      userRef: user.id,
      actor: userActor(user.contract_id, user.user_id),
      action: 'password.initial_set',
      outcome: 'success',
      ip: context.ip,
      userAgent: context.userAgent,
      details: { registrationPasswordConsumed: true },
    });
  });
}

/**
 * R2.7: a password is changed with the current one, which counts towards the stop when wrong (R2.3).
 * The new one follows the rules, differs from the other kind (R2.1) and from the last three.
 */
export async function changePassword(
  deps: Deps,
  live: LiveSession,
  input: { kind: PasswordKind; current: string; next: string; nextRepeat: string },
  context: RequestContext,
): Promise<void> {
  const { user, contract } = live;
  checkRules(user, input.next, 'next');
  if (input.next !== input.nextRepeat) throw new AppError('PASSWORD_REPEAT_MISMATCH', { field: 'nextRepeat' });

  await checkCurrentPassword(deps, user, input.kind, input.current, context, {
    action: `password.change.${input.kind}`,
    reason: 'wrong_current_password',
  });
  await checkNewPasswordAllowed(deps, user, input.kind, input.next);

  const nextHash = await hashSecret(input.next);
  const now = deps.clock.now();
  await inTransaction(deps.db, async (tx) => {
    await tx
      .updateTable('users')
      .set(
        input.kind === 'login'
          ? { login_password_hash: nextHash, login_password_changed_at: now }
          : { confirmation_password_hash: nextHash, confirmation_password_changed_at: now },
      )
      .where('id', '=', user.id)
      .execute();
    await tx.insertInto('password_history').values({ user_ref: user.id, kind: input.kind, hash: nextHash, created_at: now }).execute();
    await recordAudit(tx, {
      at: now,
      contractId: user.contract_id,
      userRef: user.id,
      actor: userActor(user.contract_id, user.user_id),
      action: `password.change.${input.kind}`,
      outcome: 'success',
      ip: context.ip,
      userAgent: context.userAgent,
    });
    await notifyPasswordChange(deps, tx, { user, companyName: contract.company_name, kind: input.kind, at: now, ip: context.ip });
  });
}

async function notifyPasswordChange(
  deps: Deps,
  tx: Tx,
  change: { user: User; companyName: string; kind: PasswordKind; at: Date; ip: string },
): Promise<void> {
  if (!change.user.email) return;
  const kindKey = change.kind === 'login' ? 'password.kind.login' : 'password.kind.confirmation';
  const notice = composeNotice(deps.config, {
    subject: 'mail.passwordChanged.subject',
    lines: [
      {
        key: 'mail.passwordChanged.body',
        params: { company: change.companyName, userId: change.user.user_id, kind: { message: kindKey }, at: { moment: change.at }, ip: change.ip },
      },
      { key: 'mail.notYou' },
    ],
  });
  await enqueueEmail(tx, { contractId: change.user.contract_id, recipient: change.user.email, ...notice }, change.at);
}
