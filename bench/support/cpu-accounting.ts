import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { sql } from 'kysely';
import type { Db } from '../../src/db/open.ts';

/**
 * Where CPU time goes during a run, read from /proc (Linux): this process split by thread kind, the
 * PostgreSQL processes serving this database (its backends and the server's own helpers such as
 * the WAL writer), and the whole machine, so that load from anything else shows up in the figures
 * instead of silently lowering them. Linux counts in ticks (usually 10 ms); a run of seconds makes
 * that fine enough.
 */
export interface CpuSample {
  at: number;
  /** Seconds of CPU by thread kind of this process: the JavaScript thread, libuv's pool (argon2), the rest (GC, compiler). */
  threads: { main: number; threadpool: number; other: number };
  /**
   * Seconds of CPU of the whole process, threads that have ended included. argon2 computes its lanes
   * (p=4) on threads it starts for each hash and ends with it: their time is in the process's total
   * but in no thread found alive at a sample, and would otherwise be counted as other processes'.
   */
  process: number;
  /** Seconds of CPU per PostgreSQL process id. */
  postgres: Map<number, number>;
  machine: { busy: number; total: number };
}

export interface CpuUse {
  seconds: number;
  main: number;
  threadpool: number;
  otherThreads: number;
  postgres: number;
  /** CPU seconds used by processes that are neither this one nor its PostgreSQL processes. */
  elsewhere: number;
  cpus: number;
}

const ticksPerSecond = 100; // USER_HZ, 100 on every common Linux build

/** Elsewhere (no /proc) every sample reads zero and the report leaves the CPU table out. */
export const cpuAccountingAvailable = existsSync('/proc/self/task') && existsSync('/proc/stat');

function cpuSecondsOf(statPath: string): number | undefined {
  try {
    const fields = readFileSync(statPath, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond; // utime + stime
  } catch {
    return undefined; // the thread or process has ended
  }
}

export async function postgresPids(db: Db): Promise<number[]> {
  const rows = await sql<{ pid: number }>`
    SELECT pid FROM pg_stat_activity
    WHERE datname = current_database() OR (datname IS NULL AND backend_type <> 'client backend')`.execute(db);
  return rows.rows.map((r) => r.pid);
}

/** CPU seconds of the given PostgreSQL processes together; cheap enough to read around each request. */
export function postgresCpuSeconds(pids: readonly number[]): number {
  return pids.reduce((sum, pid) => sum + (cpuSecondsOf(`/proc/${pid}/stat`) ?? 0), 0);
}

/** `pid`: the process whose threads are counted, this one unless the service runs as a process of its own. */
export async function sampleCpu(db: Db, pid: number = process.pid): Promise<CpuSample> {
  const threads = { main: 0, threadpool: 0, other: 0 };
  if (!cpuAccountingAvailable) return { at: performance.now(), threads, process: 0, postgres: new Map(), machine: { busy: 0, total: 0 } };
  const processSeconds = processCpuSeconds(pid);
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    const seconds = cpuSecondsOf(`/proc/${pid}/task/${tid}/stat`) ?? 0;
    let name = '';
    try {
      name = readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim();
    } catch {}
    if (tid === String(pid)) threads.main += seconds;
    else if (name === 'libuv-worker') threads.threadpool += seconds;
    else threads.other += seconds;
  }
  const postgres = new Map<number, number>();
  for (const pid of await postgresPids(db)) {
    const seconds = cpuSecondsOf(`/proc/${pid}/stat`);
    if (seconds !== undefined) postgres.set(pid, seconds);
  }
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = cpu.slice(0, 8).reduce((sum, v) => sum + v, 0) / ticksPerSecond;
  const idle = (cpu[3]! + cpu[4]!) / ticksPerSecond; // idle + iowait
  return { at: performance.now(), threads, process: processSeconds, postgres, machine: { busy: total - idle, total } };
}

/** CPU seconds of one whole process (all its threads), e.g. a benchmark's own load generator. */
export function processCpuSeconds(pid: number = process.pid): number {
  return cpuSecondsOf(`/proc/${pid}/stat`) ?? 0;
}

/** A process that started during the run counts from zero; one that ended during it is lost (rare: the pool keeps its connections). */
export function cpuBetween(start: CpuSample, end: CpuSample): CpuUse {
  let postgres = 0;
  for (const [pid, seconds] of end.postgres) postgres += seconds - (start.postgres.get(pid) ?? 0);
  const main = end.threads.main - start.threads.main;
  const otherThreads = end.threads.other - start.threads.other;
  // The pool's threads and the threads their work started and ended (argon2's lanes): what the
  // process spent beyond the threads alive at both samples.
  const aliveThreadpool = end.threads.threadpool - start.threads.threadpool;
  const ended = Math.max(0, end.process - start.process - main - aliveThreadpool - otherThreads);
  const threadpool = aliveThreadpool + ended;
  const busy = end.machine.busy - start.machine.busy;
  const seconds = (end.at - start.at) / 1000;
  return {
    seconds,
    main,
    threadpool,
    otherThreads,
    postgres,
    elsewhere: Math.max(0, busy - main - threadpool - otherThreads - postgres),
    cpus: (end.machine.total - start.machine.total) / seconds,
  };
}
