import { availableParallelism, totalmem } from 'node:os';
import { verify } from '@node-rs/argon2';
import { buildApp } from '../src/app.ts';
import { argon2Options, hashSecret } from '../src/auth/password-hash.ts';
import { benchServerUrl, createBenchDatabase, serverVersion } from './support/bench-database.ts';
import { benchDeps } from './support/bench-deps.ts';
import { cpuBetween, sampleCpu } from './support/cpu-accounting.ts';
import { readyWorkers } from './support/logon-worker.ts';
import { printCpuTable, printThroughputHeader, printThroughputRow, reportedRatio, type ConcurrencyResult, type Run } from './support/logon-report.ts';
import { measureThroughput } from './support/throughput.ts';

/**
 * `npm run bench:logon`: complete logons per second (password step and grid card step, on
 * PostgreSQL, through app.inject()) against bare argon2id verifications per second with the same
 * parameters, both measured in this run at each concurrency. A logon verifies one password, so
 * the ratio says how much of a logon's cost is the hash: at 0.85 everything else in a logon costs
 * less than a fifth of one verification. `-- --profile` shows where the rest goes instead.
 *
 * Each concurrency runs baseline, logon, baseline, logon, so that drift of the machine (other
 * load, CPU frequency) falls on both sides alike; each side is the mean of its runs.
 */
if (process.argv.includes('--profile')) {
  await import('./support/logon-profile.ts');
  process.exit(0);
}

const concurrencies = [2, 4, 8];
const runSeconds = Number(process.env.BENCH_SECONDS ?? 5);
if (!(runSeconds > 0)) throw new Error('BENCH_SECONDS must be a positive number of seconds');
const warmUpSeconds = 3;
const roundsPerConcurrency = 2;
/** Far above what a window allows on this kind of machine; only a very fast one reaches it. */
const countMax = 20_000;

const log = (line: string) => process.stdout.write(line + '\n');

const database = await createBenchDatabase(Math.max(...concurrencies) + 2);
const deps = benchDeps(database.db, database.url);
const app = await buildApp(deps, { logger: false });
try {
  log(`logon benchmark — Node ${process.version}, ${availableParallelism()} CPUs, ${Math.round(totalmem() / 2 ** 30)} GiB, PostgreSQL ${await serverVersion()} at ${new URL(benchServerUrl).host}`);
  log(`argon2id m=${argon2Options.memoryCost} KiB t=${argon2Options.timeCost} p=${argon2Options.parallelism}; ${runSeconds} s per run; a logon is GET /logon, POST /logon, GET /logon/grid, POST /logon/grid`);

  const workers = await readyWorkers(app, deps, Math.max(...concurrencies));
  const password = 'Login2026pass'; // the workers' login password, so both sides hash the same input
  const storedHash = await hashSecret(password);
  const verifyOnce = async () => {
    if (!(await verify(storedHash, password))) throw new Error('argon2 verify failed');
  };
  const logonOnce = (worker: number) => workers[worker]!.logon();
  const run = async (operation: (worker: number) => Promise<void>, concurrency: number, seconds: number): Promise<Run> => {
    const before = await sampleCpu(deps.db);
    const throughput = await measureThroughput(concurrency, operation, { seconds, countMax });
    return { ...throughput, cpu: cpuBetween(before, await sampleCpu(deps.db)) };
  };

  await run(logonOnce, Math.max(...concurrencies), warmUpSeconds);
  await run(verifyOnce, Math.max(...concurrencies), 1);

  log('');
  printThroughputHeader();
  const results: ConcurrencyResult[] = [];
  for (const concurrency of concurrencies) {
    const result: ConcurrencyResult = { concurrency, logonRuns: [], verifyRuns: [] };
    for (let round = 0; round < roundsPerConcurrency; round++) {
      result.verifyRuns.push(await run(verifyOnce, concurrency, runSeconds));
      result.logonRuns.push(await run(logonOnce, concurrency, runSeconds));
    }
    results.push(result);
    printThroughputRow(result);
  }
  log('');
  printCpuTable(results);
  log('');
  log(`ratio reported: the median of the ratios at concurrency ${concurrencies.join(', ')}; aim ≥ 0.85`);
  log(`logon/argon2 ratio: ${reportedRatio(results).toFixed(3)}`);
} finally {
  await app.close();
  await database.drop();
}
