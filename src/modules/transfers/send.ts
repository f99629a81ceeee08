import assert from 'node:assert/strict';
import { sql } from 'kysely';
import type { Deps } from '../../deps.ts';
import type { Tx } from '../../db/transaction.ts';
import type { Transfer } from '../../db/schema-transfers.ts';
import { isAppError } from '../../errors.ts';
import { executeTransfer, type ExecuteOptions } from '../ledger/execute.ts';
import type { PendingStepAudit } from './audit.ts';
import { refuse } from './refusal.ts';

/**
 * R8.2, R8.5: sending a transfer. It becomes 'scheduled'; one dated today is posted at once, in the
 * same transaction, and refused whole when the balance is short (nothing changes, the person is
 * told); one dated later is left to the scheduler, which posts it on its date.
 */
export async function sendInTx(
  deps: Deps,
  tx: Tx,
  transferId: bigint,
  senderRef: number,
  today: string,
  audit?: PendingStepAudit,
  protections: Record<string, unknown> = {},
): Promise<Transfer> {
  const now = deps.clock.now();
  const sent = await tx
    .updateTable('transfer')
    // R9.1: the protections of the step that sends it (the sender's email one-time password) join those of its making.
    .set({ status: 'scheduled', sent_by: senderRef, sent_at: now, updated_at: now, protections: sql<string>`protections || ${JSON.stringify(protections)}::jsonb` })
    .where('id', '=', transferId)
    .where('status', 'in', ['awaiting_approval', 'awaiting_send'])
    .returningAll()
    .executeTakeFirst();
  assert.ok(sent, 'the item was locked in a state to be sent');
  return postIfDue(deps, tx, sent, today, audit);
}

/** A scheduled transfer posts now when it is dated today (or, for the scheduler, earlier). */
export function isDue(executionDate: string, today: string): boolean {
  return executionDate <= today;
}

/**
 * A scheduled transfer dated today posts now; the ledger claims it (status 'scheduled' → done). The
 * step's audit record, when given, is then written with the execution's (ledger/execute.ts).
 */
export async function postIfDue(deps: Deps, tx: Tx, scheduled: Transfer, today: string, audit?: PendingStepAudit, withMoney?: ExecuteOptions['withMoney']): Promise<Transfer> {
  if (!isDue(scheduled.execution_date, today)) return scheduled;
  try {
    const { transfer } = await executeTransfer(deps, tx, scheduled.id, { onInsufficientFunds: 'refuse', precedingAudit: audit?.take() ?? [], ...(withMoney ? { withMoney } : {}) });
    return transfer;
  } catch (error) {
    if (isAppError(error) && error.code === 'LEDGER_INSUFFICIENT_FUNDS') refuse('TRANSFER_INSUFFICIENT_FUNDS', 'amount');
    throw error;
  }
}
