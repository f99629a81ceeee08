import { cpuAccountingAvailable, type CpuUse } from './cpu-accounting.ts';
import { mean, median, type Throughput } from './throughput.ts';

/** The tables `npm run bench:logon` prints; the arithmetic of its figures lives here too. */
export type Run = Throughput & { cpu: CpuUse };

export interface ConcurrencyResult {
  concurrency: number;
  logonRuns: Run[];
  verifyRuns: Run[];
}

/** Other processes using more than this share of the machine during a run make its figures doubtful. */
const elsewhereShareMax = 0.1;

const log = (line: string) => process.stdout.write(line + '\n');
const fixed = (value: number, digits: number, width: number) => value.toFixed(digits).padStart(width);
const count = (runs: Run[]) => runs.reduce((sum, r) => sum + r.count, 0);
const cpuOf = (runs: Run[], pick: (use: CpuUse) => number) => runs.reduce((sum, r) => sum + pick(r.cpu), 0);
const allCpu = (use: CpuUse) => use.threadpool + use.main + use.otherThreads + use.postgres;
/** Milliseconds of CPU per operation over some runs. */
const msPer = (runs: Run[], pick: (use: CpuUse) => number, width: number) => fixed((cpuOf(runs, pick) * 1000) / count(runs), 2, width);

/** Each side is the mean rate of its runs; the runs alternated, so drift falls on both alike. */
export function ratioAt(result: ConcurrencyResult): number {
  return mean(result.logonRuns.map((r) => r.perSecond)) / mean(result.verifyRuns.map((r) => r.perSecond));
}

export function reportedRatio(results: ConcurrencyResult[]): number {
  return median(results.map(ratioAt));
}

export function printThroughputHeader(): void {
  log('concurrency   logons/s   argon2 verifies/s   ratio   (each run: logons/s | verifies/s)');
}

export function printThroughputRow(result: ConcurrencyResult): void {
  const rates = (runs: Run[]) => runs.map((r) => r.perSecond.toFixed(1)).join(', ');
  log(
    `${String(result.concurrency).padStart(11)}   ${fixed(mean(result.logonRuns.map((r) => r.perSecond)), 1, 8)}   ` +
      `${fixed(mean(result.verifyRuns.map((r) => r.perSecond)), 1, 17)}   ${fixed(ratioAt(result), 3, 5)}   ` +
      `(${rates(result.logonRuns)} | ${rates(result.verifyRuns)})`,
  );
}

export function printCpuTable(results: ConcurrencyResult[]): void {
  if (!cpuAccountingAvailable) {
    log('CPU split per operation: needs Linux /proc; left out');
    return;
  }
  log('CPU milliseconds per operation (from /proc; everything shares the same cores)');
  log('concurrency   verify: argon2 │ logon: argon2   JS thread   GC+JIT   PostgreSQL    total │ others busy');
  let doubtful = false;
  for (const { concurrency, logonRuns: l, verifyRuns: v } of results) {
    const runs = [...l, ...v];
    const elsewhereShare = cpuOf(runs, (u) => u.elsewhere) / cpuOf(runs, (u) => u.seconds * u.cpus);
    doubtful ||= elsewhereShare > elsewhereShareMax;
    log(
      `${String(concurrency).padStart(11)}   ${msPer(v, (u) => u.threadpool, 14)} │ ${msPer(l, (u) => u.threadpool, 13)}   ` +
        `${msPer(l, (u) => u.main, 9)}   ${msPer(l, (u) => u.otherThreads, 6)}   ${msPer(l, (u) => u.postgres, 10)}   ` +
        `${msPer(l, allCpu, 6)} │ ${fixed(elsewhereShare * 100, 0, 5)} %`,
    );
  }
  if (doubtful) {
    log(`warning: other processes kept more than ${elsewhereShareMax * 100} % of the machine busy during some runs; run again on a quiet machine`);
  }
  // Once the cores are saturated a logon can be no cheaper than its CPU, so this is where the
  // throughput ratio heads at high concurrency on a quiet machine; unlike throughput, it hardly
  // moves when other processes take turns on the same cores.
  const logons = results.flatMap((r) => r.logonRuns);
  const verifies = results.flatMap((r) => r.verifyRuns);
  const cpuRatio = cpuOf(verifies, (u) => u.threadpool) / count(verifies) / (cpuOf(logons, allCpu) / count(logons));
  log(`CPU-cost ratio (argon2 CPU per verify / all CPU per logon, over all runs): ${cpuRatio.toFixed(3)}`);
}
