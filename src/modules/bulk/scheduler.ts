import type { Deps } from '../../deps.ts';
import type { Tx } from '../../db/transaction.ts';
import { bulkFileColumns } from '../../db/schema-bulk.ts';
import { tokyoDate } from '../../domain/business-days.ts';
import { recordAudit } from '../../audit/audit-trail.ts';
import { mailBulkFailed } from './notices.ts';
import { postBulkFile } from './post.ts';
import { settleBulkFile } from './settle.ts';
import { startRepeatingJob, type RepeatingJob, type RepeatingJobOptions } from '../../platform/repeating-job.ts';

/**
 * R8.4: the bulk files' part of the bank's day: every sent file whose payment date has come is
 * posted, and every posted file settled, each in its own transaction. Exactly once with any number
 * of processes: a file is picked with FOR UPDATE SKIP LOCKED, so processes share the work, and the
 * conditional claim of postBulkFile ('scheduled' → 'posted') is the final gate. A file that cannot be
 * posted (the balance is short, the account closed) fails, and its people are told.
 */
export interface BulkRunResult {
  posted: number;
  failed: number;
  settled: number;
}

/** Files per run and per kind of work; the next run picks up the rest. */
export const bulkFilesPerRunMax = 100;

export async function runDueBulkFiles(deps: Deps, options: { onError?: (error: unknown, fileId: bigint) => void } = {}): Promise<BulkRunResult> {
  const result: BulkRunResult = { posted: 0, failed: 0, settled: 0 };
  const skipped: bigint[] = [];
  const errors: unknown[] = [];
  const attempt = async (work: (skip: readonly bigint[]) => Promise<{ fileId: bigint; done: () => void } | undefined>): Promise<boolean> => {
    let picked: bigint | undefined;
    try {
      const outcome = await work(skipped);
      if (!outcome) return false;
      picked = outcome.fileId;
      outcome.done();
      return true;
    } catch (error) {
      const fileId = (error as { fileId?: bigint }).fileId ?? picked;
      if (fileId === undefined) throw error;
      skipped.push(fileId);
      if (options.onError) options.onError((error as { cause?: unknown }).cause ?? error, fileId);
      else errors.push(error);
      return true;
    }
  };

  for (let n = 0; n < bulkFilesPerRunMax; n++) {
    const more = await attempt((skip) => inFileTransaction(deps, 'scheduled', skip, async (tx, fileId, now) => {
      const posted = await postBulkFile(deps, tx, fileId, now);
      if (posted.outcome === 'posted') return () => result.posted++;
      const failed = await tx
        .updateTable('bulk_file')
        .set({ status: 'failed', status_reason: posted.outcome, updated_at: now, completed_at: now })
        .where('id', '=', fileId)
        .returning(bulkFileColumns)
        .executeTakeFirstOrThrow();
      await recordAudit(tx, { at: now, contractId: failed.contract_id, userRef: null, actor: 'system', action: 'bulk.post', outcome: 'failure', reason: posted.outcome, details: { bulkFileId: fileId.toString() } });
      await mailBulkFailed(deps, tx, failed, posted.outcome, now);
      return () => result.failed++;
    }));
    if (!more) break;
  }
  for (let n = 0; n < bulkFilesPerRunMax; n++) {
    const more = await attempt((skip) => inFileTransaction(deps, 'posted', skip, async (tx, fileId, now) => {
      await settleBulkFile(deps, tx, fileId, now);
      return () => result.settled++;
    }));
    if (!more) break;
  }
  if (errors.length > 0) throw new AggregateError(errors, `${errors.length} bulk file(s) could not be posted or settled`);
  return result;
}

/** Picks one file in a status (due, for 'scheduled'), skipping those other processes hold, and works on it in its transaction. */
async function inFileTransaction(
  deps: Deps,
  status: 'scheduled' | 'posted',
  skip: readonly bigint[],
  work: (tx: Tx, fileId: bigint, now: Date) => Promise<() => void>,
): Promise<{ fileId: bigint; done: () => void } | undefined> {
  let picked: bigint | undefined;
  try {
    return await deps.db.transaction().execute(async (tx) => {
      const now = deps.clock.now();
      let query = tx.selectFrom('bulk_file').select('id').where('status', '=', status).orderBy('payment_date').orderBy('id').limit(1).forUpdate().skipLocked();
      if (status === 'scheduled') query = query.where('payment_date', '<=', tokyoDate(now));
      if (skip.length > 0) query = query.where('id', 'not in', [...skip]);
      const due = await query.executeTakeFirst();
      if (!due) return undefined;
      picked = due.id;
      return { fileId: due.id, done: await work(tx, due.id, now) };
    });
  } catch (error) {
    if (picked === undefined) throw error;
    throw Object.assign(new Error(`bulk file ${picked} could not be ${status === 'scheduled' ? 'posted' : 'settled'}`, { cause: error }), { fileId: picked });
  }
}

/** Runs `runDueBulkFiles` every `intervalMs` until stopped; an error is reported and the loop goes on. */
export function startBulkScheduler(deps: Deps, options: RepeatingJobOptions): RepeatingJob {
  const onFileError = (error: unknown, fileId: bigint) => options.onError(new Error(`bulk file ${fileId} failed`, { cause: error }));
  return startRepeatingJob(() => runDueBulkFiles(deps, { onError: onFileError }), options);
}
