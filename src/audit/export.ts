import { sql } from 'kysely';
import type { Db } from '../db/open.ts';
import type { Executor } from '../db/transaction.ts';
import { recordAudit } from './audit-trail.ts';
import { ChainWalk, ProblemList, type ChainProblem } from './chain-walk.ts';
import { selectStoredRecords, storedRecord } from './stored-records.ts';
import type { AuditExportRow } from './export-format.ts';

export { auditRowsToCsv, auditRowsFromCsv, auditRowsToJson, auditRowsFromJson, type AuditExportRow } from './export-format.ts';

/**
 * A contract's audit trail for a period, as evidence (R9.1): the records of the contract whose time
 * lies in [from, to), in chain order.
 *
 * The period is exported as one unbroken piece of the chain: from the first record in it to the
 * last, every record between them is included. A record's time is taken when its action starts
 * and its number when it is appended, so two actions that overlap can be numbered in the other
 * order; a record that waited a few milliseconds across the period's edge is therefore included
 * with its own time rather than left as a hole that would look like a removed record.
 */
export async function exportAuditTrail(db: Db, period: { contractId: string; from: Date; to: Date }): Promise<AuditExportRow[]> {
  const { contractId, from, to } = period;
  if (!(from.getTime() < to.getTime())) return [];
  // Scoped by the contract twice: its own chain, and its contract ID (the indexed column).
  const bounds = await db
    .selectFrom('audit_log')
    .select([sql<bigint | null>`min(seq)`.as('first'), sql<bigint | null>`max(seq)`.as('last')])
    .where('contract_id', '=', contractId)
    .where('chain', '=', contractId)
    .where('at', '>=', from)
    .where('at', '<', to)
    .executeTakeFirstOrThrow();
  if (bounds.first === null || bounds.last === null) return [];
  const rows = await selectStoredRecords(db)
    .where('chain', '=', contractId)
    .where('seq', '>=', BigInt(bounds.first))
    .where('seq', '<=', BigInt(bounds.last))
    .orderBy('seq')
    .execute();
  return rows.map((row) => {
    const { defect: _defect, ...record } = storedRecord(row);
    return record;
  });
}

export interface ExportCheck {
  ok: boolean;
  records: number;
  problems: ChainProblem[];
  problemsOmitted: number;
}

/**
 * Checks an exported period by itself: each record's hash, each link to the record before it, the
 * numbering without gaps, the row order. The first record's link points outside the file, so it is
 * checked only when it is a chain's first record; compareWithStoredChain checks the file against
 * the stored chain.
 */
export function verifyExportedRows(rows: readonly AuditExportRow[]): ExportCheck {
  const problems = new ProblemList();
  let walk: ChainWalk | undefined;
  for (const row of rows) {
    if (walk?.chain !== row.chain) walk = new ChainWalk(row.chain, 'anywhere', problems);
    walk.next(row);
  }
  return { ok: problems.count === 0, records: rows.length, problems: problems.items, problemsOmitted: problems.omitted };
}

/**
 * Checks that each exported record is the stored record of the same chain and number (same hash),
 * and that the record before the first exported one is the one its link names. A file rebuilt
 * with recomputed hashes passes verifyExportedRows but not this.
 */
export async function compareWithStoredChain(db: Db, rows: readonly AuditExportRow[]): Promise<ChainProblem[]> {
  const problems: ChainProblem[] = [];
  const byChain = new Map<string, AuditExportRow[]>();
  for (const row of rows) byChain.set(row.chain, [...(byChain.get(row.chain) ?? []), row]);
  for (const [chain, exported] of byChain) {
    const seqs = exported.map((row) => row.seq);
    const low = seqs.reduce((a, b) => (b < a ? b : a));
    const high = seqs.reduce((a, b) => (b > a ? b : a));
    const stored = await db
      .selectFrom('audit_log')
      .select(['id', 'seq', 'hash'])
      .where('chain', '=', chain)
      .where('seq', '>=', low - 1n)
      .where('seq', '<=', high)
      .execute();
    const hashOf = new Map(stored.map((record) => [BigInt(record.seq), record]));
    for (const row of exported) {
      const twin = hashOf.get(row.seq);
      const report = (kind: ChainProblem['kind'], detail: string) => problems.push({ chain, seq: row.seq, recordId: row.id, kind, detail });
      if (!twin) report('removed', `the stored chain has no record ${row.seq}`);
      else if (twin.hash !== row.hash || BigInt(twin.id) !== row.id) report('altered', `the exported record differs from stored record ${row.seq}`);
    }
    // `low` is the smallest seq of these very rows.
    const first = exported.find((row) => row.seq === low)!;
    const before = hashOf.get(low - 1n);
    if (low > 1n && before && before.hash !== first.prevHash) {
      problems.push({ chain, seq: low, recordId: first.id, kind: 'unlinked', detail: `the exported record's prev_hash is not the hash of stored record ${low - 1n}` });
    }
  }
  return problems;
}

/** The export itself is audited in the contract's chain: who took the trail out, for which period. */
export async function recordTrailExport(
  executor: Executor,
  event: { at: Date; actor: string; contractId: string; from: Date; to: Date; records: number; format: string; ip?: string },
): Promise<void> {
  await recordAudit(executor, {
    at: event.at,
    contractId: event.contractId,
    userRef: null,
    actor: event.actor,
    action: 'audit.export',
    outcome: 'info',
    ip: event.ip,
    details: { from: event.from, to: event.to, records: event.records, format: event.format },
  });
}
