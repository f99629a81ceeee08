import type { ExecutionFailure } from './execution-failure.ts';
import assert from 'node:assert/strict';
import { sql, type RawBuilder } from 'kysely';
import type { Deps } from '../../deps.ts';
import type { Tx } from '../../db/transaction.ts';
import type { Transfer } from '../../db/schema-transfers.ts';
import { AppError } from '../../errors.ts';
import { recordAudits, type AppendOptions, type AuditEvent } from '../../audit/audit-trail.ts';
import { outboxInsert } from '../../outbox/enqueue.ts';
import { tokyoDate } from '../../domain/business-days.ts';
import { reversalPostings, transferPostings } from '../../domain/ledger.ts';
import { settleAtOnce, type InterbankOutcome } from '../../interbank.ts';
import { claimDueTransfer, markFailed, type ClaimedTransfer } from './claim.ts';
import { InsufficientFundsError, postJournalEntry, type PostOptions } from './post.ts';
import { transferResultMails } from './result-email.ts';


/** The outcome, with the transfer as it now stands (so the caller need not read it again). */
export type ExecutionResult = ({ outcome: 'completed' } | { outcome: 'failed'; reason: ExecutionFailure }) & { transfer: Transfer };

export interface ExecuteOptions {
  /**
   * 'refuse': the person is sending it now and is told at once — AppError, and the caller's
   * transaction rolls back. 'fail': it runs on its date with no one waiting (the scheduler), so
   * the transfer fails and the result email says why.
   */
  onInsufficientFunds: 'refuse' | 'fail';
  /**
   * Records of the caller's step in this transaction (the person registering or sending it),
   * appended just before the execution's own record, in the same statement, after the posting (the
   * append locks the contract's audit head after the ledger accounts, decision 0026): both cost one
   * round trip.
   */
  precedingAudit?: readonly AuditEvent[];
  /**
   * A write of the caller's step that stands or falls with the transfer's money (a new transfer's
   * daily usage reservation, decision 0031), made as late as it can be before anything leaves the
   * bank: in the posting's statement, or by itself before the append when nothing is posted.
   * `write` is given the condition it is made on (the posting's funds suffice; true when nothing
   * is posted) and writes nothing when it is false. `made` is told how many rows it returned, and
   * may refuse (throw), which rolls everything back; it is told before the other bank is asked to
   * settle.
   */
  withMoney?: { write: (when: RawBuilder<boolean>) => RawBuilder<unknown>; made: (rows: number) => Promise<void> };
}

/** 摘要 of a failed transfer's reversal: 振込不能. */
const reversalDescriptionPrefix = 'ﾌﾘｺﾐﾌﾉｳ ';
/** 摘要 the payee's statement shows for money received: 振込 and the sender. */
const receivedDescriptionPrefix = 'ﾌﾘｺﾐ ';
/** 摘要 of the paying account's lines: the transfer with its payee, between the company's own accounts 振替, and the fee. */
const sentDescriptionPrefix = '振込 ';
const ownTransferDescriptionPrefix = '振替 ';
const feeDescription = '振込手数料';

/**
 * Executes a due transfer in the caller's transaction (R8.2, R8.6): claims it so it runs once,
 * posts it, settles it with the other bank when it goes there, and records the result — status,
 * audit record and result email (R7.3) — in that same transaction (house rule 8), the audit
 * records and the email in one statement (docs/decisions/0025).
 *
 * Precondition: status 'scheduled' and execution date on or before today in Tokyo. Anything else
 * is a caller's mistake, asserted.
 */
export async function executeTransfer(deps: Deps, tx: Tx, transferId: bigint, options: ExecuteOptions): Promise<ExecutionResult> {
  const now = deps.clock.now();
  const claimed = await claimDueTransfer(tx, { transferId, today: tokyoDate(now), now, bankCode: deps.config.bankCode });
  assert.ok(claimed, `transfer ${transferId} is scheduled and due`);
  const moved = await moveMoney(deps, tx, claimed, options, now);
  if (options.withMoney && moved.entryId === undefined) {
    const { rows } = await options.withMoney.write(sql<boolean>`true`).execute(tx);
    await options.withMoney.made(rows.length);
  }
  const stored = moved.outcome === 'failed' ? await markFailed(tx, transferId, moved.reason) : claimed.transfer;
  const mails = await transferResultMails(
    deps,
    tx,
    claimed,
    moved.outcome === 'completed' ? moved : { outcome: 'failed', reason: moved.reason, posted: moved.entryId !== undefined },
    now,
  );
  // The result email (R7.3) goes into the outbox in the statement that appends the audit records.
  await auditExecution(tx, claimed.transfer, moved, now, options.precedingAudit ?? [], mails.length === 0 ? {} : { alongside: outboxInsert(mails, now) });
  return moved.outcome === 'completed' ? { outcome: 'completed', transfer: stored } : { outcome: 'failed', reason: moved.reason, transfer: stored };
}

type Moved = { outcome: 'completed'; entryId: bigint } | { outcome: 'failed'; reason: ExecutionFailure; entryId?: bigint; reversalEntryId?: bigint };

/** The ledger side: post, settle with the other bank, reverse what it rejects. */
async function moveMoney(deps: Deps, tx: Tx, claimed: ClaimedTransfer, options: ExecuteOptions, now: Date): Promise<Moved> {
  const { transfer } = claimed;
  const sameBank = transfer.to_bank_code === deps.config.bankCode;
  const refusal = destinationRefusal(claimed, sameBank);
  if (refusal) return { outcome: 'failed', reason: refusal };
  const entry = await postTransfer(tx, claimed, sameBank, now, options.withMoney?.write);
  if (entry === 'insufficient_funds') {
    if (options.onInsufficientFunds === 'refuse') throw new AppError('LEDGER_INSUFFICIENT_FUNDS', { field: 'amount' });
    return { outcome: 'failed', reason: 'insufficient_funds' };
  }
  await options.withMoney?.made(entry.alongsideRows);
  if (sameBank) return { outcome: 'completed', entryId: entry.entryId };
  // The adapter sees the transfer as it was when it fell due. An adapter that throws (the link is
  // down) rolls everything back: the transfer stays scheduled and runs again later.
  const settlement = await (deps.interbank ?? settleAtOnce).settle({ ...transfer, status: 'scheduled', status_reason: null, completed_at: null });
  if (settlement.settled) return { outcome: 'completed', entryId: entry.entryId };
  const reversal = await reverseTransfer(tx, claimed, entry, now);
  return { outcome: 'failed', reason: settlement.reason, entryId: entry.entryId, reversalEntryId: reversal.entryId };
}

/** R9.1: the bank executed it (the person's own steps are recorded by the transfer service). */
async function auditExecution(tx: Tx, transfer: Transfer, moved: Moved, now: Date, preceding: readonly AuditEvent[], options: AppendOptions): Promise<void> {
  await recordAudits(tx, [...preceding, {
    at: now,
    contractId: transfer.contract_id,
    userRef: null,
    actor: 'system',
    action: 'transfer.execute',
    outcome: moved.outcome === 'completed' ? 'success' : 'failure',
    ...(moved.outcome === 'failed' ? { reason: moved.reason } : {}),
    details: {
      transferId: transfer.id,
      createdBy: transfer.created_by,
      sentBy: transfer.sent_by,
      amountYen: transfer.amount_yen,
      feeYen: transfer.fee_yen,
      executionDate: transfer.execution_date,
      toBankCode: transfer.to_bank_code,
      entryId: moved.entryId,
      ...(moved.outcome === 'failed' ? { reversalEntryId: moved.reversalEntryId } : {}),
    },
  }], options);
}

/** What stops a transfer before any money moves: a closed paying account, or no open account to pay at this bank. */
function destinationRefusal(claimed: ClaimedTransfer, sameBank: boolean): ExecutionFailure | undefined {
  if (claimed.source.closed) return 'source_account_closed';
  if (!sameBank) return undefined;
  if (!claimed.destination) return 'account_unknown';
  if (claimed.destination.closed) return 'account_closed';
  return undefined;
}

interface PostedTransfer {
  entryId: bigint;
  postings: { ledgerAccountId: number; amountYen: bigint }[];
  /** The rows of the write made with the posting (ExecuteOptions.withMoney). */
  alongsideRows: number;
}

/** The transfer's entry: to the payee's account at this bank, or to clearing for another bank. */
async function postTransfer(tx: Tx, claimed: ClaimedTransfer, sameBank: boolean, now: Date, alongside: PostOptions['alongside']): Promise<PostedTransfer | 'insufficient_funds'> {
  const { transfer } = claimed;
  const postings = transferPostings({
    sourceLedgerAccountId: claimed.source.ledgerAccountId,
    destinationLedgerAccountId: sameBank ? claimed.destination!.ledgerAccountId : claimed.clearingLedgerAccountId,
    feeIncomeLedgerAccountId: claimed.feeIncomeLedgerAccountId,
    amountYen: transfer.amount_yen,
    feeYen: transfer.fee_yen,
    ...(sameBank ? { destinationDescription: receivedDescriptionPrefix + claimed.source.holderKana } : {}),
    sourceDescription: (claimed.destination?.sameContract ? ownTransferDescriptionPrefix : sentDescriptionPrefix) + transfer.to_name_kana,
    feeDescription,
  });
  try {
    const { entryId, alongsideRows } = await postJournalEntry(tx, {
      kind: 'transfer',
      transferId: transfer.id,
      // The paying account's statement shows the payee.
      description: transfer.to_name_kana,
      valueDate: transfer.execution_date,
      postedAt: now,
      postings,
    }, alongside === undefined ? {} : { alongside });
    return { entryId, postings, alongsideRows };
  } catch (error) {
    if (error instanceof InsufficientFundsError && error.ledgerAccountId === claimed.source.ledgerAccountId) return 'insufficient_funds';
    throw error;
  }
}

/** Correction by reversal (house rule 2): the money and the fee go back to the paying account. */
function reverseTransfer(tx: Tx, claimed: ClaimedTransfer, posted: PostedTransfer, now: Date): Promise<{ entryId: bigint }> {
  return postJournalEntry(tx, {
    kind: 'reversal',
    transferId: claimed.transfer.id,
    reversesEntryId: posted.entryId,
    description: reversalDescriptionPrefix + claimed.transfer.to_name_kana,
    valueDate: claimed.transfer.execution_date,
    postedAt: now,
    postings: reversalPostings(posted.postings),
  });
}
