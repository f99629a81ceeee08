import assert from 'node:assert/strict';
import { sql } from 'kysely';
import type { Db } from '../../src/db/open.ts';

/**
 * Whether a request changed the database, for the fuzz tests' "a refusal changes nothing": a digest
 * of every table but those that change by design on any request of an address
 * (rate_limit_hit: R2.4 counts every logon request in its address's window, refused or not):
 * row counts and an MD5 of the rows, one query for all tables, and the audit trail's last record.
 */
/**
 * Tables whose rows note when a secret's attempts were last reserved (decision 0024): a right
 * secret checked before a later field is refused leaves those times behind, its attempt given back —
 * a lease's bookkeeping, not a change the refusal made.
 */
const leaseBookkeeping = new Set(['users', 'staff']);

export async function databaseDigest(db: Db): Promise<Record<string, string>> {
  const tables = await tablesOf(db);
  const digestOf = tables
    .filter((name) => name !== 'rate_limit_hit')
    .map((name) => {
      const row = leaseBookkeeping.has(name) ? `(to_jsonb(x) - 'attempts_reserved_at' - 'attempts_batch_at')::text` : 'x::text';
      return `SELECT '${name}' AS name, count(*)::text || ':' || md5(coalesce(string_agg(${row}, E'\\n' ORDER BY ${row}), '')) AS digest FROM "${name}" x`;
    })
    .join(' UNION ALL ');
  const rows = (await sql.raw<{ name: string; digest: string }>(`${digestOf} UNION ALL SELECT 'audit_log_max', coalesce(max(id), 0)::text FROM audit_log`).execute(db)).rows;
  return Object.fromEntries(rows.map((row) => [row.name, row.digest]));
}

const tableNames = new WeakMap<Db, string[]>();
async function tablesOf(db: Db): Promise<string[]> {
  let names = tableNames.get(db);
  if (!names) {
    names = (await sql<{ name: string }>`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1`.execute(db)).rows.map((r) => r.name);
    tableNames.set(db, names);
  }
  return names;
}

function changedTables(before: Record<string, string>, after: Record<string, string>): string[] {
  return Object.keys(after).filter((name) => before[name] !== after[name]);
}

/** The audit trail's tables: a refusal may add its own record there, and nothing else (R9.1). */
const auditTables = ['audit_log', 'audit_chain_head', 'audit_log_max'];

/**
 * A refusal changes nothing in the database, except that the audit trail may keep it as evidence
 * (a failed logon, an administrator's action on a person who is not theirs, R9.1): then the only
 * change is new audit records, each a failure.
 */
export async function assertNothingChangedBut(db: Db, before: Record<string, string>, after: Record<string, string>, label: string, records: 'refusals' | 'any' = 'refusals'): Promise<void> {
  const changed = changedTables(before, after);
  assert.deepEqual(changed.filter((name) => !auditTables.includes(name)), [], `${label} changes nothing in the database but the audit trail`);
  if (changed.length === 0) return;
  const seen = BigInt(before.audit_log_max ?? 0);
  const added = await db.selectFrom('audit_log').select(['action', 'outcome', 'reason']).where('id', '>', seen).execute();
  assert.ok(added.length > 0, `${label}: the audit trail changed, with a record added`);
  if (records === 'refusals') for (const record of added) assert.equal(record.outcome, 'failure', `${label}: the audit trail keeps only the refusal (${record.action} ${record.outcome} ${record.reason})`);
}
