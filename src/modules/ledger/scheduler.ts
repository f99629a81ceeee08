import type { Deps } from '../../deps.ts';
import { tokyoDate } from '../../domain/business-days.ts';
import { executeTransfer } from './execute.ts';
import { startRepeatingJob, type RepeatingJob, type RepeatingJobOptions } from '../../platform/repeating-job.ts';

/** At most this many transfers per run, so one run ends and the next tick picks up the rest. */
export const dueTransfersPerRunMax = 1000;

export interface RunDueOptions {
  batchSize?: number;
  /**
   * A transfer whose execution threw (the interbank link is down, a bug): its transaction rolled
   * back, so it is still scheduled and a later run tries it again. Without a handler, the run goes
   * on with the others and then throws them all together.
   */
  onError?: (error: unknown, transferId: bigint) => void;
}

/**
 * R8.2: posts every transfer that is scheduled and due (execution date on or before today in
 * Tokyo), each in its own transaction. Exactly once with any number of processes: a transfer is
 * picked with FOR UPDATE SKIP LOCKED, so processes share the work instead of waiting for each
 * other, and executeTransfer's conditional claim is the final gate. Returns how many it executed.
 */
export async function runDueTransfers(deps: Deps, options: RunDueOptions = {}): Promise<number> {
  const limit = options.batchSize ?? dueTransfersPerRunMax;
  // Transfers that threw in this run are not picked again by it (they would fail the same way now).
  const skipped: bigint[] = [];
  const errors: unknown[] = [];
  let executed = 0;
  while (executed < limit) {
    let picked: bigint | undefined;
    try {
      picked = await deps.db.transaction().execute(async (tx) => {
        let query = tx
          .selectFrom('transfer')
          .select('id')
          .where('status', '=', 'scheduled')
          .where('execution_date', '<=', tokyoDate(deps.clock.now()))
          .orderBy('execution_date')
          .orderBy('id')
          .limit(1)
          .forUpdate()
          .skipLocked();
        if (skipped.length > 0) query = query.where('id', 'not in', skipped);
        const due = await query.executeTakeFirst();
        if (!due) return undefined;
        picked = due.id;
        await executeTransfer(deps, tx, due.id, { onInsufficientFunds: 'fail' });
        return due.id;
      });
    } catch (error) {
      if (picked === undefined) throw error;
      skipped.push(picked);
      if (options.onError) options.onError(error, picked);
      else errors.push(error);
      continue;
    }
    if (picked === undefined) break;
    executed++;
  }
  if (errors.length > 0) throw new AggregateError(errors, `${errors.length} due transfer(s) could not be executed`);
  return executed;
}

/** Runs `runDueTransfers` every `intervalMs` until stopped; an error is reported and the loop goes on. */
export function startTransferScheduler(deps: Deps, options: RepeatingJobOptions): RepeatingJob {
  const onTransferError = (error: unknown, transferId: bigint) => options.onError(new Error(`executing transfer ${transferId} failed`, { cause: error }));
  return startRepeatingJob(() => runDueTransfers(deps, { onError: onTransferError }), options);
}
