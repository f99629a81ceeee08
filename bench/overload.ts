import { availableParallelism, totalmem } from 'node:os';
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { buildApp } from '../src/app.ts';
import { useTestOnlyWeakHashing } from '../src/auth/password-hash.ts';
import { createKeyring, parseKeyringSpec } from '../src/platform/keyring.ts';
import { cryptoRandom } from '../src/platform/random.ts';
import { requestQueueWaitMs, requestsInFlightMax, requestsQueuedMax } from '../src/platform/admission.ts';
import { Client } from '../test/helpers/client.ts';
import { completeFirstLogon, onboardMaster } from '../test/helpers/people.ts';
import { startServiceProcess, type ServiceProcess } from '../test/helpers/service-process.ts';
import { benchServerUrl, createBenchDatabase, serverVersion, type BenchDatabase } from './support/bench-database.ts';
import { benchDeps } from './support/bench-deps.ts';
import { cleanUpOnSignal } from './support/clean-up-on-signal.ts';
import { cpuBetween, processCpuSeconds, sampleCpu, type CpuUse } from './support/cpu-accounting.ts';
import { closedLoop, ConnectionPool, openLoop, Tally } from './support/http-load.ts';
import { percentile } from './support/throughput.ts';
import { getRequest } from './support/raw-https-client.ts';

/**
 * `npm run bench:overload` (decision 0027): the portal as `npm start` runs it (src/main.ts as a
 * process of its own, HTTPS with the self-signed certificate it makes in its data folder, on a
 * PostgreSQL database of the run's own), loaded with the authenticated status page of real
 * sessions (people onboarded and logged on through the portal's own pages).
 *
 * 1. The saturating load: closed loops of 4, 8, 16, … connections until the pages served per
 *    second stop growing (less than 5 % more than the best step before); the best step gives the
 *    peak's connections and the rate of twice the load.
 * 2. Twice that load: requests arriving at twice that rate in an open loop (they keep coming
 *    whatever the service does, as the customers of a bank do), for twice as long as a step, in
 *    two rounds between three rounds at the peak (the best step's connections, closed loop): each
 *    round is compared with the mean of the peak rounds on either side of it, so that the host's
 *    drift over the minutes of a run falls on both sides alike. The ratio is the rounds' mean.
 *
 * Printed: the peak, the pages served per second (2xx) at twice the load and their ratio, the
 * refusals (503 with Retry-After, and how fast: p99 from when the request was due), timeouts and
 * connection errors (both must be 0), and the most memory the service held. Last line:
 * `overload/peak ratio: <n>`; the aim is ≥ 0.9.
 *
 * The load comes from this process on the same machine, through one address: the service is told
 * 127.0.0.1 is its proxy (TRUSTED_PROXIES), as a bank's load balancer is, so the per-address cap on
 * connections does not apply. The load generator's own CPU is counted and left out of "others busy".
 * `-- --without-gate` runs the same with admission control off (limits far above any load), to see
 * what it prevents; REQUESTS_IN_FLIGHT_MAX, REQUESTS_QUEUED_MAX and REQUEST_QUEUE_WAIT_MS in the
 * environment are passed to the service, to compare other limits.
 */
const runSeconds = Number(process.env.BENCH_SECONDS ?? 5);
if (!(runSeconds > 0)) throw new Error('BENCH_SECONDS must be a positive number of seconds');
const withoutGate = process.argv.includes('--without-gate');
const connectionSteps = [4, 8, 16, 32, 64];
/** A step counts as growth only above this factor of the best before it. */
const growthMin = 1.05;
/** One session per person, more people than the largest step, so no two requests of one session overlap. */
const peopleCount = 72;
/** Connections the open loop may hold: far above what the gate keeps busy (in flight + queued). */
const openLoopConnectionsMax = 384;
const warmUpSeconds = 3;
/** Rounds at twice the load, each between two rounds at the peak. */
const overloadRounds = 2;
const limitNames = ['REQUESTS_IN_FLIGHT_MAX', 'REQUESTS_QUEUED_MAX', 'REQUEST_QUEUE_WAIT_MS'] as const;
const givenLimits = Object.fromEntries(limitNames.filter((name) => process.env[name]).map((name) => [name, process.env[name]!]));
const busyWarnShare = 0.1;

const log = (line: string) => process.stdout.write(line + '\n');
const fixed = (value: number, digits = 0) => (Number.isFinite(value) ? value.toFixed(digits) : '—');

let database: BenchDatabase | undefined;
let service: ServiceProcess | undefined;
let pool: ConnectionPool | undefined;
const cleanUp = cleanUpOnSignal('stopping the service and dropping the database', async () => {
  pool?.close();
  await service?.stop().catch(() => {});
  await database?.drop().catch((error: unknown) => log(`could not drop the benchmark database: ${String(error)}`));
});

/** The memory of the service process now (VmRSS) or the most it has held (VmHWM), in KiB; a sampler of the most within a phase. */
function rssKiB(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith(`${field}:`));
    return line ? Number(line.split(/\s+/)[1]) : NaN;
  } catch {
    return NaN;
  }
}
function rssSampler(pid: number): { stop(): number } {
  let max = rssKiB(pid, 'VmRSS');
  const timer = setInterval(() => (max = Math.max(max, rssKiB(pid, 'VmRSS'))), 100);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(max, rssKiB(pid, 'VmRSS'));
    },
  };
}

interface Phase {
  label: string;
  servedPerSecond: number;
  tally: Tally;
  cpu: CpuUse;
  /** Seconds of CPU of this process (the load generator). */
  generator: number;
  maxRssKiB: number;
  offered?: number;
}

async function measured(label: string, pid: number, run: () => Promise<{ servedPerSecond: number; tally: Tally; offered?: number }>): Promise<Phase> {
  const before = await sampleCpu(database!.db, pid);
  const generatorBefore = processCpuSeconds();
  const rss = rssSampler(pid);
  const result = await run();
  const maxRssKiB = rss.stop();
  const cpu = cpuBetween(before, await sampleCpu(database!.db, pid));
  return { label, ...result, cpu, generator: processCpuSeconds() - generatorBefore, maxRssKiB };
}

const othersBusy = (phase: Phase) => Math.max(0, phase.cpu.elsewhere - phase.generator) / (phase.cpu.seconds * phase.cpu.cpus);
const mib = (kib: number) => fixed(kib / 1024, 0);

function printPhase(phase: Phase): void {
  const served = phase.tally.served.length;
  const perServed = (seconds: number) => fixed((seconds * 1000) / Math.max(1, served), 2);
  log(
    `${phase.label.padEnd(22)} ${fixed(phase.servedPerSecond).padStart(6)} ${fixed(percentile(phase.tally.served, 50), 1).padStart(7)} ${fixed(percentile(phase.tally.served, 99), 1).padStart(7)}` +
      ` ${String(phase.tally.refused.length).padStart(8)} ${fixed(percentile(phase.tally.refused, 99), 1).padStart(8)}` +
      ` ${String(phase.tally.timeouts + phase.tally.errors + phase.tally.otherCount).padStart(6)}` +
      ` │ ${perServed(phase.cpu.main).padStart(5)} ${perServed(phase.cpu.threadpool + phase.cpu.otherThreads).padStart(5)} ${perServed(phase.cpu.postgres).padStart(5)} ${perServed(phase.generator).padStart(5)}` +
      ` │ ${mib(phase.maxRssKiB).padStart(4)} │ ${fixed(othersBusy(phase) * 100).padStart(3)} %`,
  );
}

try {
  log(`overload benchmark — Node ${process.version}, ${availableParallelism()} CPUs, ${Math.round(totalmem() / 2 ** 30)} GiB, PostgreSQL ${await serverVersion()} at ${new URL(benchServerUrl).host}`);
  const limit = (name: (typeof limitNames)[number], fallback: number) => givenLimits[name] ?? `${fallback} (default)`;
  log(
    withoutGate
      ? 'admission control OFF (--without-gate): limits far above any load'
      : `admission control: ${limit('REQUESTS_IN_FLIGHT_MAX', requestsInFlightMax)} requests in flight, ${limit('REQUESTS_QUEUED_MAX', requestsQueuedMax)} queued, ${limit('REQUEST_QUEUE_WAIT_MS', requestQueueWaitMs)} ms wait at most`,
  );
  log(`request: GET /status (the authenticated status page) of ${peopleCount} sessions in turn; ${runSeconds} s a step, ${2 * runSeconds} s at twice the load`);

  // The people are set up with the cheapest hashing: no password is checked in the measured runs.
  useTestOnlyWeakHashing();
  database = await createBenchDatabase(4);
  const keyringSpec = `1:${randomBytes(32).toString('base64')}`;
  const deps = { ...benchDeps(database.db, database.url), keyring: createKeyring(parseKeyringSpec(keyringSpec), cryptoRandom) };
  const setupApp = await buildApp(deps, { logger: false });
  const sessions: string[] = [];
  for (let i = 0; i < peopleCount; i++) {
    const person = await onboardMaster(deps, { userId: `load${i + 1}` });
    const client = new Client(setupApp, { ip: `198.51.100.${(i % 250) + 1}` });
    await completeFirstLogon(client, deps, person);
    sessions.push(client.cookies.get('__Host-sid')!);
  }
  await setupApp.close();

  service = await startServiceProcess({
    DATABASE_URL: database.url,
    ENCRYPTION_KEYS: keyringSpec,
    SEED_DEMO: 'false',
    // The service's log of every request (info) would be collected by this process; warnings still are.
    LOG_LEVEL: 'warn',
    TRUSTED_PROXIES: '127.0.0.1',
    ...(withoutGate ? { REQUESTS_IN_FLIGHT_MAX: '100000', REQUESTS_QUEUED_MAX: '0' } : givenLimits),
  });
  const port = Number(new URL(service.base).port);
  const requests = sessions.map((sid) => getRequest('/status', { host: `localhost:${port}`, cookie: `__Host-sid=${sid}`, accept: 'text/html', 'user-agent': 'bench-overload' }));
  let turn = 0;
  const nextRequest = () => requests[turn++ % requests.length]!;
  pool = new ConnectionPool(port, openLoopConnectionsMax);

  const check = await closedLoop(pool, 1, 0.2, nextRequest);
  if (check.tally.served.length === 0) throw new Error(`the status page was not served: ${JSON.stringify([...check.tally.other])}\n${service.output().slice(-2000)}`);
  await closedLoop(pool, 8, warmUpSeconds, nextRequest);

  log('');
  log('load                    2xx/s  p50 ms  p99 ms  refused  ref p99  fails │ CPU ms per 2xx: JS  other    PG  load │  RSS │ others');
  log('                                                                 │                  thread thrds       gen  │  MiB │ busy');
  const steps: (Phase & { connections: number })[] = [];
  for (const connections of connectionSteps) {
    const phase = await measured(`closed, ${connections} connections`, service.pid, () => closedLoop(pool!, connections, runSeconds, nextRequest));
    printPhase(phase);
    const best = Math.max(0, ...steps.map((step) => step.servedPerSecond));
    steps.push({ ...phase, connections });
    if (phase.servedPerSecond < best * growthMin) break;
  }
  const best = steps.reduce((a, b) => (b.servedPerSecond > a.servedPerSecond ? b : a));
  const rate = 2 * best.servedPerSecond;

  // The peak and twice the load in alternate rounds, so that the host's drift falls on both alike:
  // each round at twice the load is compared with the mean of the peak rounds before and after it.
  log('');
  const peaks: Phase[] = [];
  const overloads: Phase[] = [];
  const peakRound = async () => {
    const phase = await measured(`peak, ${best.connections} connections`, service!.pid, () => closedLoop(pool!, best.connections, runSeconds, nextRequest));
    printPhase(phase);
    peaks.push(phase);
  };
  await peakRound();
  for (let round = 1; round <= overloadRounds; round++) {
    // The connections an open loop at this rate holds, opened before it is measured: the service
    // closes those idle through a peak round, and TLS handshakes are not what is measured.
    await openLoop(pool, rate, 2, nextRequest);
    const phase = await measured(`open, ${fixed(rate)}/s due`, service.pid, () => openLoop(pool!, rate, 2 * runSeconds, nextRequest));
    printPhase(phase);
    overloads.push(phase);
    await peakRound();
  }
  const roundRatios = overloads.map((phase, i) => phase.servedPerSecond / ((peaks[i]!.servedPerSecond + peaks[i + 1]!.servedPerSecond) / 2));
  const ratio = roundRatios.reduce((sum, r) => sum + r, 0) / roundRatios.length;
  const peakServed = peaks.reduce((sum, phase) => sum + phase.servedPerSecond, 0) / peaks.length;
  const overloadServed = overloads.reduce((sum, phase) => sum + phase.servedPerSecond, 0) / overloads.length;
  const peakRss = rssKiB(service.pid, 'VmHWM');
  const tally = Tally.merged(overloads.map((phase) => phase.tally));
  const busiest = Math.max(...[...steps, ...peaks, ...overloads].map(othersBusy));

  log('');
  log(`peak: ${fixed(peakServed)} pages/s (2xx) with ${best.connections} connections in a closed loop, the mean of ${peaks.length} rounds (the steps' best: ${fixed(best.servedPerSecond)})`);
  log(`twice the load: ${fixed(rate)} requests/s due (open loop), ${overloadRounds} rounds of ${2 * runSeconds} s between the peak's, on up to ${openLoopConnectionsMax} connections`);
  log(`  served ${fixed(overloadServed)} pages/s (2xx), p50 ${fixed(percentile(tally.served, 50), 1)} ms, p99 ${fixed(percentile(tally.served, 99), 1)} ms; each round against its neighbouring peaks: ${roundRatios.map((r) => r.toFixed(3)).join(', ')}`);
  log(`  refused ${tally.refused.length} (503), p50 ${fixed(percentile(tally.refused, 50), 1)} ms, p99 ${fixed(percentile(tally.refused, 99), 1)} ms; without Retry-After: ${tally.refusedWithoutRetryAfter}`);
  log(`  timeouts (no answer in 10 s): ${tally.timeouts}; connection errors: ${tally.errors}; other answers: ${tally.otherCount}${tally.otherCount ? ` ${JSON.stringify([...tally.other])}` : ''}; not sent (no connection free): ${tally.notSent}`);
  log(`service memory: most ${mib(Math.max(...overloads.map((s) => s.maxRssKiB)))} MiB RSS at twice the load, ${mib(Math.max(...[...steps, ...peaks].map((s) => s.maxRssKiB)))} MiB at the peak and in the steps, ${mib(peakRss)} MiB the whole run (VmHWM)`);
  if (busiest > busyWarnShare) log(`warning: the machine was busy with other work (others busy up to ${fixed(busiest * 100)} % of its CPUs): the figures are noisy`);
  log('aim: ratio ≥ 0.9, no timeouts or errors, refusals fast');
  log(`overload/peak ratio: ${ratio.toFixed(3)}`);
} finally {
  await cleanUp();
}
