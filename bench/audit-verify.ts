import { availableParallelism, totalmem } from 'node:os';
import { sql } from 'kysely';
import { recordAudit } from '../src/audit/audit-trail.ts';
import { verifyAuditChain, verifyBatchRows } from '../src/audit/verify.ts';
import { selectStoredRecords, storedRecord } from '../src/audit/stored-records.ts';
import { contractIdFrom } from '../src/domain/contract-id.ts';
import type { Db } from '../src/db/open.ts';
import { benchServerUrl, createBenchDatabase, serverVersion } from './support/bench-database.ts';

/**
 * `npx node bench/audit-verify.ts`: audit records verified per second by `verifyAuditChain` (R9.1)
 * on PostgreSQL, against the baseline of reading the same records, in the same batches and one
 * snapshot, without checking them. The ratio says what the checking (canonical JSON, SHA-256,
 * links, heads) adds to reading the trail: at 0.5 checking costs as much as reading.
 *
 * The trail is written beforehand through recordAudit, in transactions of `recordsPerTransaction`
 * records, several contracts at once, as the service writes it (advisory lock, head, insert).
 */
const recordsTotal = Number(process.env.BENCH_AUDIT_RECORDS ?? 100_000);
if (!(Number.isInteger(recordsTotal) && recordsTotal > 0)) throw new Error('BENCH_AUDIT_RECORDS must be a positive whole number');
const recordsPerContract = 1000;
const recordsPerTransaction = 500;
const writersInParallel = 8;
const rounds = 2;

const log = (line: string) => process.stdout.write(line + '\n');

async function fill(db: Db): Promise<void> {
  const contracts = Array.from({ length: Math.ceil(recordsTotal / recordsPerContract) }, (_, i) => contractIdFrom(String(1_000_000_000 + i)));
  const jobs: Array<{ contractId: string; first: number; count: number }> = [];
  for (const [index, contractId] of contracts.entries()) {
    const inContract = Math.min(recordsPerContract, recordsTotal - index * recordsPerContract);
    for (let first = 0; first < inContract; first += recordsPerTransaction) {
      jobs.push({ contractId, first, count: Math.min(recordsPerTransaction, inContract - first) });
    }
  }
  const start = Date.UTC(2026, 3, 1);
  const worker = async () => {
    for (let job = jobs.shift(); job; job = jobs.shift()) {
      const { contractId, first, count } = job;
      await db.transaction().execute(async (tx) => {
        for (let i = first; i < first + count; i++) {
          await recordAudit(tx, {
            at: new Date(start + i * 1000),
            contractId,
            userRef: 1 + (i % 5),
            actor: `user:${contractId}/user${i % 5}`,
            action: i % 10 === 0 ? 'password.change' : 'logon',
            outcome: i % 7 === 0 ? 'failure' : 'success',
            reason: i % 7 === 0 ? 'wrong_password' : undefined,
            ip: `203.0.113.${i % 250}`,
            userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36',
            details: { method: 'password', cardSerial: `GC${String(i % 97).padStart(6, '0')}`, certificate: i % 2 === 0 },
          });
        }
      });
    }
  };
  await Promise.all(Array.from({ length: writersInParallel }, worker));
}

/** The baseline: verify's reading (same query, batches, snapshot and row mapping), with no checking. */
async function readOnly(db: Db): Promise<number> {
  return db
    .transaction()
    .setIsolationLevel('repeatable read')
    .setAccessMode('read only')
    .execute(async (tx) => {
      let read = 0;
      let after: { chain: string; seq: bigint } | undefined;
      for (;;) {
        let query = selectStoredRecords(tx).orderBy('chain').orderBy('seq').limit(verifyBatchRows);
        if (after) query = query.where(sql<boolean>`(chain, seq) > (${after.chain}, ${after.seq})`);
        const rows = await query.execute();
        for (const row of rows) storedRecord(row);
        read += rows.length;
        if (rows.length < verifyBatchRows) return read;
        after = { chain: rows.at(-1)!.chain, seq: BigInt(rows.at(-1)!.seq) };
      }
    });
}

async function timed(work: () => Promise<number>): Promise<{ records: number; seconds: number }> {
  const start = process.hrtime.bigint();
  const records = await work();
  return { records, seconds: Number(process.hrtime.bigint() - start) / 1e9 };
}

const database = await createBenchDatabase(writersInParallel + 2);
try {
  log(`audit verify benchmark — Node ${process.version}, ${availableParallelism()} CPUs, ${Math.round(totalmem() / 2 ** 30)} GiB, PostgreSQL ${await serverVersion()} at ${new URL(benchServerUrl).host}`);
  const filling = await timed(async () => {
    await fill(database.db);
    return recordsTotal;
  });
  log(`${recordsTotal} records written through recordAudit in ${filling.seconds.toFixed(1)} s (${Math.round(recordsTotal / filling.seconds)} records/s, ${writersInParallel} writers, ${recordsPerTransaction} records per transaction)`);
  await sql`VACUUM ANALYZE audit_log`.execute(database.db);

  const verifyOnce = async () => {
    const result = await verifyAuditChain(database.db);
    if (!result.ok || result.records !== recordsTotal) throw new Error(`verify failed: ${JSON.stringify(result.problems.slice(0, 3), (_k, v) => (typeof v === 'bigint' ? v.toString() : v))}`);
    return result.records;
  };
  await readOnly(database.db); // warm-up: caches, JIT
  await verifyOnce();

  const reads: number[] = [];
  const verifies: number[] = [];
  log('');
  log('run   read records/s   verify records/s   verify seconds');
  for (let round = 1; round <= rounds; round++) {
    const read = await timed(() => readOnly(database.db));
    const verify = await timed(verifyOnce);
    reads.push(read.records / read.seconds);
    verifies.push(verify.records / verify.seconds);
    log(`${String(round).padStart(3)}   ${Math.round(reads.at(-1)!).toString().padStart(14)}   ${Math.round(verifies.at(-1)!).toString().padStart(16)}   ${verify.seconds.toFixed(2).padStart(14)}`);
  }
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
  log('');
  log(`verify: ${Math.round(mean(verifies))} records/s (${(recordsTotal / mean(verifies)).toFixed(2)} s for ${recordsTotal} records)`);
  log(`read only: ${Math.round(mean(reads))} records/s`);
  log(`verify/read ratio: ${(mean(verifies) / mean(reads)).toFixed(3)}`);
} finally {
  await database.drop();
}
