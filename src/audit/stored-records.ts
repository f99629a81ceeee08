import { sql, type SelectQueryBuilder } from 'kysely';
import type { Database } from '../db/schema.ts';
import type { Executor } from '../db/transaction.ts';
import type { AuditEvent } from './audit-trail.ts';
import type { StoredRecord } from './chain-walk.ts';
import type { LinkScheme } from './chain.ts';

/**
 * Reading audit records back exactly as they were hashed (R9.1). The time is read in microseconds:
 * a JavaScript date keeps milliseconds, the column keeps microseconds, and the trail only ever
 * writes whole milliseconds, so a time changed below the millisecond would otherwise go unseen.
 */
const microsPerMilli = 1000n;

export function selectStoredRecords(executor: Executor): SelectQueryBuilder<Database, 'audit_log', StoredRow> {
  return executor
    .selectFrom('audit_log')
    .select([
      'id',
      'chain',
      'seq',
      'prev_hash',
      'hash',
      'link_scheme',
      'content_hash',
      sql<bigint>`(extract(epoch from at) * 1000000)::bigint`.as('at_micros'),
      'contract_id',
      'user_ref',
      'actor',
      'action',
      'outcome',
      'reason',
      'ip',
      'user_agent',
      'details',
    ]);
}

export interface StoredRow {
  id: bigint;
  chain: string;
  seq: bigint;
  prev_hash: string;
  hash: string;
  link_scheme: number;
  content_hash: string | null;
  at_micros: bigint;
  contract_id: string | null;
  user_ref: number | null;
  actor: string;
  action: string;
  outcome: AuditEvent['outcome'];
  reason: string | null;
  ip: string | null;
  user_agent: string | null;
  details: Record<string, unknown>;
}

export function storedRecord(row: StoredRow): StoredRecord & { details: Record<string, unknown>; id: bigint } {
  const micros = BigInt(row.at_micros);
  const subMillis = micros % microsPerMilli;
  return {
    id: BigInt(row.id),
    chain: row.chain,
    seq: BigInt(row.seq),
    prevHash: row.prev_hash,
    hash: row.hash,
    // Any other value is refused by the table's CHECK (migration 0017); were it there, the walk says so.
    linkScheme: row.link_scheme as LinkScheme,
    contentHash: row.content_hash,
    at: new Date(Number((micros - subMillis) / microsPerMilli)),
    contractId: row.contract_id,
    userRef: row.user_ref,
    actor: row.actor,
    action: row.action,
    outcome: row.outcome,
    reason: row.reason,
    ip: row.ip,
    userAgent: row.user_agent,
    details: row.details,
    defect: subMillis === 0n ? undefined : 'its time has digits below the millisecond, which the trail never writes: the time was changed',
  };
}
