import { sql } from 'kysely';
import type { Db } from '../db/open.ts';
import type { Tx } from '../db/transaction.ts';
import { ChainWalk, ProblemList, checkHead, problemsListedMax, type ChainProblem } from './chain-walk.ts';
import { selectStoredRecords, storedRecord } from './stored-records.ts';

/**
 * `verify` (R9.1): walks every chain of the audit trail in order, recomputes each record's hash,
 * checks each link to the record before, the numbering from 1 without gaps, that row ids follow
 * the numbering, and that the chain head names the last record. The trail is read in batches, so
 * its size does not matter, all in one read-only snapshot, so records appended meanwhile (on
 * PostgreSQL the service keeps running) neither break the walk nor move a head under it.
 */
export const verifyBatchRows = 2000;

export interface VerifyResult {
  ok: boolean;
  chains: number;
  records: number;
  /** At most problemsListedMax (./chain-walk.ts); the rest are counted in problemsOmitted. */
  problems: ChainProblem[];
  problemsOmitted: number;
}

export async function verifyAuditChain(db: Db, options: { chain?: string; batchRows?: number } = {}): Promise<VerifyResult> {
  return db
    .transaction()
    .setIsolationLevel('repeatable read')
    .setAccessMode('read only')
    .execute((tx) => verifyInSnapshot(tx, options.chain, options.batchRows ?? verifyBatchRows));
}

async function verifyInSnapshot(tx: Tx, only: string | undefined, batchRows: number): Promise<VerifyResult> {
  const problems = new ProblemList();
  const heads = new Map<string, { seq: bigint; hash: string }>();
  let walk: ChainWalk | undefined;
  let chains = 0;
  let records = 0;
  const finish = (done: ChainWalk) => {
    checkHead(done.chain, done.last, heads.get(done.chain), problems);
    heads.delete(done.chain);
  };

  let after: { chain: string; seq: bigint } | undefined;
  for (;;) {
    let query = selectStoredRecords(tx).orderBy('chain').orderBy('seq').limit(batchRows);
    if (only !== undefined) query = query.where('chain', '=', only);
    if (after) query = query.where(sql<boolean>`(chain, seq) > (${after.chain}, ${after.seq})`);
    const rows = await query.execute();
    if (rows.length === 0) break;

    const batchChains = [...new Set(rows.map((row) => row.chain))].filter((chain) => !heads.has(chain));
    if (batchChains.length > 0) {
      const batchHeads = await tx.selectFrom('audit_chain_head').select(['chain', 'seq', 'hash']).where('chain', 'in', batchChains).execute();
      for (const head of batchHeads) heads.set(head.chain, { seq: BigInt(head.seq), hash: head.hash });
    }

    for (const row of rows) {
      if (walk?.chain !== row.chain) {
        if (walk) finish(walk);
        walk = new ChainWalk(row.chain, 'genesis', problems);
        chains++;
      }
      walk.next(storedRecord(row));
      records++;
    }
    // The batch is not empty (an empty one ended the loop above).
    const last = rows.at(-1)!;
    after = { chain: last.chain, seq: BigInt(last.seq) };
    if (rows.length < batchRows) break;
  }
  if (walk) finish(walk);

  // Heads whose chain has no record left at all.
  let orphans = tx
    .selectFrom('audit_chain_head as h')
    .select(['h.chain', 'h.seq', 'h.hash'])
    .where(({ not, exists, selectFrom }) => not(exists(selectFrom('audit_log as l').select('l.id').whereRef('l.chain', '=', 'h.chain'))));
  if (only !== undefined) orphans = orphans.where('h.chain', '=', only);
  const orphanCount = await tx.selectFrom(orphans.as('o')).select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow();
  const listed = await orphans.orderBy('h.chain').limit(problemsListedMax).execute();
  for (const head of listed) checkHead(head.chain, null, { seq: BigInt(head.seq), hash: head.hash }, problems);
  problems.omitted += orphanCount.n - listed.length;
  chains += orphanCount.n;

  return { ok: problems.count === 0, chains, records, problems: problems.items, problemsOmitted: problems.omitted };
}
