import { sql } from 'kysely';
import type { Deps } from '../../deps.ts';
import { inTransaction, type Tx } from '../../db/transaction.ts';
import type { User } from '../../db/schema.ts';
import { AppError } from '../../errors.ts';
import { recordAudit, userActor } from '../../audit/audit-trail.ts';
import { secretsEqual, sha256Hex } from '../../crypto/compare.ts';
import { isValidEmail } from '../../domain/identifiers.ts';
import { randomDigits } from '../../platform/random.ts';
import { enqueueEmail } from '../../outbox/enqueue.ts';
import { composeNotice, type NoticeParam } from '../../mail/compose.ts';
import type { MessageKey } from '../../web/i18n/index.ts';
import type { RequestContext } from '../../access/request-context.ts';
import type { LiveSession } from '../../access/sessions.ts';
import { masterEmail } from '../../mail/security-notice.ts';
import { confirmWithConfirmationPassword } from '../../access/confirmation-password.ts';
import { registrationPasswordValidDays } from '../../auth/password-rules.ts';

/** An address is confirmed by a code sent to it before it replaces the registered one. */
export const emailCodeTtlSeconds = 600;
/**
 * A code sent to an address an administrator set waits for its owner's next logon: as long as a new
 * user's initial password lasts (R1.3), so a new user finds it still good at the first logon.
 */
export const administratorEmailCodeTtlSeconds = registrationPasswordValidDays * 86_400;
export const emailCodeDigits = 6;
export const emailCodeFailuresMax = 3;

function codeHash(verificationSalt: string, code: string): string {
  return sha256Hex(`${verificationSalt}:${code}`);
}

export interface EmailCodeRequest {
  /** The person whose address it is to be; only they can enter the code, after logging on. */
  owner: Pick<User, 'id' | 'contract_id' | 'user_id'>;
  newEmail: string;
  /** The administrator who set the address for the owner; absent when the owners ask themselves. */
  setBy?: { userId: string; companyName: string };
  context: RequestContext;
}

/**
 * Sends a code to an address, in the caller's transaction (house rule 8): one open code per person,
 * so a new one voids the one before. The address is used once its owner enters the code
 * (confirmEmailCode); until then notices keep going to the address they confirmed before, if any.
 */
export async function sendEmailCode(deps: Deps, tx: Tx, request: EmailCodeRequest): Promise<void> {
  const { owner, newEmail, setBy, context } = request;
  const now = deps.clock.now();
  const code = randomDigits(deps.random, emailCodeDigits);
  const salt = `${owner.id}:${now.getTime()}:${randomDigits(deps.random, 12)}`;
  const expiresAt = new Date(now.getTime() + (setBy ? administratorEmailCodeTtlSeconds : emailCodeTtlSeconds) * 1000);
  await tx.updateTable('email_verification').set({ consumed_at: now }).where('user_ref', '=', owner.id).where('consumed_at', 'is', null).execute();
  await tx
    .insertInto('email_verification')
    .values({ user_ref: owner.id, new_email: newEmail, code_hash: `${salt}$${codeHash(salt, code)}`, created_at: now, expires_at: expiresAt })
    .execute();
  const body: { key: MessageKey; params: Record<string, NoticeParam> } = setBy
    ? { key: 'mail.emailCodeSetByAdministrator.body', params: { company: setBy.companyName, actor: setBy.userId, userId: owner.user_id, code, until: { moment: expiresAt } } }
    : { key: 'mail.emailCode.body', params: { code, minutes: emailCodeTtlSeconds / 60 } };
  const notice = composeNotice(deps.config, { subject: 'mail.emailCode.subject', lines: [body, { key: 'mail.notYou' }] });
  await enqueueEmail(tx, { contractId: owner.contract_id, recipient: newEmail, ...notice }, now);
  await recordAudit(tx, {
    at: now,
    contractId: owner.contract_id,
    userRef: owner.id,
    actor: userActor(owner.contract_id, setBy?.userId ?? owner.user_id),
    action: 'email.code_sent',
    outcome: 'info',
    ip: context.ip,
    userAgent: context.userAgent,
    details: setBy ? { newEmail, setBy: setBy.userId } : { newEmail },
  });
}

/**
 * A person's own new address (at the setup or in the settings). R7.3: a stolen session alone must
 * not redirect the notices, so the confirmation password comes first, and a wrong one counts towards
 * the stop like any other secret (R2.3); then a code goes to the new address.
 */
export async function requestEmailCode(deps: Deps, live: LiveSession, newEmail: string, confirmationPassword: string, context: RequestContext): Promise<void> {
  if (!isValidEmail(newEmail)) throw new AppError('EMAIL_INVALID', { field: 'email' });
  await confirmWithConfirmationPassword(deps, live, confirmationPassword, context, 'email.change');
  await inTransaction(deps.db, (tx) => sendEmailCode(deps, tx, { owner: live.user, newEmail, context }));
}

/** An address an administrator set and then took back: its open code no longer confirms it. */
export async function voidEmailCode(deps: Deps, tx: Tx, ownerRef: number, address: string): Promise<void> {
  await tx
    .updateTable('email_verification')
    .set({ consumed_at: deps.clock.now() })
    .where('user_ref', '=', ownerRef)
    .where('new_email', '=', address)
    .where('consumed_at', 'is', null)
    .execute();
}

/** The address waiting for its code, if any, so the page can say where the code went. */
export async function pendingEmail(deps: Deps, userRef: number): Promise<string | undefined> {
  const row = await deps.db
    .selectFrom('email_verification')
    .select('new_email')
    .where('user_ref', '=', userRef)
    .where('consumed_at', 'is', null)
    .where('expires_at', '>', deps.clock.now())
    .executeTakeFirst();
  return row?.new_email;
}

/**
 * The code is consumed by one conditional statement (house rule 4); a wrong code counts, and after
 * `emailCodeFailuresMax` the code is void. R7.3: a change is notified to the old and the new
 * address and, for a user, to the master too; the notice says what changed, when, from which IP
 * address and whom to call if it was not them.
 */
export async function confirmEmailCode(deps: Deps, live: LiveSession, code: string, context: RequestContext): Promise<void> {
  const { user, contract } = live;
  const now = deps.clock.now();
  const open = await deps.db
    .selectFrom('email_verification')
    .selectAll()
    .where('user_ref', '=', user.id)
    .where('consumed_at', 'is', null)
    .where('expires_at', '>', now)
    .where('failures', '<', emailCodeFailuresMax)
    .executeTakeFirst();
  if (!open) throw new AppError('EMAIL_CODE_EXPIRED', { field: 'code' });
  // House rule 5: a try is reserved before the code is compared, so parallel guesses get at most
  // `emailCodeFailuresMax` comparisons; a right code gives its try back as it consumes the code.
  const reserved = await deps.db
    .updateTable('email_verification')
    .set({ failures: sql`failures + 1` })
    .where('id', '=', open.id)
    .where('consumed_at', 'is', null)
    .where('failures', '<', emailCodeFailuresMax)
    .returning('failures')
    .executeTakeFirst();
  if (!reserved) throw new AppError('EMAIL_CODE_EXPIRED', { field: 'code' });
  const [salt, hash] = open.code_hash.split('$') as [string, string];
  if (!/^\d{6}$/.test(code) || !secretsEqual(codeHash(salt, code), hash)) {
    const voided = reserved.failures >= emailCodeFailuresMax;
    if (voided) await deps.db.updateTable('email_verification').set({ consumed_at: now }).where('id', '=', open.id).execute();
    throw new AppError(voided ? 'EMAIL_CODE_EXPIRED' : 'EMAIL_CODE_INVALID', { field: 'code' });
  }

  await inTransaction(deps.db, async (tx) => {
    const consumed = await tx
      .updateTable('email_verification')
      .set({ consumed_at: now })
      .where('id', '=', open.id)
      .where('consumed_at', 'is', null)
      .where('expires_at', '>', now)
      .returning('new_email')
      .executeTakeFirst();
    if (!consumed) throw new AppError('EMAIL_CODE_EXPIRED', { field: 'code' });
    const before = await tx.selectFrom('users').select('email').where('id', '=', user.id).forUpdate().executeTakeFirstOrThrow();
    const previous = before.email;
    // The address is now the person's own, confirmed; an address an administrator set and the
    // owner did not take goes with it.
    await tx.updateTable('users').set({ email: consumed.new_email, email_confirmed_at: now, unconfirmed_email: null }).where('id', '=', user.id).execute();
    await recordAudit(tx, {
      at: now,
      contractId: user.contract_id,
      userRef: user.id,
      actor: userActor(user.contract_id, user.user_id),
      action: 'email.change',
      outcome: 'success',
      ip: context.ip,
      userAgent: context.userAgent,
      details: { from: previous, to: consumed.new_email },
    });
    if (previous && previous !== consumed.new_email) {
      const notice = composeNotice(deps.config, {
        subject: 'mail.emailChanged.subject',
        lines: [
          {
            key: 'mail.emailChanged.body',
            params: { company: contract.company_name, userId: user.user_id, at: { moment: now }, old: previous, new: consumed.new_email, ip: context.ip },
          },
          { key: 'mail.notYou' },
        ],
      });
      const master = user.role === 'user' ? await masterEmail(tx, user.contract_id) : null;
      for (const recipient of new Set([previous, consumed.new_email, master].filter((r): r is string => Boolean(r)))) {
        await enqueueEmail(tx, { contractId: user.contract_id, recipient, ...notice }, now);
      }
    }
  });
}
