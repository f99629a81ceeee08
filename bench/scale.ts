import { randomBytes } from 'node:crypto';
import { availableParallelism, totalmem } from 'node:os';
import pg from 'pg';
import { buildApp } from '../src/app.ts';
import type { Deps } from '../src/deps.ts';
import type { Db } from '../src/db/open.ts';
import { tokyoDate } from '../src/domain/business-days.ts';
import { verifyLedger } from '../src/modules/ledger/verify.ts';
import { statementRowsPerPage } from '../src/modules/accounts/statement-query.ts';
import { Client } from '../test/helpers/client.ts';
import { logon } from '../test/helpers/people.ts';
import { benchServerUrl, createBenchDatabase, serverVersion, type BenchDatabase } from './support/bench-database.ts';
import { benchDeps } from './support/bench-deps.ts';
import { transferDeps } from './support/transfer-deps.ts';
import { transferWithEmailedCode } from './support/transfer-round.ts';
import { cleanUpOnSignal } from './support/clean-up-on-signal.ts';
import { addOwnBranches } from '../test/transfers/fixtures.ts';
import { cpuBetween, sampleCpu, type CpuUse } from './support/cpu-accounting.ts';
import { checkGeneratedContractIds, checkGeneratedLedger, countScale, growTo, type ScaleSize } from './support/scale-data.ts';
import { measuredPerson, type MeasuredPerson } from './support/scale-person.ts';
import { grownStatements, StatementTimes } from './support/statement-times.ts';
import { openTimedDatabase } from './support/timed-database.ts';
import { median, percentile } from './support/throughput.ts';

/**
 * `npm run bench:scale`: is a logon, a transfer and a statement page as fast with a million people
 * as with a thousand? One run makes two PostgreSQL databases of its own on the same server, grows
 * both to the small size (1,000 contracts, 1,000 people, 10,000 postings) and one of them on to the
 * large size (100,000 contracts, 1,000,000 people, 10,000,000 postings), then measures the three
 * operations' latency one at a time on each, in alternate rounds (small, large, small, large), so
 * that a drift of the machine's speed over the minutes falls on both sizes alike. The figure is the
 * worst of the three operations' large/small median ratio (aim ≤ 1.2).
 *
 * - logon: the four requests of a complete logon through app.inject() (as bench:logon);
 * - transfer: the service side of one transfer (as bench:ledger): its quote, its one-time password
 *   sent and read from the outbox, createTransfer with it;
 * - statement: GET /accounts/:id/statement with a live session, the first page (50 lines) of the
 *   last 30 days of an account with 60 lines in them.
 *
 * The measured person is onboarded and logs on for the first time through the service's use cases;
 * their contract is counted in the sizes like the generated ones (bench/support/scale-data.ts).
 * Smaller sizes for development: BENCH_SCALE_USERS, BENCH_SCALE_CONTRACTS, BENCH_SCALE_POSTINGS
 * (the large size), BENCH_SCALE_SAMPLES (operations measured per operation kind and size).
 */
const log = (line: string) => process.stdout.write(line + '\n');

/** A size from the environment; a wrong one ends the run with a line saying so (no stack trace). */
function sizeFromEnv(name: string, fallback: number): number {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isSafeInteger(value) || value < 1) {
    process.stderr.write(`${name} must be a whole number from 1, not ${JSON.stringify(process.env[name])}\n`);
    process.exit(2);
  }
  return value;
}

const largeUsers = sizeFromEnv('BENCH_SCALE_USERS', 1_000_000);
const small: ScaleSize = { contracts: 1_000, users: 1_000, postings: 10_000 };
const large: ScaleSize = {
  contracts: sizeFromEnv('BENCH_SCALE_CONTRACTS', Math.max(small.contracts + 1, Math.round(largeUsers / 10))),
  users: largeUsers,
  postings: sizeFromEnv('BENCH_SCALE_POSTINGS', 10_000_000),
};
if (!(large.contracts > small.contracts && large.users > small.users && large.postings > small.postings)) {
  process.stderr.write(`the large size must be above the small one (${describe(small)}) in every count, not ${describe(large)}\n`);
  process.exit(2);
}
/** Sequential operations measured per kind and size; a logon costs one argon2id verification (~50 ms). */
const samples = sizeFromEnv('BENCH_SCALE_SAMPLES', 100);
const warmUps = Math.max(3, Math.round(samples / 10));
const aimRatio = 1.2;

const operations = ['logon', 'transfer', 'statement page'] as const;
type Operation = (typeof operations)[number];

interface Latency {
  medianMs: number;
  p95Ms: number;
  count: number;
  cpu: CpuUse;
}

/** One round's measurement of an operation: each operation's milliseconds, and the CPU of the round. */
interface Measured {
  times: number[];
  cpu: CpuUse;
}

const rounds = 2;

/** Every statement's round trip, per operation and size: which statement grew, when an operation did. */
const statementTimes = new StatementTimes();
/** Statements listed per operation, those whose time per operation grew most. */
const grownShown = 4;

async function measureRound(db: Db, bucket: string, operation: () => Promise<void>): Promise<Measured> {
  for (let i = 0; i < warmUps; i++) await operation();
  const before = await sampleCpu(db);
  statementTimes.open(bucket);
  const times: number[] = [];
  for (let i = 0; i < Math.ceil(samples / rounds); i++) {
    const start = performance.now();
    await operation();
    times.push(performance.now() - start);
  }
  statementTimes.close();
  return { times, cpu: cpuBetween(before, await sampleCpu(db)) };
}

/** The rounds of one operation at one size together. */
function latencyOf(measured: readonly Measured[]): Latency {
  const times = measured.flatMap((m) => m.times);
  const cpu = measured.map((m) => m.cpu).reduce((sum, c) => ({
    seconds: sum.seconds + c.seconds,
    main: sum.main + c.main,
    threadpool: sum.threadpool + c.threadpool,
    otherThreads: sum.otherThreads + c.otherThreads,
    postgres: sum.postgres + c.postgres,
    elsewhere: sum.elsewhere + c.elsewhere,
    cpus: c.cpus,
  }));
  return { medianMs: median(times), p95Ms: percentile(times, 95), count: times.length, cpu };
}

/** Share of the machine's CPU used by neither this process nor its PostgreSQL processes. */
function othersBusy(cpu: CpuUse): number {
  return cpu.cpus > 0 ? cpu.elsewhere / (cpu.seconds * cpu.cpus) : 0;
}

let transfersMade = 0;

async function measureAll(app: Awaited<ReturnType<typeof buildApp>>, deps: Deps, measured: MeasuredPerson, size: string): Promise<Record<Operation, Measured>> {
  const logonLatency = await measureRound(deps.db, `${size} logon`, () => measured.logonWorker.logon());

  const actor = await measured.actor();
  const transferLatency = await measureRound(deps.db, `${size} transfer`, async () => {
    const input = {
      fromAccountId: measured.fromAccountId,
      destination: { adHoc: { bankCode: deps.config.bankCode, branchCode: '002', accountType: 'ordinary' as const, accountNumber: measured.toAccountNumber, nameInput: 'ｽｹｰﾙ ｳｹﾄﾘ' } },
      // R8.6: a different amount each time, so that no transfer is held as a duplicate of an earlier one.
      amountYen: BigInt(1_000 + transfersMade++),
      executionDate: tokyoDate(deps.clock.now()),
      idempotencyKey: randomBytes(18).toString('base64url'),
    };
    await transferWithEmailedCode(deps, actor, input);
  });

  // A session of its own, logged on after the logons above (a new logon may end an older session).
  const browser = new Client(app, { ip: '198.51.100.201' });
  const landed = await logon(browser, measured.person);
  if (landed.headers.location !== '/status') throw new Error(`the statement's logon ended at ${String(landed.headers.location)}`);
  const url = `/accounts/${measured.statementAccountId}/statement`;
  const statementLatency = await measureRound(deps.db, `${size} statement page`, async () => {
    const page = await browser.get(url);
    if (page.statusCode !== 200) throw new Error(`${url}: ${page.statusCode} ${page.body.slice(0, 300)}`);
    const lines = page.body.split('data-posting="').length - 1;
    if (lines !== statementRowsPerPage) throw new Error(`${url} shows ${lines} lines, not a full page of ${statementRowsPerPage}`);
  });
  return { logon: logonLatency, transfer: transferLatency, 'statement page': statementLatency };
}

function printPhase(label: string, latencies: Record<Operation, Latency>): void {
  for (const operation of operations) {
    const l = latencies[operation];
    const cpu = (pick: number) => ((pick / l.count) * 1000).toFixed(2);
    log(
      `${label.padEnd(6)} ${operation.padEnd(15)} median ${l.medianMs.toFixed(2).padStart(8)} ms, p95 ${l.p95Ms.toFixed(2).padStart(8)} ms; CPU ms each: JS thread ${cpu(l.cpu.main)}, ` +
        `other threads ${cpu(l.cpu.otherThreads + l.cpu.threadpool)}, PostgreSQL ${cpu(l.cpu.postgres)}; others busy ${(othersBusy(l.cpu) * 100).toFixed(0)} %`,
    );
  }
}

/** One size's database with the service over it and the person measured there. */
interface Side {
  label: 'small' | 'large';
  database: BenchDatabase;
  generator: pg.Client;
  timed: Db;
  deps: Deps;
  app: Awaited<ReturnType<typeof buildApp>>;
  measured: MeasuredPerson;
  sealedCard: string;
}

async function openSide(label: Side['label'], opened: Side[]): Promise<Side> {
  const database = await createBenchDatabase(4);
  const generator = new pg.Client({ connectionString: database.url });
  await generator.connect();
  // The service's statements go through a Kysely that times each one (the same pool set-up as openDatabase).
  const timed = openTimedDatabase(database.url, 4, (text, ms) => statementTimes.hear(text, ms));
  const deps = transferDeps(benchDeps(timed, database.url));
  const app = await buildApp(deps, { logger: false });
  const side = { label, database, generator, timed, deps, app } as Side;
  opened.push(side);
  await addOwnBranches(deps.db);
  side.measured = await measuredPerson(app, deps);
  side.sealedCard = (await deps.db.selectFrom('grid_card').select('digits_sealed').limit(1).executeTakeFirstOrThrow()).digits_sealed;
  return side;
}

/**
 * The side's connections are closed before its database is dropped: the drop would otherwise force
 * them shut, and a client with no one listening for that error ends the process before the other
 * side's database is dropped.
 */
async function closeSide(side: Side): Promise<void> {
  try {
    await side.app?.close();
    await side.generator.end().catch(() => {});
    await side.timed.destroy();
  } finally {
    await side.database.drop();
  }
}

async function benchmark(): Promise<void> {
  const opened: Side[] = [];
  const closeAll = cleanUpOnSignal('closing the sides and dropping their databases', async () => {
    for (const side of opened) await closeSide(side).catch((error: unknown) => log(`could not close the ${side.label} side: ${String(error)}`));
  });
  const report = {
    step: (step: string, seconds: number, rows: number) => log(`  ${step.padEnd(52)} ${seconds.toFixed(1).padStart(7)} s  ${rows.toLocaleString('en').padStart(12)} rows`),
    note: (line: string) => log(`  ${line}`),
  };
  try {
    log(`scale benchmark — Node ${process.version}, ${availableParallelism()} CPUs, ${Math.round(totalmem() / 2 ** 30)} GiB, PostgreSQL ${await serverVersion()} at ${new URL(benchServerUrl).host}`);
    log(`small: ${describe(small)}; large: ${describe(large)}; ${samples} of each operation one at a time per size (after ${warmUps} to warm up each round), in ${rounds} rounds alternating the sizes`);
    const sides = [await openSide('small', opened), await openSide('large', opened)];

    for (const side of sides) {
      log('');
      log(`growing the ${side.label} side's database to the small size`);
      await growTo(side.generator, small, side.sealedCard, report);
      const badIds = await checkGeneratedContractIds(side.generator);
      const verification = await verifyLedger(side.deps.db);
      log(`  contract IDs: ${badIds.length === 0 ? 'all pass the Luhn check' : `${badIds.length} fail: ${badIds.slice(0, 5).join(', ')}`}; ledger verify: ${verification.ok ? 'ok' : verification.problems.join('; ')}`);
      if (badIds.length > 0 || !verification.ok) throw new Error('the generated data is not what the service would have made');
    }

    const [smallSide, largeSide] = sides as [Side, Side];
    log('');
    log('growing the large side to the large size');
    const growStart = performance.now();
    await growTo(largeSide.generator, large, largeSide.sealedCard, report);
    const off = await checkGeneratedLedger(largeSide.generator);
    log(`  all steps ${((performance.now() - growStart) / 1000).toFixed(0)} s; every account's balance is its last posting's balance after: ${off.length === 0 ? 'yes' : `no, ${off.length} differ (${off.slice(0, 5).join(', ')})`}`);
    if (off.length > 0) throw new Error('the generated ledger does not agree with its balances');
    for (const side of sides) log(`  ${side.label}: ${describe(await countScale(side.generator))}`);

    const measuredRounds: Record<Side['label'], Record<Operation, Measured>[]> = { small: [], large: [] };
    for (let round = 1; round <= rounds; round++) {
      for (const side of sides) measuredRounds[side.label].push(await measureAll(side.app, side.deps, side.measured, side.label));
      log(`  round ${round} of ${rounds} measured`);
    }
    const latencies = (label: Side['label']) =>
      Object.fromEntries(operations.map((operation) => [operation, latencyOf(measuredRounds[label].map((r) => r[operation]))])) as Record<Operation, Latency>;
    const smallLatency = latencies('small');
    const largeLatency = latencies('large');
    log('');
    printPhase('small', smallLatency);
    printPhase('large', largeLatency);

    log('');
    log('operation        small median / p95 ms    large median / p95 ms    large/small median    PostgreSQL CPU ms each, small → large');
    let worst = 0;
    for (const operation of operations) {
      const s = smallLatency[operation];
      const l = largeLatency[operation];
      const ratio = l.medianMs / s.medianMs;
      worst = Math.max(worst, ratio);
      const pgMs = (x: Latency) => ((x.cpu.postgres / x.count) * 1000).toFixed(2);
      log(`${operation.padEnd(15)}  ${s.medianMs.toFixed(2).padStart(9)} / ${s.p95Ms.toFixed(2).padStart(8)}    ${l.medianMs.toFixed(2).padStart(9)} / ${l.p95Ms.toFixed(2).padStart(8)}    ${ratio.toFixed(3).padStart(18)}    ${pgMs(s)} → ${pgMs(l)}`);
    }
    log('');
    log(`statements whose round trips per operation grew most (per operation: count, mean ms small → large, grown ms)`);
    for (const operation of operations) {
      log(`  ${operation}:`);
      const measuredCount = smallLatency[operation].count;
      for (const s of grownStatements(statementTimes.bucket(`small ${operation}`), statementTimes.bucket(`large ${operation}`), measuredCount, largeLatency[operation].count, grownShown)) {
        log(`    ${s.perOperation.toFixed(2).padStart(5)}  ${s.meanMsBefore.toFixed(3).padStart(7)} → ${s.meanMsAfter.toFixed(3).padStart(7)}  ${(s.grownMsPerOperation >= 0 ? '+' : '') + s.grownMsPerOperation.toFixed(3)}  ${s.text.slice(0, 110)}`);
      }
    }
    log('');
    log(`figure: the worst operation's large/small median ratio; aim ≤ ${aimRatio}`);
    log(`scale 1M/1k latency ratio: ${worst.toFixed(3)}`);
  } finally {
    await closeAll();
  }
}

function describe(size: ScaleSize): string {
  return `${size.contracts.toLocaleString('en')} contracts, ${size.users.toLocaleString('en')} people, ${size.postings.toLocaleString('en')} postings`;
}

await benchmark();
