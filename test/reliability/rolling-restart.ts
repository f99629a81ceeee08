import { setTimeout as delay } from 'node:timers/promises';
import { stopWaitMs } from '../../src/platform/connection-drain.ts';
import type { TestDatabase } from '../helpers/database.ts';
import { testKeyringSpec } from '../helpers/deps.ts';
import { HttpsClient, type HttpsAnswer } from '../helpers/https-client.ts';
import type { ServiceProcess } from '../helpers/service-process.ts';
import type { TestPerson } from '../helpers/people.ts';
import { Balancer, type Backend } from './balancer.ts';
import { ScenarioReport, ms } from './report.ts';
import { Traffic } from './traffic.ts';
import { logOnOver, prepareSenders, startBusinessDayService } from './transfer-senders.ts';

/**
 * Graceful stop and rolling restart (docs/reliability/database-and-shutdown.md). Clients keep
 * connections open (keep-alive) and ask for status pages, through a balancer (./balancer.ts) over
 * two service processes on one database; the processes are replaced one after the other, as a
 * rolling deployment does: the new process starts and is ready, then the old one gets SIGTERM and
 * exits. No request may be lost: every
 * request that went out gets a complete answer (the stopping process answers what it was sent,
 * closing each connection after), a connection refused by a stopping process is sent to the other.
 * Each process exits 0 within the stop's bound. Used by test/reliability/graceful-stop.test.ts
 * (short) and chaos/rolling-restart.ts (long).
 */
const processReadyWaitMs = 60_000;
/** Clients of the burst at a single process. */
export const burstClients = 30;

export interface StatusService {
  database: TestDatabase;
  person: TestPerson;
  env: Record<string, string>;
  start(): Promise<ServiceProcess>;
}

/** What the scenarios need: a person who may open the status page, and how to start a service process. */
export async function prepareStatusService(database: TestDatabase): Promise<StatusService> {
  const [person] = (await prepareSenders(database.db, 1)).people;
  const env = { DATABASE_URL: database.url!, ENCRYPTION_KEYS: testKeyringSpec, SEED_DEMO: 'false', LOG_LEVEL: 'warn', LOGON_RATE_PER_MINUTE: '100000' };
  return { database, person: person!, env, start: () => startBusinessDayService(env) };
}

/** Clients that share one logged-on session, each keeping its connections open. */
async function sessionClients(base: string, person: TestPerson, count: number): Promise<HttpsClient[]> {
  const owner = await logOnOver(base, person, '/status');
  const cookie = owner.sessionCookie!;
  owner.close();
  return Array.from({ length: count }, () => {
    const client = new HttpsClient({ keepAlive: true });
    client.cookies.set('__Host-sid', cookie);
    return client;
  });
}

/** A status page answered in full, or the reason it is not. */
function statusPageProblem(answer: HttpsAnswer): string | undefined {
  if (answer.status !== 200) return `answered ${answer.status} ${answer.location ?? ''}`;
  if (!answer.body.trimEnd().endsWith('</html>')) return 'a page cut short';
  return undefined;
}

export interface RollingRestartOptions {
  clients: number;
  /** Whether to replace another process: asked with the number replaced so far. */
  replaceMore(replaced: number): boolean;
  /** The next process to put in (a new one; a test may have started it already). */
  nextProcess(): Promise<ServiceProcess>;
  /** Load on the processes between two steps. */
  settleMs: number;
}

/**
 * Runs the rolling restart over `first` and `second` (both running); ends with one process stopped
 * under load and not replaced, and returns the one left running.
 */
export async function runRollingRestart(setup: StatusService, first: ServiceProcess, second: ServiceProcess, options: RollingRestartOptions): Promise<{ report: ScenarioReport; remaining: ServiceProcess }> {
  const report = new ScenarioReport('rolling-restart');
  const traffic = new Traffic(report);
  const balancer = new Balancer();
  const backends = [balancer.add('process 1', first), balancer.add('process 2', second)];
  let started = 2;
  for (const backend of backends) if (!(await balancer.ready(backend, processReadyWaitMs))) throw new Error(`${backend.name} never became ready`);
  const clients = await sessionClients(first.base, setup.person, options.clients);
  let running = true;
  const workers = clients.map(async (client) => {
    while (running) {
      const sent = await balancer.send(traffic, 'the status page', (base) => client.get(base, '/status'));
      const problem = 'answer' in sent ? statusPageProblem(sent.answer) : undefined;
      if (problem) traffic.lose(`the status page: ${problem}`);
    }
  });

  const stops: { name: string; code: number | null; ms: number; inFlight: number; answeredWhileStopping: number }[] = [];
  const stop = async (backend: Backend) => {
    const inFlight = backend.inFlight;
    const answeredBefore = backend.answered;
    const ended = await backend.service.terminate(stopWaitMs + 5_000);
    stops.push({ name: backend.name, ...ended, inFlight, answeredWhileStopping: backend.answered - answeredBefore });
    if (ended.code !== 0) report.lose(1, `${backend.name} exited with ${ended.code} after SIGTERM`);
    if (ended.ms > stopWaitMs) report.lose(1, `${backend.name} took ${ms(ended.ms)} to stop, over the bound of ${ms(stopWaitMs)}`);
    await balancer.remove(backend);
  };
  const startTimes: number[] = [];
  const loadStarted = performance.now();
  let remaining: ServiceProcess | undefined;
  try {
    for (let replaced = 0; options.replaceMore(replaced); replaced++) {
      await delay(options.settleMs);
      const starting = performance.now();
      const next = balancer.add(`process ${++started}`, await options.nextProcess());
      if (!(await balancer.ready(next, processReadyWaitMs))) throw new Error(`${next.name} never became ready`);
      startTimes.push(performance.now() - starting);
      await delay(options.settleMs);
      await stop(balancer.backends[0]!);
    }
    // The last stop leaves one process to carry the whole load.
    await delay(options.settleMs);
    await stop(balancer.backends[0]!);
    await delay(options.settleMs);
    remaining = balancer.backends[0]!.service;
  } finally {
    running = false;
    await Promise.all(workers);
    for (const client of clients) client.close();
    await balancer.close();
  }
  report.figure('load', `${((performance.now() - loadStarted) / 1000).toFixed(1)} s, ${options.clients} clients with keep-alive asking for status pages through the balancer`);
  report.figure('processes stopped (SIGTERM) under load', stops.length);
  report.figure('processes put in under load', startTimes.length);
  report.figure('requests sent', traffic.sent);
  report.figure('requests answered', traffic.answered);
  report.figure('requests answered 503', traffic.unavailable);
  report.figure('connections refused, the request sent to the other process', balancer.retried);
  report.figure('requests in flight at each SIGTERM', stops.map((s) => s.inFlight).join(', '));
  report.figure('requests answered by each process after its SIGTERM', stops.map((s) => s.answeredWhileStopping).join(', '));
  report.figure('exit status and time after each SIGTERM', stops.map((s) => `${s.code} in ${ms(s.ms)}`).join(', '));
  report.figure('time from start to ready of each new process', startTimes.map(ms).join(', '));
  report.lose(traffic.unavailable, 'request answered 503 (the database was there all along)');
  return { report, remaining: remaining! };
}

export type BurstReport = ScenarioReport & { exit: { code: number | null; ms: number }; inFlightAtSignal: number; closingAnswers: number };

/**
 * SIGTERM to one process in the middle of a burst of status pages from clients that keep their
 * connections open: every request that went out is answered in full (no reset), the answers after
 * the signal close their connections, later connections are refused, and the process exits 0 within
 * the bound.
 */
export async function sigtermDuringBurst(setup: StatusService, service: ServiceProcess, options: { clients: number; answeredBeforeStop: number }): Promise<BurstReport> {
  const report = new ScenarioReport('graceful-stop');
  const traffic = new Traffic(report);
  const clients = await sessionClients(service.base, setup.person, options.clients);
  let signalled: Promise<{ code: number | null; ms: number }> | undefined;
  let inFlightAtSignal = 0;
  let closingAnswers = 0;
  let signalledAt = Infinity;
  const workers = clients.map(async (client) => {
    for (;;) {
      const sent = await traffic.send('the status page', () => client.get(service.base, '/status'));
      if ('notSent' in sent) return; // the listener is closed: a balancer sends it elsewhere
      if ('answer' in sent) {
        const problem = statusPageProblem(sent.answer);
        if (problem) traffic.lose(`the status page: ${problem}`);
        if (sent.answer.headers.connection === 'close' && performance.now() > signalledAt) closingAnswers++;
      }
      if (!signalled && traffic.answered >= options.answeredBeforeStop) {
        inFlightAtSignal = traffic.inFlight;
        signalledAt = performance.now();
        signalled = service.terminate(stopWaitMs + 5_000);
      }
      if ('lost' in sent) return;
    }
  });
  await Promise.all(workers);
  for (const client of clients) client.close();
  const exit = await (signalled ?? service.terminate(stopWaitMs + 5_000));
  report.figure('clients', `${options.clients} with keep-alive, asking for status pages at once`);
  report.figure('requests sent', traffic.sent);
  report.figure('requests answered in full', traffic.answered);
  report.figure('requests in flight at SIGTERM', inFlightAtSignal);
  report.figure('answers with Connection: close after SIGTERM', closingAnswers);
  report.figure('connections refused after SIGTERM (never sent)', traffic.notSent);
  report.figure('exit status and time after SIGTERM', `${exit.code} in ${ms(exit.ms)} (bound ${ms(stopWaitMs)})`);
  if (exit.code !== 0) report.lose(1, `exit status ${exit.code} after SIGTERM`);
  if (exit.ms > stopWaitMs) report.lose(1, `stopped in ${ms(exit.ms)}, over the bound of ${ms(stopWaitMs)}`);
  report.lose(traffic.unavailable, 'request answered 503 (the database was there all along)');
  return Object.assign(report, { exit, inFlightAtSignal, closingAnswers });
}
