import { sql, type RawBuilder } from 'kysely';
import { transferNoticesAfterStep } from './step-notices.ts';
import type { Deps } from '../../deps.ts';
import type { Executor, Tx } from '../../db/transaction.ts';
import { inTransaction } from '../../db/transaction.ts';
import type { Transfer } from '../../db/schema-transfers.ts';
import { auditedRefusals, PendingStepAudit, protectionsOf, stepAuditEvent } from './audit.ts';
import { refuseReservation, reserveDailyUsageSql } from './daily-usage.ts';
import { holderOf } from './holder.ts';
import { duplicateAskedBy, earlierLike, ownDestinationAskedBy, prepareFor, type Prepared } from './prepare.ts';
import { refuseDuplicate } from './duplicate.ts';
import { refuse } from './refusal.ts';
import { checkIdempotencyKey, creationHash } from './request-hash.ts';
import { isDue, postIfDue } from './send.ts';
import { checkNewTransferCode, finalCodeProtection, finalCodeUsed, finalCodeUseSql, replacedByToken, withFinalCode, type FinalCode } from './email-otp.ts';
import { checkNewTransferToken, tokenReplacesEmailOtp, useFinalToken, withFinalToken, type FinalToken } from './token.ts';
import type { Actor, StepResult, TransferInput } from './types.ts';

/**
 * R8.2: a new transfer, registered by a holder of the register step (R8.5) and, when the contract
 * needs no approval and the person also holds the send step, sent at once — posted in the same
 * transaction when it is dated today. Sending at once finalises it, which needs the email one-time
 * password sent for this very transfer (R5.2, ./email-otp.ts), used in the same transaction: a
 * refused transfer leaves the code good for it.
 *
 * R8.6: the request's idempotency key is unique per person on the transfer itself. A retry finds
 * the first transfer and gets it back (replayed); the same key with other content is refused. The
 * key is looked up with the person's permission, before any check, so a retry after the day's limit
 * is used up, or after midnight, still gets its first result. A twin arriving at the same moment
 * waits on the key's unique index until the first commits, then does the same.
 */
export async function createTransfer(deps: Deps, actor: Actor, input: TransferInput, emailOtp?: unknown, tokenCode?: unknown): Promise<StepResult> {
  checkIdempotencyKey(input.idempotencyKey);
  const requestHash = creationHash(input);
  const requestKeys = [input.idempotencyKey];
  const holder = await holderOf(deps.db, actor, input.fromAccountId, {
    idempotencyKey: input.idempotencyKey,
    ...ownDestinationAskedBy(deps, input.destination),
    ...duplicateAskedBy(deps, actor, input, requestKeys),
  });
  if (holder.earlier) return replay(deps.db, actor, input.idempotencyKey, requestHash);
  const details = { amountYen: typeof input.amountYen === 'bigint' ? input.amountYen.toString() : null, fromAccountId: input.fromAccountId };
  return auditedRefusals(deps, actor, 'register', details, async () => {
    const prepared = await prepareFor(deps, deps.db, actor, input, holder);
    // R8.6: a transfer like a recent one waits for the person's word that it is a payment of its own.
    refuseDuplicate(await earlierLike(deps, deps.db, actor, prepared, requestKeys), input.separatePayment);
    // R5.2: the creator who sends it at once finalises it: the code emailed for exactly this transfer.
    const sends = prepared.next === 'send';
    // R6.5: sent at once to an ad hoc destination, it needs the creator's token password too (or instead, by the bank's setting).
    const token = await checkNewTransferToken(deps, actor, prepared.quote, sends, tokenCode);
    try {
      // The email code is checked within the token's hold, so a refused email code gives the token's attempt back.
      return await withFinalToken(deps, token, async () => {
        const code = !sends ? undefined : tokenReplacesEmailOtp(actor, token) ? replacedByToken : await checkNewTransferCode(deps, actor, input.idempotencyKey, prepared.quote, emailOtp);
        return withFinalCode(deps, code, () => inTransaction(deps.db, (tx) => register(deps, tx, actor, input, requestHash, prepared, code, token)));
      });
    } catch (error) {
      // A twin committed this key while we checked: its transfer is the result.
      if (error instanceof TwinFirst) return replay(deps.db, actor, input.idempotencyKey, requestHash);
      throw error;
    }
  });
}

/** Thrown inside the transaction to roll back what it did when a twin's transfer holds the key. */
class TwinFirst extends Error {}

async function register(deps: Deps, tx: Tx, actor: Actor, input: TransferInput, requestHash: string, prepared: Prepared, code: FinalCode | undefined, token: FinalToken): Promise<StepResult> {
  const { quote, next, today } = prepared;
  const now = deps.clock.now();
  const sends = next === 'send';
  const emailOtp = { ...finalCodeProtection(deps, code), ...('checked' in token ? { token: { serial: token.checked.serial, verifiedAt: now.toISOString() } } : {}) };
  // The daily limit is reserved in a write (R1.4, house rule 5). A transfer that posts now reserves
  // it in its posting's statement (decision 0031): the day's usage row, which every transfer of the
  // person updates, is then held from the posting to the commit, not from the insert; a refusal
  // there rolls back the transfer with everything else, before anything leaves the bank. Otherwise
  // the reservation is made in the statement that inserts the transfer, which is inserted only if
  // it was. The key's unique index is the gate for twins (R8.6). Sent at once, the code is used in
  // the insert's statement too (house rule 4), only when the transfer was inserted: past the twin gate.
  const postsNow = sends && isDue(quote.executionDate, today);
  const reservation = (when?: RawBuilder<boolean>) => reserveDailyUsageSql(actor.user.id, quote.executionDate, quote.amountYen, 'transfer', when);
  const codeUse = sends ? finalCodeUseSql(code, now, sql`EXISTS (SELECT 1 FROM inserted)`) : undefined;
  const { rows } = await sql<Transfer & { reserved: number; code_used: number }>`
    WITH usage AS (${postsNow ? sql`SELECT 1` : reservation()}),
    inserted AS (
      INSERT INTO transfer (contract_id, created_by, idempotency_key, request_hash, from_account_id, payee_id,
        to_bank_code, to_branch_code, to_account_type, to_account_number, to_name_kana, amount_yen, fee_yen,
        execution_date, status, approvals_required, sent_by, sent_at, protections, created_at, updated_at)
      SELECT ${actor.contract.id}, ${actor.user.id}, ${input.idempotencyKey}, ${requestHash}, ${quote.fromAccount.id}, ${quote.to.payeeId}::int,
        ${quote.to.bankCode}, ${quote.to.branchCode}, ${quote.to.accountType}, ${quote.to.accountNumber}, ${quote.to.nameKana},
        ${quote.amountYen}::int8, ${quote.feeYen}::int8, ${quote.executionDate}::date, ${sends ? 'scheduled' : next},
        ${quote.approvalsRequired}::int2, ${sends ? actor.user.id : null}::int, ${sends ? now : null}::timestamptz,
        ${JSON.stringify({ ...protectionsOf(actor), ...emailOtp })}::jsonb, ${now}::timestamptz, ${now}::timestamptz
      WHERE EXISTS (SELECT 1 FROM usage)
      ON CONFLICT (created_by, idempotency_key) DO NOTHING
      RETURNING *
    )${codeUse === undefined ? sql`` : sql`,
    used AS (${codeUse})`}
    SELECT (SELECT count(*) FROM usage)::int AS reserved, ${codeUse === undefined ? sql`0` : sql`(SELECT count(*) FROM used)::int`} AS code_used, inserted.*
    FROM (VALUES (1)) AS one LEFT JOIN inserted ON true`.execute(tx);
  const { reserved, code_used: codeUsed, ...row } = rows[0]!;
  if (row.id === null) {
    if (await keyTaken(tx, actor.user.id, input.idempotencyKey)) throw new TwinFirst();
    if (reserved === 0) await refuseReservation(tx, actor.user.id, quote.amountYen, quote.executionDate, today);
    throw new TwinFirst();
  }
  const inserted = row as Transfer;
  // The record of the registration is written with the execution's when the transfer posts now (one
  // statement for both, after the posting: the contract's audit head is locked after the ledger
  // accounts, decision 0026), otherwise by itself; the token's and the code's uses are recorded
  // before it, in the same append.
  const audit = new PendingStepAudit(stepAuditEvent(deps, actor, 'register', inserted, sends ? { sent: true, ...emailOtp } : {}));
  // Past the twin gate (the key's unique index): the code was used with the transfer, or it is refused.
  if (sends) {
    await useFinalToken(deps, tx, token, quote.to.payeeId === null, audit);
    await finalCodeUsed(tx, code, audit, codeUsed === 1, now);
  }
  const reservedWithMoney = async (rows: number) => {
    if (rows === 0) await refuseReservation(tx, actor.user.id, quote.amountYen, quote.executionDate, today);
  };
  const transfer = sends ? await postIfDue(deps, tx, inserted, today, audit, postsNow ? { write: reservation, made: reservedWithMoney } : undefined) : inserted;
  // R8.5 [承認依頼通知]: a registration that waits asks those who may take its next step.
  await transferNoticesAfterStep(deps, tx, 'register', transfer, now);
  await audit.writeIfPending(tx);
  return { transfer, replayed: false };
}

async function keyTaken(executor: Executor, userRef: number, key: string): Promise<boolean> {
  const row = await executor.selectFrom('transfer').select('id').where('created_by', '=', userRef).where('idempotency_key', '=', key).executeTakeFirst();
  return row !== undefined;
}

async function replay(executor: Executor, actor: Actor, key: string, requestHash: string): Promise<StepResult> {
  const earlier = await executor.selectFrom('transfer').selectAll().where('created_by', '=', actor.user.id).where('idempotency_key', '=', key).executeTakeFirst();
  if (!earlier) refuse('TRANSFER_STATE_CONFLICT');
  if (earlier.request_hash !== requestHash) refuse('TRANSFER_IDEMPOTENCY_MISMATCH');
  return { transfer: earlier, replayed: true };
}
