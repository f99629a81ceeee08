import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { availableParallelism, totalmem } from 'node:os';
import { sql } from 'kysely';
import type { Deps } from '../src/deps.ts';
import type { Db } from '../src/db/open.ts';
import { recordAudit } from '../src/audit/audit-trail.ts';
import { tokyoDate } from '../src/domain/business-days.ts';
import { depositPostings } from '../src/domain/ledger.ts';
import { bankLedgerAccountId, customerLedgerAccountId, postJournalEntry } from '../src/modules/ledger/post.ts';
import { verifyLedger } from '../src/modules/ledger/verify.ts';
import type { Actor } from '../src/modules/transfers/service.ts';
import { verifyAuditChain } from '../src/audit/verify.ts';
import { benchServerUrl, createBenchDatabase, serverVersion } from './support/bench-database.ts';
import { benchDeps } from './support/bench-deps.ts';
import { transferDeps } from './support/transfer-deps.ts';
import { transferWithEmailedCode } from './support/transfer-round.ts';
import { cleanUpOnSignal } from './support/clean-up-on-signal.ts';
import { openTimedDatabase } from './support/timed-database.ts';
import { addOwnBranches } from '../test/transfers/fixtures.ts';
import { cpuBetween, sampleCpu, type CpuUse } from './support/cpu-accounting.ts';
import { mean, measureThroughput, type Throughput } from './support/throughput.ts';

/**
 * `npm run bench:ledger`: transfers per second through the service layer — the confirmation's quote
 * and its email one-time password (R5.2: sent, read from the outbox as the person reads their mail),
 * then createTransfer with the code: its permission and limit checks, the code's use, the daily-limit write, the posting with its balance gate, the
 * audit records and the result emails; no HTTP, no password hash — on PostgreSQL at concurrency 8,
 * against a bare SQL baseline measured in the same run: per transfer, one transaction of two
 * balance UPDATEs and one INSERT. Each worker is a customer of its own (its own contract, person
 * and two accounts), as separate companies would be; every transfer is dated today and posts at
 * once. Rounds run baseline, service, baseline, service so that drift falls on both sides alike.
 *
 * The *hot* variant runs the same transfers with all 8 workers on one customer: one contract (one
 * audit chain), one person (one daily-usage row, a daily limit that never runs out) and one paying
 * account (one ledger account locked by every posting). Measured in the same rounds, it is printed
 * as `hot/spread ratio`: how far the locks of those shared rows, held from where each is taken until
 * commit, serialise the service.
 *
 * `-- --profile` instead runs transfers one at a time and lists the statements of one transfer
 * with their round trips.
 */
const concurrency = 8;
const runSeconds = Number(process.env.BENCH_SECONDS ?? 5);
if (!(runSeconds > 0)) throw new Error('BENCH_SECONDS must be a positive number of seconds');
const warmUpSeconds = 2;
const rounds = 2;
const countMax = 200_000;
const depositYen = 1_000_000_000_000n;
const profileTransfers = Number(process.env.BENCH_PROFILE_TRANSFERS ?? 200);

const log = (line: string) => process.stdout.write(line + '\n');

interface Customer {
  actor: Actor;
  fromAccountId: number;
  to: { branchCode: string; accountNumber: string };
}

/** A contract with its master and one person who registers and sends, two funded accounts at two branches. */
async function addCustomer(deps: Deps, n: number): Promise<Customer> {
  const db = deps.db;
  const now = deps.clock.now();
  const contractId = String(40_000_000_000 + n);
  await db.insertInto('contract').values({ id: contractId, company_name: `ベンチ商事${n}`, lock_mode: 'unlinked', created_at: now }).execute();
  // As onboarding does: the contract's first audit record makes its chain head.
  await recordAudit(db, { at: now, contractId, userRef: null, actor: 'operator:bench', action: 'contract.onboard', outcome: 'success' });
  const person = async (userId: string, role: 'master' | 'user') =>
    db
      .insertInto('users')
      .values({ contract_id: contractId, user_id: userId, display_name: `ベンチ ${userId}`, role, email: `${userId}.${contractId}@bench.example`, created_at: now })
      .returningAll()
      .executeTakeFirstOrThrow();
  await person('master', 'master');
  const user = await person('clerk', 'user');
  // R5.1: a person who sends transfers has a confirmed OTP address.
  await db.updateTable('users').set({ otp_email: `clerk.${contractId}@otp.bench.example`, otp_email_confirmed_at: now }).where('id', '=', user.id).execute();
  await db
    .insertInto('user_permission')
    .values({ user_ref: user.id, business: 'transfer', can_register: true, can_approve: false, can_send: true, per_transaction_limit_yen: 10_000_000n, daily_limit_yen: depositYen })
    .execute();
  const account = async (branchCode: string, i: number) => {
    const row = await db
      .insertInto('account')
      .values({ contract_id: contractId, branch_code: branchCode, account_type: 'ordinary', account_number: String(5_000_000 + n * 10 + i), holder_kana: `ﾍﾞﾝﾁ${n}`, opened_at: now })
      .returning(['id', 'branch_code', 'account_number'])
      .executeTakeFirstOrThrow();
    await db.insertInto('user_account').values({ user_ref: user.id, account_id: row.id }).execute();
    const ledgerAccountId = await customerLedgerAccountId(db, row.id);
    await db.transaction().execute(async (tx) => {
      const cash = await bankLedgerAccountId(tx, 'cash');
      await postJournalEntry(tx, {
        kind: 'deposit',
        description: 'ｹﾞﾝｷﾝ ﾆﾕｳｷﾝ',
        valueDate: tokyoDate(now),
        postedAt: now,
        postings: depositPostings({ cashLedgerAccountId: cash, customerLedgerAccountId: ledgerAccountId, amountYen: depositYen }),
      });
    });
    return row;
  };
  const from = await account('001', 0);
  const to = await account('002', 1);
  const contract = await db.selectFrom('contract').selectAll().where('id', '=', contractId).executeTakeFirstOrThrow();
  const withAddress = await db.selectFrom('users').selectAll().where('id', '=', user.id).executeTakeFirstOrThrow();
  return { actor: { user: withAddress, contract, ip: '192.0.2.80', userAgent: 'bench' }, fromAccountId: from.id, to: { branchCode: to.branch_code, accountNumber: to.account_number } };
}

interface Customers {
  /** One per worker (spread). */
  spread: Customer[];
  /** The one every worker shares (hot). */
  hot: Customer;
}

async function prepare(deps: Deps): Promise<Customers> {
  await addOwnBranches(deps.db);
  const customers: Customer[] = [];
  for (let i = 0; i < concurrency; i++) customers.push(await addCustomer(deps, i + 1));
  const hot = await addCustomer(deps, concurrency + 1);
  // The baseline's own balances: two rows per worker, like the service side's two accounts.
  await sql`CREATE TABLE bench_balance (id integer PRIMARY KEY, balance_yen bigint NOT NULL)`.execute(deps.db);
  await sql`CREATE TABLE bench_movement (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, from_id integer NOT NULL, to_id integer NOT NULL, amount_yen bigint NOT NULL, at timestamptz NOT NULL)`.execute(deps.db);
  await sql`INSERT INTO bench_balance SELECT g, ${depositYen}::int8 FROM generate_series(0, ${2 * concurrency - 1}) g`.execute(deps.db);
  return { spread: customers, hot };
}

/**
 * Amounts up to 50,000 yen, each worker's in its own residue modulo the concurrency: the transfers
 * in flight at one moment never share an amount, so a worker finds its own code's mail by it.
 */
function amountOf(worker: number, round: number): bigint {
  return BigInt(1 + worker + concurrency * (round % 6_000));
}

/** `customerOf(worker)`: each worker its own customer (spread), or all the same one (hot). */
function serviceTransfer(deps: Deps, customerOf: (worker: number) => Customer) {
  const done = Array.from({ length: concurrency }, () => 0);
  return async (worker: number) => {
    const customer = customerOf(worker);
    const input = {
      fromAccountId: customer.fromAccountId,
      destination: { adHoc: { bankCode: deps.config.bankCode, branchCode: customer.to.branchCode, accountType: 'ordinary' as const, accountNumber: customer.to.accountNumber, nameInput: 'ﾍﾞﾝﾁ ｳｹﾄﾘ' } },
      amountYen: amountOf(worker, done[worker]!++),
      executionDate: tokyoDate(deps.clock.now()),
      idempotencyKey: randomBytes(18).toString('base64url'),
    };
    // With every worker on one person (hot), as many of their codes may be in flight as there are workers.
    await transferWithEmailedCode(deps, customer.actor, input, concurrency);
  };
}

function sqlTransfer(db: Db) {
  return async (worker: number) => {
    const amount = BigInt(1 + (worker * 7919 + Date.now()) % 50_000);
    await db.transaction().execute(async (tx) => {
      await sql`UPDATE bench_balance SET balance_yen = balance_yen - ${amount}::int8 WHERE id = ${2 * worker}`.execute(tx);
      await sql`UPDATE bench_balance SET balance_yen = balance_yen + ${amount}::int8 WHERE id = ${2 * worker + 1}`.execute(tx);
      await sql`INSERT INTO bench_movement (from_id, to_id, amount_yen, at) VALUES (${2 * worker}, ${2 * worker + 1}, ${amount}::int8, now())`.execute(tx);
    });
  };
}

interface Run extends Throughput {
  cpu: CpuUse;
}

async function measure(db: Db, operation: (worker: number) => Promise<void>, seconds: number): Promise<Run> {
  const before = await sampleCpu(db);
  const throughput = await measureThroughput(concurrency, operation, { seconds, countMax });
  return { ...throughput, cpu: cpuBetween(before, await sampleCpu(db)) };
}

function cpuLine(label: string, runs: Run[]): string {
  const count = runs.reduce((sum, r) => sum + r.count, 0);
  const ms = (pick: (cpu: CpuUse) => number) => ((runs.reduce((sum, r) => sum + pick(r.cpu), 0) / count) * 1000).toFixed(2);
  const elsewhere = runs.reduce((sum, r) => sum + r.cpu.elsewhere, 0) / runs.reduce((sum, r) => sum + r.cpu.seconds * r.cpu.cpus, 0);
  return `${label.padEnd(10)} CPU ms per transfer: JS thread ${ms((c) => c.main)}, other threads ${ms((c) => c.otherThreads + c.threadpool)}, PostgreSQL ${ms((c) => c.postgres)}; others busy ${(elsewhere * 100).toFixed(0)} %`;
}

async function benchmark(): Promise<void> {
  const database = await createBenchDatabase(concurrency + 2);
  const drop = cleanUpOnSignal('dropping the benchmark database', () => database.drop());
  const deps = transferDeps(benchDeps(database.db, database.url));
  try {
    log(`ledger benchmark — Node ${process.version}, ${availableParallelism()} CPUs, ${Math.round(totalmem() / 2 ** 30)} GiB, PostgreSQL ${await serverVersion()} at ${new URL(benchServerUrl).host}`);
    log(`concurrency ${concurrency}, ${runSeconds} s per run (spread: each worker its own customer; hot: all on one contract, person and account); a transfer is its quote, its one-time password sent and read, and createTransfer with it (same bank, dated ${tokyoDate(deps.clock.now())}, posted at once) against BEGIN, 2 UPDATE, INSERT, COMMIT`);
    const customers = await prepare(deps);
    const spread = serviceTransfer(deps, (worker) => customers.spread[worker]!);
    const hot = serviceTransfer(deps, () => customers.hot);
    const bare = sqlTransfer(deps.db);
    await measure(deps.db, spread, warmUpSeconds);
    await measure(deps.db, hot, warmUpSeconds / 2);
    await measure(deps.db, bare, 1);

    const spreadRuns: Run[] = [];
    const hotRuns: Run[] = [];
    const sqlRuns: Run[] = [];
    log('');
    log('round   transfers/s   bare SQL/s   ratio   hot transfers/s   hot/spread');
    for (let round = 1; round <= rounds; round++) {
      const baseline = await measure(deps.db, bare, runSeconds);
      const measured = await measure(deps.db, spread, runSeconds);
      const hotMeasured = await measure(deps.db, hot, runSeconds);
      sqlRuns.push(baseline);
      spreadRuns.push(measured);
      hotRuns.push(hotMeasured);
      log(
        `${String(round).padStart(5)}   ${measured.perSecond.toFixed(1).padStart(11)}   ${baseline.perSecond.toFixed(1).padStart(10)}   ${(measured.perSecond / baseline.perSecond).toFixed(3)}` +
          `   ${hotMeasured.perSecond.toFixed(1).padStart(15)}   ${(hotMeasured.perSecond / measured.perSecond).toFixed(3).padStart(10)}`,
      );
    }
    const spreadPerSecond = mean(spreadRuns.map((r) => r.perSecond));
    const hotPerSecond = mean(hotRuns.map((r) => r.perSecond));
    const sqlPerSecond = mean(sqlRuns.map((r) => r.perSecond));
    log(` mean   ${spreadPerSecond.toFixed(1).padStart(11)}   ${sqlPerSecond.toFixed(1).padStart(10)}           ${hotPerSecond.toFixed(1).padStart(15)}`);
    log('');
    log(cpuLine('service', spreadRuns));
    log(cpuLine('hot', hotRuns));
    log(cpuLine('bare SQL', sqlRuns));
    const verification = await verifyLedger(deps.db);
    log(`ledger verify after the runs: ${verification.ok ? 'ok' : verification.problems.join('; ')} (${verification.figures.entries} entries)`);
    // R9.1: every record the runs appended, the hot chain's included, still links and matches its head.
    const audit = await verifyAuditChain(deps.db);
    log(`audit chains verify after the runs: ${audit.ok ? 'ok' : audit.problems.slice(0, 3).map((p) => `${p.chain} ${p.kind}: ${p.detail}`).join('; ')} (${audit.chains} chains, ${audit.records} records)`);
    if (!verification.ok || !audit.ok) process.exitCode = 1;
    log('');
    log(`hot/spread ratio: ${(hotPerSecond / spreadPerSecond).toFixed(3)}`);
    log(`ledger/sql ratio: ${(spreadPerSecond / sqlPerSecond).toFixed(3)}`);
  } finally {
    await drop();
  }
}

/**
 * One transfer at a time on one connection, through a Kysely that hears every statement: each
 * statement's round trip, and the CPU time the PostgreSQL backend spent since the statement before
 * (read from /proc/<pid>/schedstat in nanoseconds: the backend does nothing else meanwhile).
 */
async function profile(): Promise<void> {
  const database = await createBenchDatabase(2);
  const statements = new Map<string, { count: number; ms: number; backendMs: number }>();
  let backendPid = 0;
  let listening = false;
  let lastBackendNs = 0;
  const backendNs = () => {
    try {
      return Number(readFileSync(`/proc/${backendPid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      return 0;
    }
  };
  const timed = openTimedDatabase(database.url, 1, (statement, ms) => {
    if (!listening) return;
    const now = backendNs();
    const text = statement.replace(/\s+/g, ' ').replace(/\$\d+(, \$\d+)*/g, '…').slice(0, 100);
    const entry = statements.get(text) ?? { count: 0, ms: 0, backendMs: 0 };
    entry.count++;
    entry.ms += ms;
    entry.backendMs += (now - lastBackendNs) / 1e6;
    lastBackendNs = now;
    statements.set(text, entry);
  });
  // The timed pool first: a connection the drop forced shut would end the process with an error.
  const cleanUp = cleanUpOnSignal('dropping the benchmark database', async () => {
    await timed.destroy();
    await database.drop();
  });
  try {
    const deps = transferDeps(benchDeps(timed, database.url));
    const customers = await prepare(deps);
    backendPid = (await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(timed)).rows[0]!.pid;
    const service = serviceTransfer(deps, () => customers.spread[0]!);
    for (let i = 0; i < 20; i++) await service(0);
    lastBackendNs = backendNs();
    listening = true;
    const cpuBefore = process.cpuUsage();
    const start = performance.now();
    for (let i = 0; i < profileTransfers; i++) await service(0);
    const wall = (performance.now() - start) / profileTransfers;
    const cpu = process.cpuUsage(cpuBefore);
    listening = false;
    const rows = [...statements].map(([text, s]) => ({ text, count: s.count / profileTransfers, ms: s.ms / s.count, backendMs: s.backendMs / s.count }));
    const total = (pick: (r: (typeof rows)[number]) => number) => rows.reduce((sum, r) => sum + r.count * pick(r), 0);
    log(`one transfer at a time on one connection, ${profileTransfers} transfers: ${wall.toFixed(2)} ms wall each, ${total(() => 1).toFixed(1)} statements,`);
    log(`round trips ${total((r) => r.ms).toFixed(2)} ms, PostgreSQL backend CPU ${total((r) => r.backendMs).toFixed(2)} ms, Node CPU ${((cpu.user + cpu.system) / 1000 / profileTransfers).toFixed(2)} ms per transfer`);
    log('');
    log(' per transfer   round trip ms   backend CPU ms   statement');
    for (const r of rows) log(`${r.count.toFixed(2).padStart(13)}   ${r.ms.toFixed(3).padStart(13)}   ${r.backendMs.toFixed(3).padStart(14)}   ${r.text}`);
  } finally {
    await cleanUp();
  }
}

if (process.argv.includes('--profile')) await profile();
else await benchmark();
