import { availableParallelism, totalmem } from 'node:os';
import Fastify, { type FastifyInstance } from 'fastify';
import { buildApp } from '../src/app.ts';
import { useTestOnlyWeakHashing } from '../src/auth/password-hash.ts';
import type { Db } from '../src/db/open.ts';
import { tokyoDate } from '../src/domain/business-days.ts';
import { serverTlsOptions, type ServerTlsIdentity } from '../src/platform/tls-policy.ts';
import { statementRowsPerPage } from '../src/modules/accounts/statement-query.ts';
import { Client } from '../test/helpers/client.ts';
import { completeFirstLogon, onboardMaster, type TestPerson } from '../test/helpers/people.ts';
import { selfSigned } from '../test/helpers/self-signed.ts';
import { benchServerUrl, createBenchDatabase, serverVersion } from './support/bench-database.ts';
import { benchDeps } from './support/bench-deps.ts';
import { cleanUpOnSignal } from './support/clean-up-on-signal.ts';
import { cpuBetween, sampleCpu, type CpuUse } from './support/cpu-accounting.ts';
import { LogonWorker } from './support/logon-worker.ts';
import { runLoad, type LoadResult, type LoadSession, type LoadSpec } from './support/page-load.ts';
import { profilePages } from './support/pages-profile.ts';
import { fillPagesLedger, pagesLedgerPostingsMin } from './support/pages-ledger.ts';
import { mean } from './support/throughput.ts';

/**
 * `npm run bench:pages`: the authenticated pages a person looks at most — the top page (/status),
 * an account's statement (50 lines of a ledger of 10,000,000 postings) and the approvals list —
 * over real HTTPS with keep-alive, 100 people each on their own connection with their own session
 * (logged on through the real password and grid card steps), against a bare Fastify route on the
 * same TLS policy that reads one row through the same kind of pool, measured in the same run.
 * Rounds alternate bare, pages, bare, pages, so drift of the machine falls on both sides alike; the
 * ratio is the mean of the pages' requests per second over the mean of the bare route's. The load
 * comes from autocannon in a worker thread, so the JavaScript thread's CPU is the service's own.
 *
 * Env: BENCH_SECONDS (per round, default 10), BENCH_PAGES_POSTINGS (the ledger's size, default
 * 10,000,000; smaller for development), BENCH_DATABASE_URL (the server, default local).
 * `-- --profile`: instead of the rounds, the statements each page runs (./support/pages-profile.ts).
 * For a CPU profile: `npx node --cpu-prof --cpu-prof-dir=/tmp/pages-prof bench/pages.ts`.
 */
const profileOnly = process.argv.includes('--profile');
const sessionCount = 100;
const runSeconds = Number(process.env.BENCH_SECONDS ?? 10);
if (!(runSeconds > 0)) throw new Error('BENCH_SECONDS must be a positive number of seconds');
const postings = Number(process.env.BENCH_PAGES_POSTINGS ?? 10_000_000);
if (!(Number.isInteger(postings) && postings >= pagesLedgerPostingsMin(sessionCount))) {
  throw new Error(`BENCH_PAGES_POSTINGS must be a whole number of at least ${pagesLedgerPostingsMin(sessionCount)}`);
}
const fullSizePostings = 10_000_000;
const rounds = 2;
const warmUpSeconds = 2;
/** The pool the service opens (src/runtime.ts opens the default of src/db/open.ts). */
const poolSize = 10;
/** People set up at once: the hashing of their passwords is what takes the time. */
const setupConcurrency = 4;
const ratioAim = 0.35;
const p99AimMs = 50;
const elsewhereShareMax = 0.1;
/** What every answer of the bare route starts with. */
const bareMarker = 'bare:';

const log = (line: string) => process.stdout.write(line + '\n');

// What is measured is the pages after a logon, not the logon (npm run bench:logon measures that):
// the 100 people's passwords are hashed with the cheapest argon2id parameters so that setting them
// up takes seconds, not minutes. Their logons still go through the real password and grid steps.
useTestOnlyWeakHashing();

const database = await createBenchDatabase(poolSize);
const dropOnce = cleanUpOnSignal("dropping the benchmark's database (after the statement in progress)", () => database.drop());

/** A step before the main try: if it fails, the database still goes. */
const orDrop = <T>(step: Promise<T>): Promise<T> =>
  step.catch(async (error: unknown) => {
    await dropOnce();
    throw error;
  });

const deps = benchDeps(database.db, database.url);
const identity = await orDrop(selfSigned());
const app = await orDrop(buildApp(deps, { https: identity, logger: false }));
const bare = await orDrop(bareApp(database.db, identity));
try {
  log(`pages benchmark — Node ${process.version}, ${availableParallelism()} CPUs, ${Math.round(totalmem() / 2 ** 30)} GiB, PostgreSQL ${await serverVersion()} at ${new URL(benchServerUrl).host}`);
  log(`${sessionCount} sessions on ${sessionCount} keep-alive HTTPS connections; ${runSeconds} s per round; pool of ${poolSize} connections for both sides`);

  let started = performance.now();
  const people = await inParallel(sessionCount, setupConcurrency, async (i) => {
    const ip = `198.51.100.${i + 1}`;
    const person = await onboardMaster(deps, { userId: `page${i + 1}` });
    await completeFirstLogon(new Client(app, { ip }), deps, person);
    return { person, ip, masterRef: await masterRefOf(database.db, person) };
  });
  log(`${sessionCount} people onboarded through their first logon in ${seconds(started)} s`);

  const ledger = await fillPagesLedger(database.db, {
    postings,
    benchedContracts: people.map(({ person, masterRef }) => ({ contractId: person.contractId, masterRef })),
    today: tokyoDate(deps.clock.now()),
  });
  log(`ledger: ${ledger.postings.toLocaleString('en')} postings in ${ledger.entries.toLocaleString('en')} entries on ${ledger.fillerAccounts + sessionCount} accounts, filled in ${ledger.seconds.toFixed(1)} s`);
  if (postings < fullSizePostings) log(`note: BENCH_PAGES_POSTINGS=${postings}, smaller than the ${fullSizePostings.toLocaleString('en')} the figures are for`);

  // Each person logs on through the real password and grid steps: a fresh session per connection.
  started = performance.now();
  const sessions = await inParallel(sessionCount, setupConcurrency, async (i): Promise<LoadSession> => {
    const { person, ip } = people[i]!;
    const worker = new LogonWorker(app, person, ip);
    await worker.logon();
    const statement = `/accounts/${ledger.accountOf.get(person.contractId)!}/statement`;
    return { cookie: worker.cookieHeader(), paths: ['/status', statement, '/approvals'] };
  });
  log(`${sessionCount} logons (password and grid card) in ${seconds(started)} s`);
  await assertFullStatements(app, sessions);
  if (profileOnly) {
    await profilePages(deps, database.url, sessions[0]!, log);
  } else {
    await measureRounds(sessions, people.map(({ person }) => person.contractId));
  }
} finally {
  await app.close();
  await bare.close();
  await dropOnce();
}

/** Bare and pages rounds in turn, their table, and the ratio as the last line. */
async function measureRounds(sessions: LoadSession[], contractIds: string[]): Promise<void> {
  await app.listen({ host: '127.0.0.1', port: 0 });
  await bare.listen({ host: '127.0.0.1', port: 0 });
  const origin = (instance: FastifyInstance) => {
    const address = instance.server.address();
    if (address === null || typeof address === 'string') throw new Error('no TCP address');
    return `https://127.0.0.1:${address.port}`;
  };
  const pagesSpec = (secondsOfRound: number): LoadSpec => ({
    origin: origin(app),
    ca: identity.cert,
    sessions,
    seconds: secondsOfRound,
    expect: { '/status': 'id="failures-since"', '/accounts/': 'data-posting=', '/approvals': 'id="approvals-empty"' },
  });
  const bareSpec = (secondsOfRound: number): LoadSpec => ({
    origin: origin(bare),
    ca: identity.cert,
    // Each connection reads its own person's contract, as each page reads its own person's rows.
    sessions: sessions.map((session, i) => ({ cookie: session.cookie, paths: [`/bare?contract=${contractIds[i]!}`] })),
    seconds: secondsOfRound,
    expect: { '/bare': bareMarker },
  });

  await measured('warm-up bare', bareSpec(warmUpSeconds));
  await measured('warm-up pages', pagesSpec(warmUpSeconds));
  log('');
  log('round  side    requests/s    p50 ms   p99 ms   max ms │ CPU ms per request: JS thread  load worker  PostgreSQL │ others busy');
  const bareRuns: Measured[] = [];
  const pageRuns: Measured[] = [];
  for (let round = 1; round <= rounds; round++) {
    bareRuns.push(await measured('bare', bareSpec(runSeconds)));
    log(row(round, 'bare', bareRuns.at(-1)!));
    pageRuns.push(await measured('pages', pagesSpec(runSeconds)));
    log(row(round, 'pages', pageRuns.at(-1)!));
  }
  const busiest = Math.max(...[...bareRuns, ...pageRuns].map((run) => elsewhereShare(run.cpu)));
  log('');
  if (busiest > elsewhereShareMax) {
    log(`warning: other processes kept more than ${elsewhereShareMax * 100} % of the machine busy during some rounds (others busy up to ${(busiest * 100).toFixed(0)} %); run again on a quiet machine`);
  }
  const p99 = Math.max(...pageRuns.map((run) => run.load.p99Ms));
  const ratio = mean(pageRuns.map((run) => run.load.perSecond)) / mean(bareRuns.map((run) => run.load.perSecond));
  log(`pages: ${mean(pageRuns.map((run) => run.load.perSecond)).toFixed(0)} requests/s, p99 ${p99} ms (the worse round) — p99 ≤ ${p99AimMs} ms: ${p99 <= p99AimMs ? 'yes' : 'no'}`);
  log(`bare:  ${mean(bareRuns.map((run) => run.load.perSecond)).toFixed(0)} requests/s; aim: ratio ≥ ${ratioAim}`);
  log(`pages/bare ratio: ${ratio.toFixed(3)}`);
}

interface Measured {
  load: LoadResult;
  cpu: CpuUse;
}

/** One round, with the CPU it took; a round with any answer other than the page stops the benchmark. */
async function measured(label: string, spec: LoadSpec): Promise<Measured> {
  const before = await sampleCpu(database.db);
  const { result: load, end } = await runLoad(spec);
  const cpu = cpuBetween(before, await sampleCpu(database.db));
  end();
  if (load.non2xx > 0 || load.errors > 0 || load.timeouts > 0 || load.wrongPages > 0) {
    throw new Error(
      `${label}: not every answer was the page — ${load.non2xx} non-2xx (${JSON.stringify(load.statusCounts)}), ${load.errors} errors, ${load.timeouts} timeouts, ${load.wrongPages} wrong pages${load.firstWrong ? `; first: ${load.firstWrong}` : ''}`,
    );
  }
  return { load, cpu };
}

function elsewhereShare(cpu: CpuUse): number {
  return cpu.elsewhere / (cpu.seconds * cpu.cpus);
}

function row(round: number, side: string, { load, cpu }: Measured): string {
  const perRequest = (cpuSeconds: number) => ((cpuSeconds * 1000) / Math.max(1, load.requests)).toFixed(2).padStart(5);
  return `${String(round).padStart(5)}  ${side.padEnd(5)} ${load.perSecond.toFixed(0).padStart(12)} ${String(load.p50Ms).padStart(9)} ${String(load.p99Ms).padStart(8)} ${String(load.maxMs).padStart(8)} │ ${perRequest(cpu.main).padStart(27)} ${perRequest(load.cpuSeconds).padStart(12)} ${perRequest(cpu.postgres).padStart(11)} │ ${(elsewhereShare(cpu) * 100).toFixed(0).padStart(8)} %`;
}

/**
 * The baseline: Fastify alone on the service's TLS policy, one route reading one row (a contract,
 * by its key) through a pool of the same kind and size, nothing else — the least any
 * authenticated page costs. The row is found by its key, as the pages find theirs, so PostgreSQL
 * keeps one plan for the statement; the first contract in key order (`order by id limit $1`,
 * before 2026-12-07) was planned anew at every request, a handicap that flattered the ratio.
 */
async function bareApp(db: Db, tls: ServerTlsIdentity): Promise<FastifyInstance> {
  const instance = Fastify({ logger: false, https: serverTlsOptions(tls) }) as unknown as FastifyInstance;
  instance.get<{ Querystring: { contract: string } }>('/bare', async (request, reply) => {
    const row = await db.selectFrom('contract').select(['id', 'company_name']).where('id', '=', request.query.contract).executeTakeFirstOrThrow();
    return reply.type('text/plain; charset=utf-8').send(`${bareMarker} ${row.id} ${row.company_name}\n`);
  });
  return instance;
}

/** The statement each connection asks for shows a full page of lines, so the figure is for 50-line pages. */
async function assertFullStatements(instance: FastifyInstance, sessions: LoadSession[]): Promise<void> {
  for (const session of sessions) {
    const path = session.paths[1]!;
    const page = await instance.inject({ method: 'GET', url: path, headers: { cookie: session.cookie } });
    const lines = page.body.split('data-posting=').length - 1;
    if (page.statusCode !== 200 || lines !== statementRowsPerPage) {
      throw new Error(`${path}: ${page.statusCode} with ${lines} lines, not a full page of ${statementRowsPerPage}; is BENCH_PAGES_POSTINGS too small?`);
    }
  }
}

async function masterRefOf(db: Db, person: TestPerson): Promise<number> {
  const row = await db.selectFrom('users').select('id').where('contract_id', '=', person.contractId).where('user_id', '=', person.userId).executeTakeFirstOrThrow();
  return row.id;
}

/** `count` tasks, at most `concurrency` at a time, results in task order. */
async function inParallel<T>(count: number, concurrency: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(count);
  let next = 0;
  const lane = async () => {
    while (next < count) {
      const i = next++;
      results[i] = await task(i);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  return results;
}

function seconds(since: number): string {
  return ((performance.now() - since) / 1000).toFixed(1);
}
