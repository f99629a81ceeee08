import { sql, type RawBuilder } from 'kysely';
import type { Deps } from '../../deps.ts';
import type { Tx } from '../../db/transaction.ts';
import { inTransaction } from '../../db/transaction.ts';
import { AppError } from '../../errors.ts';
import { recordAudit, type AuditEvent } from '../../audit/audit-trail.ts';
import { auditEvent, emailOtpWrongEntriesMax, macMessage, macPurpose, newest, newestQuery, refuse, sent, type ChallengeOwner, type ChallengeRow, type ChallengeTarget, type UsedChallenge } from './challenge.ts';
import { recordExpiries } from './expiry.ts';
import { refuseAsBusy } from '../attempts-busy.ts';

/**
 * The refusal for a code that can no longer be entered, recording an expiry the first time it is
 * found; a code still open has every entry left in flight (decision 0022: busy, recorded as such).
 */
async function refuseClosed(deps: Deps, owner: ChallengeOwner, row: ChallengeRow, now: Date): Promise<never> {
  if (row.used_at) refuse('EMAIL_OTP_USED');
  if (row.voided_at) refuse(row.void_reason === 'replaced' ? 'EMAIL_OTP_NOT_SENT' : 'EMAIL_OTP_VOID');
  if (row.expires_at <= now) {
    await recordExpiries(deps, now, row.id, owner);
    refuse('EMAIL_OTP_EXPIRED');
  }
  return refuseAsBusy('EMAIL_OTP_BUSY', (reason) => recordAudit(deps.db, { ...auditEvent(owner, row, now, 'email_otp.busy', 'failure'), reason }), 'otp');
}

/** R5.2: a code as the email gives it; anything else is refused before it costs an entry. */
function isCodeFormat(code: unknown): code is string {
  return typeof code === 'string' && /^[0-9]{6}$/.test(code);
}

/**
 * The latest code for the operation, read with the reservation of one of its entries (house rule 5)
 * in one statement: reserved only while the code is open and has an entry left, and only for an
 * entry of the right form (`wellFormed`). The checks that refuse an entry stay in checkCode, in their
 * order; one that refuses a reserved entry gives it back.
 */
async function newestReserving(deps: Deps, userRef: number, target: ChallengeTarget, now: Date, wellFormed: boolean): Promise<{ row: ChallengeRow | undefined; reserved: boolean }> {
  const { rows } = await sql<ChallengeRow & { reserved: boolean }>`
    WITH newest AS ${newestQuery(deps.db, userRef, target)},
    reserved AS (
      UPDATE email_otp_challenge c SET entries_in_flight = c.entries_in_flight + 1
      FROM newest n
      WHERE c.id = n.id AND ${wellFormed} AND c.used_at IS NULL AND c.voided_at IS NULL AND c.expires_at > ${now}::timestamptz
        AND c.entries_in_flight + c.wrong_entries < ${emailOtpWrongEntriesMax}
      RETURNING c.id
    )
    SELECT n.*, EXISTS (SELECT 1 FROM reserved) AS reserved FROM newest n`.execute(deps.db);
  const found = rows[0];
  if (found === undefined) return { row: undefined, reserved: false };
  const { reserved, ...row } = found;
  return { row: row as ChallengeRow, reserved };
}

/** A right code, checked before the operation's transaction: its entry is held until it is used there or given back. */
export interface CheckedCode {
  readonly row: ChallengeRow;
  readonly owner: ChallengeOwner;
  /**
   * Set when the operation's transaction used the code, so that withCheckedCode, once that
   * transaction has committed, knows there is no entry left to give back and spares the statement.
   */
  used: boolean;
}

/**
 * R5.2–R5.4: checks a code entered for `target`. The operation must be the one the code was sent
 * for, as it stands now (its digest): after any change the code is useless, and it is voided so that
 * a new one, stating the operation as it now is, must be asked for. A wrong code is counted at once
 * and refused; a right one is returned holding its entry, to be used in the transaction of the
 * operation (useCheckedCode), so the code is spent exactly when the operation commits. Every outcome
 * is in the audit trail, never the code.
 */
export async function checkCode(deps: Deps, owner: ChallengeOwner, target: ChallengeTarget, code: unknown): Promise<CheckedCode> {
  const now = deps.clock.now();
  const { row, reserved } = await newestReserving(deps, owner.user.id, target, now, isCodeFormat(code));
  if (!row) refuse('EMAIL_OTP_NOT_SENT');
  // A closed code was not reserved (its reservation asks it to be open, and a code never reopens).
  if (row.used_at || row.voided_at || row.expires_at <= now) return refuseClosed(deps, owner, row, now);
  if (row.digest !== target.digest) {
    await inTransaction(deps.db, async (tx) => {
      // The entry reserved with the read is given back with the void (on a code that stays open,
      // which a code voided or used meanwhile does not: its entries count no more).
      const voided = await tx
        .updateTable('email_otp_challenge')
        .set({ voided_at: now, void_reason: 'changed', entries_in_flight: sql`entries_in_flight - ${reserved ? 1 : 0}::int` })
        .where('id', '=', row.id)
        .where('used_at', 'is', null)
        .where('voided_at', 'is', null)
        .returning('id')
        .executeTakeFirst();
      if (voided) await recordAudit(tx, auditEvent(owner, row, now, 'email_otp.changed', 'failure', { reason: 'operation changed after the code was sent' }));
    });
    refuse('EMAIL_OTP_CHANGED');
  }
  if (!isCodeFormat(code)) refuse('EMAIL_OTP_FORMAT');
  if (!reserved) {
    const again = await newest(deps.db, owner.user.id, target);
    return refuseClosed(deps, owner, again ?? row, now);
  }
  if (deps.keyring.macMatches(macMessage(row, code), macPurpose(row.purpose), row.code_mac)) return { row, owner, used: false };

  const wrong = await inTransaction(deps.db, async (tx) => {
    const counted = await sql<{ wrong_entries: number; voided: boolean }>`
      UPDATE email_otp_challenge SET
        entries_in_flight = entries_in_flight - 1,
        wrong_entries = wrong_entries + 1,
        voided_at = CASE WHEN wrong_entries + 1 >= ${emailOtpWrongEntriesMax} THEN ${now}::timestamptz ELSE voided_at END,
        void_reason = CASE WHEN wrong_entries + 1 >= ${emailOtpWrongEntriesMax} THEN 'wrong_entries' ELSE void_reason END
      WHERE id = ${row.id}
      RETURNING wrong_entries, voided_at IS NOT NULL AS voided`.execute(tx);
    const { wrong_entries: wrongEntries, voided } = counted.rows[0]!;
    const left = Math.max(emailOtpWrongEntriesMax - wrongEntries, 0);
    await recordAudit(tx, auditEvent(owner, row, now, 'email_otp.wrong', 'failure', { wrongEntries, entriesLeft: left }));
    if (voided) await recordAudit(tx, auditEvent(owner, row, now, 'email_otp.void', 'failure', { reason: 'wrong entries' }));
    return { voided, left };
  });
  if (wrong.voided) refuse('EMAIL_OTP_VOID');
  refuse('EMAIL_OTP_WRONG', { left: String(wrong.left) });
}

/**
 * Uses a checked code in the operation's transaction (house rule 4: one conditional UPDATE): the code
 * and the operation commit together. Refused when it was used meanwhile (a request submitted twice:
 * the caller tells a twin of a request carried out from another use).
 *
 * The record of the use (R9.1) is appended at once, or, with `recordWith`, handed to the operation,
 * which appends it with its own records in the same transaction (one append for all of them; the
 * operation must write what it was handed, as a transfer's PendingStepAudit does).
 */
export async function useCheckedCode(deps: Deps, tx: Tx, checked: CheckedCode, recordWith?: (event: AuditEvent) => void): Promise<UsedChallenge> {
  const now = deps.clock.now();
  const { rows } = await useCodeSql(checked, now).execute(tx);
  return codeUseMade(tx, checked, rows.length === 1, now, recordWith);
}

/**
 * The use itself (house rule 4), as a statement of its own (useCheckedCode) or as a data-modifying
 * part of the operation's statement, made only if `onlyIf` holds (a transfer's: only when its row
 * was inserted, past the twin gate). It returns the code's row when it used it; the caller then
 * calls codeUseMade with whether it did.
 */
export function useCodeSql(checked: CheckedCode, now: Date, onlyIf?: RawBuilder<unknown>): RawBuilder<{ id: bigint }> {
  return sql<{ id: bigint }>`UPDATE email_otp_challenge SET used_at = ${now}::timestamptz, entries_in_flight = entries_in_flight - 1
    WHERE id = ${checked.row.id} AND used_at IS NULL AND voided_at IS NULL${onlyIf === undefined ? sql`` : sql` AND ${onlyIf}`}
    RETURNING id`;
}

/** After useCodeSql ran: refused when it used nothing (used meanwhile), else the use recorded (R9.1) as useCheckedCode says. */
export async function codeUseMade(tx: Tx, checked: CheckedCode, made: boolean, now: Date, recordWith?: (event: AuditEvent) => void): Promise<UsedChallenge> {
  if (!made) refuse('EMAIL_OTP_USED');
  const record = auditEvent(checked.owner, checked.row, now, 'email_otp.verify', 'success');
  if (recordWith) recordWith(record);
  else await recordAudit(tx, record);
  checked.used = true;
  // What the use changed (used_at, the entry) is not part of what was sent.
  return { ...sent(checked.row), usedAt: now };
}

/** What a checked code will record when used now: for the operation's protections, written in the same statement. */
export function usedNow(deps: Deps, checked: CheckedCode): UsedChallenge {
  return { ...sent(checked.row), usedAt: deps.clock.now() };
}

/**
 * Runs the operation that uses a checked code; when it did not commit a use (refused, rolled back, a
 * twin's result), the code's entry is given back, so the code stays good for the operation.
 */
export async function withCheckedCode<T>(deps: Deps, checked: CheckedCode | undefined, operation: () => Promise<T>): Promise<T> {
  let committed = false;
  try {
    const result = await operation();
    // The operation resolving means its transaction committed (one that rolls back throws).
    committed = checked?.used === true;
    return result;
  } finally {
    // A use that committed gave the entry back with it (used_at is set); otherwise this does.
    if (checked && !committed) {
      await deps.db
        .updateTable('email_otp_challenge')
        .set({ entries_in_flight: sql`entries_in_flight - 1` })
        .where('id', '=', checked.row.id)
        .where('used_at', 'is', null)
        .where('entries_in_flight', '>', 0)
        .execute();
    }
  }
}

/** Refusals of a right-looking entry that a request submitted twice meets: its twin holds or used the code. */
export function isTwinRefusal(error: unknown): error is AppError {
  return error instanceof AppError && (error.code === 'EMAIL_OTP_USED' || error.code === 'EMAIL_OTP_BUSY');
}

/** Checks and uses a code in a transaction of its own, with `then` (a change the code confirms) in the same transaction. */
export async function enterCode<T>(deps: Deps, owner: ChallengeOwner, target: ChallengeTarget, code: unknown, then: (tx: Tx, used: UsedChallenge) => Promise<T>): Promise<T> {
  const checked = await checkCode(deps, owner, target, code);
  return withCheckedCode(deps, checked, () => inTransaction(deps.db, async (tx) => then(tx, await useCheckedCode(deps, tx, checked))));
}

