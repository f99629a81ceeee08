import { sql } from 'kysely';
import { verify } from '@node-rs/argon2';
import { buildApp } from '../../src/app.ts';
import { hashSecret } from '../../src/auth/password-hash.ts';
import type { Db } from '../../src/db/open.ts';
import { createBenchDatabase } from './bench-database.ts';
import { benchDeps } from './bench-deps.ts';
import { cpuAccountingAvailable, cpuBetween, postgresCpuSeconds, postgresPids, sampleCpu } from './cpu-accounting.ts';
import { logonSteps, readyWorkers, type LogonStep, type StepObserver } from './logon-worker.ts';
import { openTimedDatabase } from './timed-database.ts';

/**
 * `npm run bench:logon -- --profile`: where a logon's time goes when the ratio falls short. One
 * person logs on again and again, one logon at a time, so that every statement's round trip and
 * every request's CPU is its own: per request, wall time, CPU of the JavaScript thread and of
 * PostgreSQL, and the statements it runs; per statement, how often a logon runs it and its round
 * trip; then CPU per logon by thread and process, and commits and WAL flushes per logon.
 */
const logonsCount = Number(process.env.BENCH_PROFILE_LOGONS ?? 300);
const warmUpLogons = 100;
const verifiesCount = 200;
/** Backends publish their statistics at most once a second; wait for the last ones before reading. */
const statsFlushMs = 1500;

const log = (line: string) => process.stdout.write(line + '\n');
const f = (value: number, digits = 2, width = 7) => value.toFixed(digits).padStart(width);

/** Logons run one at a time, so the request under way is the one every statement belongs to. */
let stepUnderWay: LogonStep | undefined;
const queries = new Map<string, { step: LogonStep | 'outside'; count: number; ms: number }>();
let recording = false;
const onQuery = (text: string, ms: number) => {
  if (!recording) return;
  const step = stepUnderWay ?? 'outside';
  const shape = text.replace(/\s+/g, ' ').trim();
  const key = `${step}\u0000${shape}`;
  const entry = queries.get(key) ?? { step, count: 0, ms: 0 };
  entry.count++;
  entry.ms += ms;
  queries.set(key, entry);
};

const database = await createBenchDatabase(2);
const db = openTimedDatabase(database.url, 4, onQuery);
const deps = benchDeps(db, database.url);
const app = await buildApp(deps, { logger: false });
try {
  const [worker] = await readyWorkers(app, deps, 1);
  for (let i = 0; i < warmUpLogons; i++) await worker!.logon();

  const password = 'Login2026pass';
  const storedHash = await hashSecret(password);
  const verifyStart = performance.now();
  for (let i = 0; i < verifiesCount; i++) await verify(storedHash, password);
  const verifyMs = (performance.now() - verifyStart) / verifiesCount;

  // Logons run one at a time, so this thread's CPU and the PostgreSQL processes' CPU during a
  // request are that request's. Linux counts the latter in 10 ms ticks: summed over hundreds of
  // logons the figure is a fair average, not an exact one per request.
  const pids = await postgresPids(db);
  const spent = new Map(logonSteps.map((s) => [s, { wallMs: 0, jsMs: 0, kernelMs: 0, postgresMs: 0 }]));
  const observe: StepObserver = async (step, request) => {
    // Reading /proc costs JavaScript time too: it stays outside the window measured.
    const postgres = postgresCpuSeconds(pids);
    const js = process.threadCpuUsage();
    const start = performance.now();
    stepUnderWay = step;
    try {
      return await request();
    } finally {
      const wallMs = performance.now() - start;
      const used = process.threadCpuUsage(js);
      stepUnderWay = undefined;
      const entry = spent.get(step)!;
      entry.wallMs += wallMs;
      entry.jsMs += (used.user + used.system) / 1000;
      entry.kernelMs += used.system / 1000;
      entry.postgresMs += (postgresCpuSeconds(pids) - postgres) * 1000;
    }
  };

  const before = await counters(db);
  const cpuBefore = await sampleCpu(db);
  recording = true;
  const start = performance.now();
  for (let i = 0; i < logonsCount; i++) await worker!.logon(observe);
  const logonMs = (performance.now() - start) / logonsCount;
  recording = false;
  const cpu = cpuBetween(cpuBefore, await sampleCpu(db));
  await new Promise((resolve) => setTimeout(resolve, statsFlushMs));
  const after = await counters(db);

  log(`logon profile: ${logonsCount} logons one at a time (after ${warmUpLogons} to warm up), PostgreSQL on this machine`);
  log(`one logon: ${f(logonMs)} ms; one bare argon2id verify: ${f(verifyMs)} ms; so the rest of a logon takes ${f(logonMs - verifyMs)} ms`);
  log('');
  log('request            wall ms   JS thread CPU ms (in kernel)   PostgreSQL CPU ms   statements   SQL round trips ms');
  const totals = { wallMs: 0, jsMs: 0, kernelMs: 0, postgresMs: 0, statements: 0, sqlMs: 0 };
  const printRow = (label: string, row: typeof totals) => {
    const per = (value: number, digits: number, width: number) => f(value / logonsCount, digits, width);
    log(
      `${label.padEnd(17)} ${per(row.wallMs, 2, 8)}   ${per(row.jsMs, 2, 16)} ${per(row.kernelMs, 2, 6)}    ` +
        `${per(row.postgresMs, 2, 17)}   ${per(row.statements, 1, 10)}   ${per(row.sqlMs, 2, 18)}`,
    );
  };
  for (const step of logonSteps) {
    const mine = [...queries.values()].filter((q) => q.step === step);
    const row = {
      ...spent.get(step)!,
      statements: mine.reduce((sum, q) => sum + q.count, 0),
      sqlMs: mine.reduce((sum, q) => sum + q.ms, 0),
    };
    for (const key of Object.keys(totals) as (keyof typeof totals)[]) totals[key] += row[key];
    printRow(step, row);
  }
  printRow('all four', totals);
  log('(POST /logon\'s wall time includes the argon2 verification, which runs off the JS thread)');
  log('');
  log('statements per logon (round trip as the service sees it, including waits for the WAL flush of a commit)');
  log('request            per logon   ms each   ms per logon   statement');
  for (const [key, q] of queries) {
    log(`${q.step.padEnd(17)} ${f(q.count / logonsCount, 1, 9)}   ${f(q.ms / q.count, 3, 7)}   ${f(q.ms / logonsCount, 3, 12)}   ${key.split('\u0000')[1]!.slice(0, 110)}`);
  }
  log('');
  const per = (seconds: number) => f((seconds * 1000) / logonsCount);
  if (cpuAccountingAvailable) {
    const busyElsewhere = (cpu.elsewhere / (cpu.seconds * cpu.cpus)) * 100;
    log(
      `CPU ms per logon: JS thread ${per(cpu.main)}, argon2 (libuv pool) ${per(cpu.threadpool)}, GC+JIT threads ${per(cpu.otherThreads)}, ` +
        `PostgreSQL ${per(cpu.postgres)}; other processes kept ${f(busyElsewhere, 0, 1)} % of the machine busy`,
    );
  }
  const perLogon = (value: number) => f(value / logonsCount, 1, 1);
  log(
    `per logon: ${perLogon(after.commits - before.commits)} commits in this database, ` +
      `${perLogon(after.walSyncs - before.walSyncs)} WAL flushes on the server (all databases), ${perLogon((after.walBytes - before.walBytes) / 1024)} KiB of WAL`,
  );
} finally {
  await app.close();
  await db.destroy();
  await database.drop();
}

async function counters(db: Db): Promise<{ commits: number; walSyncs: number; walBytes: number }> {
  const stats = await sql<{ commits: string; wal_syncs: string; wal_bytes: string }>`
    SELECT (SELECT xact_commit FROM pg_stat_database WHERE datname = current_database())::text AS commits,
           wal_sync::text AS wal_syncs, wal_bytes::text AS wal_bytes
    FROM pg_stat_wal`.execute(db);
  const row = stats.rows[0]!;
  return { commits: Number(row.commits), walSyncs: Number(row.wal_syncs), walBytes: Number(row.wal_bytes) };
}
