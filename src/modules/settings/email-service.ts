import { sql } from 'kysely';
import type { Deps } from '../../deps.ts';
import { inTransaction } from '../../db/transaction.ts';
import { AppError } from '../../errors.ts';
import { recordAudit, userActor } from '../../audit/audit-trail.ts';
import { secretsEqual, sha256Hex } from '../../crypto/compare.ts';
import { isValidEmail } from '../../domain/identifiers.ts';
import { randomDigits } from '../../platform/random.ts';
import { enqueueEmail } from '../../outbox/enqueue.ts';
import { composeNotice } from '../../mail/compose.ts';
import type { RequestContext } from '../../access/request-context.ts';
import type { LiveSession } from '../../access/sessions.ts';
import { masterEmail } from '../../mail/security-notice.ts';

/** An address is confirmed by a code sent to it before it replaces the registered one. */
export const emailCodeTtlSeconds = 600;
export const emailCodeDigits = 6;
export const emailCodeFailuresMax = 3;

function codeHash(verificationSalt: string, code: string): string {
  return sha256Hex(`${verificationSalt}:${code}`);
}

export async function requestEmailCode(deps: Deps, live: LiveSession, newEmail: string, context: RequestContext): Promise<void> {
  if (!isValidEmail(newEmail)) throw new AppError('EMAIL_INVALID', { field: 'email' });
  const { user } = live;
  const now = deps.clock.now();
  const code = randomDigits(deps.random, emailCodeDigits);
  const salt = `${user.id}:${now.getTime()}:${randomDigits(deps.random, 12)}`;
  await inTransaction(deps.db, async (tx) => {
    // A new request voids the previous code: one open code per person.
    await tx.updateTable('email_verification').set({ consumed_at: now }).where('user_ref', '=', user.id).where('consumed_at', 'is', null).execute();
    await tx
      .insertInto('email_verification')
      .values({
        user_ref: user.id,
        new_email: newEmail,
        code_hash: `${salt}$${codeHash(salt, code)}`,
        created_at: now,
        expires_at: new Date(now.getTime() + emailCodeTtlSeconds * 1000),
      })
      .execute();
    const notice = composeNotice(deps.config, {
      subject: 'mail.emailCode.subject',
      lines: [{ key: 'mail.emailCode.body', params: { code, minutes: emailCodeTtlSeconds / 60 } }, { key: 'mail.notYou' }],
    });
    await enqueueEmail(tx, { contractId: user.contract_id, recipient: newEmail, ...notice }, now);
    await recordAudit(tx, {
      at: now,
      contractId: user.contract_id,
      userRef: user.id,
      actor: userActor(user.contract_id, user.user_id),
      action: 'email.code_sent',
      outcome: 'info',
      ip: context.ip,
      userAgent: context.userAgent,
      details: { newEmail },
    });
  });
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
    const previous = user.email;
    await tx.updateTable('users').set({ email: consumed.new_email }).where('id', '=', user.id).execute();
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
