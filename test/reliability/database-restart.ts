import { randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import pg from 'pg';
import { sql } from 'kysely';
import { verifyLedger } from '../../src/modules/ledger/verify.ts';
import { verifyAuditChain } from '../../src/audit/verify.ts';
import type { TestDatabase } from '../helpers/database.ts';
import { testKeyringSpec } from '../helpers/deps.ts';
import { lastOneTimePassword, otpAddressOf, type TestPerson } from '../helpers/people.ts';
import { errorCode } from '../helpers/client.ts';
import type { HttpsAnswer, HttpsClient } from '../helpers/https-client.ts';
import type { ServiceProcess } from '../helpers/service-process.ts';
import { balanceOf } from '../transfers/fixtures.ts';
import { startDatabaseProxy, type DatabaseProxy } from './database-proxy.ts';
import { ReadinessWatch } from './readiness-watch.ts';
import { ScenarioReport, ms } from './report.ts';
import { Traffic } from './traffic.ts';
import { createdLocation, draftLocation, logOnOver, prepareSenders, startBusinessDayService, transferForm, type Senders } from './transfer-senders.ts';

/**
 * The database restarts under load (docs/reliability/database-and-shutdown.md): a service process
 * serves people sending transfers and reading their status page while its PostgreSQL goes away and
 * comes back, again and again. Each fault is one of:
 *
 * - restart: the server ends every session of the service (FATAL 57P01, pg_terminate_backend, as a
 *   restart or failover does) and refuses connections for the outage;
 * - cut: every connection to the server drops at once (a network cut: ECONNRESET, "Connection
 *   terminated unexpectedly") and connections are refused for the outage.
 *
 * Requests in flight at the fault, and those sent during the outage, must be answered 503
 * SERVICE_DATABASE_UNAVAILABLE with Retry-After and a page, never a stack trace or a reset; each
 * transfer must have happened wholly (its postings, its audit record) or not at all, and a
 * confirmation sent again with its idempotency key must get the first result (R8.6); the ledger and
 * the audit trail verify; the process must be ready again by itself within seconds of the
 * database's return, /readyz saying "database" meanwhile. Used by test/security/connection-loss.test.ts
 * (short) and chaos/database-restart.ts (long).
 */
export interface DatabaseRestartOptions {
  /** How long new transfers are begun; the faults are spread evenly over it. */
  loadMs: number;
  faults: number;
  /** How long the database stays away in each fault. */
  outageMs: number;
  /** People sending transfers, one at a time each. */
  senders: number;
  /** Clients reading the status page, one request at a time each. */
  readers: number;
}

/** The process must answer /readyz 200 again within this long after the database is back. */
export const recoveryWaitMs = 10_000;
/** A client that was told 503 sends again after this pause (sooner than Retry-After, to measure recovery). */
const retryPauseMs = 100;
/** A transfer begun before the end of the load must be confirmed within this long (its 503s retried). */
const confirmWaitMs = 30_000;
const readinessEveryMs = 50;

export interface ServiceBehindProxy {
  service: ServiceProcess;
  proxy: DatabaseProxy;
  /** The service's connections carry this application_name, so only they are ended. */
  applicationName: string;
  /** The database as the service sees it, for pg_terminate_backend. */
  databaseName: string;
  close(): Promise<void>;
}

/** A service process (clock on a business day) whose connections to the database go through a DatabaseProxy. */
export async function startServiceBehindProxy(database: TestDatabase, applicationName: string): Promise<ServiceBehindProxy> {
  const proxy = await startDatabaseProxy(database.url!);
  const url = new URL(proxy.url(database.url!));
  url.searchParams.set('application_name', applicationName);
  try {
    const service = await startBusinessDayService({ DATABASE_URL: url.toString(), ENCRYPTION_KEYS: testKeyringSpec, SEED_DEMO: 'false', LOG_LEVEL: 'warn', LOGON_RATE_PER_MINUTE: '100000' });
    return {
      service,
      proxy,
      applicationName,
      databaseName: new URL(database.url!).pathname.slice(1),
      async close() {
        await service.stop();
        await proxy.close();
      },
    };
  } catch (error) {
    await proxy.close();
    throw error;
  }
}

export interface Fault {
  kind: 'restart' | 'cut';
  inFlight: number;
  connectionsEnded: number;
  began: number;
  back: number;
  readyAgainMs: number | undefined;
  unavailable: number;
  saidDatabase: number;
}

export type DatabaseRestartReport = ScenarioReport & { faults: Fault[] };

export async function runDatabaseRestart(setup: ServiceBehindProxy, database: TestDatabase, options: DatabaseRestartOptions): Promise<DatabaseRestartReport> {
  const report = new ScenarioReport('database-restart');
  const { service, proxy } = setup;
  const senders = await prepareSenders(database.db, options.senders);
  const traffic = new Traffic(report);
  const clients: HttpsClient[] = [];
  const readiness = new ReadinessWatch(service.base).start(readinessEveryMs);
  const admin = new pg.Client({ connectionString: database.url });
  await admin.connect();
  const created = new Map<string, string>();
  const committedBehind503 = { count: 0 };
  let unfinished = 0;
  try {
    for (const person of senders.people) clients.push(await logOnOver(service.base, person));
    const reader = clients[0]!;
    const started = performance.now();
    const loadEnds = started + options.loadMs;
    const workers = [
      ...senders.people.map((person, i) => sendTransfers(service.base, senders, person, clients[i]!, traffic, loadEnds, i, created, committedBehind503).then((left) => (unfinished += left))),
      ...Array.from({ length: options.readers }, () => readStatus(service.base, reader, traffic, loadEnds)),
    ];

    const faults: Fault[] = [];
    for (let i = 0; i < options.faults; i++) {
      await delay(Math.max(0, started + ((i + 1) * options.loadMs) / (options.faults + 1) - performance.now()));
      const kind = i % 2 === 0 ? 'restart' : 'cut';
      const inFlight = traffic.inFlight;
      const began = performance.now();
      const unavailableBefore = traffic.unavailable;
      await proxy.refuse();
      const connectionsEnded = kind === 'restart' ? await endSessions(admin, setup) : proxy.cut();
      await delay(options.outageMs);
      await proxy.accept();
      const back = performance.now();
      const readyAgainMs = await readiness.readyAfter(back, recoveryWaitMs);
      faults.push({ kind, inFlight, connectionsEnded, began, back, readyAgainMs, unavailable: traffic.unavailable - unavailableBefore, saidDatabase: readiness.count('database', began, back) });
    }
    await Promise.all(workers);
    const loadSeconds = (performance.now() - started) / 1000;

    report.figure('load', `${loadSeconds.toFixed(1)} s, ${options.senders} people sending transfers one at a time, ${options.readers} reading the status page`);
    report.figure('faults', `${faults.length} (${faults.filter((f) => f.kind === 'restart').length} restart: sessions ended by the server; ${faults.filter((f) => f.kind === 'cut').length} cut: connections dropped), the database away ${ms(options.outageMs)} each`);
    report.figure('requests sent', traffic.sent);
    report.figure('requests answered', traffic.answered);
    report.figure('requests answered 503 SERVICE_DATABASE_UNAVAILABLE with Retry-After', traffic.unavailable);
    report.figure('requests in flight at each fault', faults.map((f) => f.inFlight).join(', '));
    report.figure('connections ended at each fault', faults.map((f) => `${f.kind} ${f.connectionsEnded}`).join(', '));
    report.figure('503 answers at each fault', faults.map((f) => f.unavailable).join(', '));
    report.figure('/readyz "database" answers during each outage', faults.map((f) => f.saidDatabase).join(', '));
    report.figure('one-time passwords sent by a request answered 503 (commit cut off in flight; the resend cool-down said so)', committedBehind503.count);
    report.figure('ready again after the database came back', faults.map((f) => (f.readyAgainMs === undefined ? 'never' : ms(f.readyAgainMs))).join(', '));
    const firstSuccess = faults.map((f) => traffic.successes.find((at) => at > f.back));
    report.figure('first answer from the database after it came back', firstSuccess.map((at, i) => (at === undefined ? 'none' : ms(at - faults[i]!.back))).join(', '));
    for (const fault of faults) if (fault.readyAgainMs === undefined) report.lose(1, `a ${fault.kind} fault: /readyz not 200 within ${ms(recoveryWaitMs)} of the database's return`);
    report.lose(unfinished, `transfer whose confirmation was still answered 503 ${ms(confirmWaitMs)} after the load`);

    await checkTransfers(report, senders, created);
    await checkRecords(report, database);
    return Object.assign(report, { faults });
  } finally {
    await readiness.stop();
    await admin.end();
    for (const client of clients) client.close();
  }
}

async function endSessions(admin: pg.Client, setup: ServiceBehindProxy): Promise<number> {
  const ended = await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1 AND datname = $2', [setup.applicationName, setup.databaseName]);
  return ended.rowCount ?? 0;
}

/**
 * One person's transfers, one at a time, as the pages send them: the form, the one-time password,
 * the confirmation. A 503 is sent again after a pause; the confirmation with the same idempotency
 * key and code until it is answered (R8.6). Returns how many transfers it left unconfirmed.
 */
async function sendTransfers(base: string, senders: Senders, person: TestPerson, client: HttpsClient, traffic: Traffic, loadEnds: number, index: number, created: Map<string, string>, committedBehind503: { count: number }): Promise<number> {
  for (let n = 0; performance.now() < loadEnds; n++) {
    const amountYen = BigInt(1_000 + index * 10_000 + n);
    const drafted = await untilAnswered(traffic, 'the transfer form', () => client.post(base, '/transfers/new', transferForm(senders, amountYen)), loadEnds);
    if (!('answer' in drafted)) return 0;
    const draft = draftLocation.exec(drafted.answer.location ?? '')?.[1];
    if (!draft) return lost(traffic, `the transfer form answered ${drafted.answer.status} ${drafted.answer.location ?? ''}`);
    const key = randomBytes(18).toString('base64url');
    const codeSent = await untilAnswered(traffic, 'the one-time password', () => client.post(base, '/transfers/confirm/otp', { draft, idempotencyKey: key }), loadEnds);
    if (!('answer' in codeSent)) return 0;
    // A 503 can cut off the answer of a request whose commit went through: the code was sent, and
    // the request sent again meets the resend cool-down, which says so. The person reads the code.
    const sentBehind503 = codeSent.after503 && codeSent.answer.status === 429 && errorCode(codeSent.answer.body) === 'EMAIL_OTP_COOLDOWN';
    if (sentBehind503) committedBehind503.count++;
    else if (codeSent.answer.status !== 303) return lost(traffic, `the one-time password answered ${codeSent.answer.status} ${errorCode(codeSent.answer.body) ?? ''}`);
    const otp = await lastOneTimePassword(senders.deps, otpAddressOf(person));
    const fields = { draft, idempotencyKey: key, confirmationPassword: person.confirmationPassword, otp };
    const confirmed = await untilAnswered(traffic, 'the confirmation', () => client.post(base, '/transfers/confirm', fields), performance.now() + confirmWaitMs);
    if (!('answer' in confirmed)) return confirmed.gaveUp === 'time' ? 1 : 0;
    const location = confirmed.answer.location ?? '';
    if (!createdLocation.test(location)) return lost(traffic, `the confirmation answered ${confirmed.answer.status} ${location} ${errorCode(confirmed.answer.body) ?? ''}`);
    created.set(key, location);
  }
  return 0;
}

function lost(traffic: Traffic, why: string): number {
  traffic.lose(why);
  return 0;
}

/**
 * Sends until answered (not 503), or until `until` passes. Gives up when the request was lost (the
 * traffic counted it) or never went out: the process is the same all along, so that is a loss too.
 */
async function untilAnswered(traffic: Traffic, what: string, call: () => Promise<HttpsAnswer>, until: number): Promise<{ answer: HttpsAnswer; after503: boolean } | { gaveUp: 'lost' | 'time' }> {
  for (let after503 = false; ; after503 = true) {
    const sent = await traffic.send(what, call);
    if ('answer' in sent) return { answer: sent.answer, after503 };
    if ('notSent' in sent) traffic.lose(`${what}: the service refused the connection`);
    if (!('unavailable' in sent)) return { gaveUp: 'lost' };
    if (performance.now() > until) return { gaveUp: 'time' };
    await delay(retryPauseMs);
  }
}

async function readStatus(base: string, client: HttpsClient, traffic: Traffic, loadEnds: number): Promise<void> {
  while (performance.now() < loadEnds) {
    const sent = await traffic.send('the status page', () => client.get(base, '/status'));
    if ('answer' in sent && sent.answer.status !== 200) traffic.lose(`the status page answered ${sent.answer.status} ${sent.answer.location ?? ''}`);
    if ('notSent' in sent) traffic.lose('the status page: the service refused the connection');
    if ('unavailable' in sent) await delay(retryPauseMs);
  }
}

/** Every transfer confirmed exists once, completed and posted once; none exists in part; the money adds up (R8.6). */
async function checkTransfers(report: ScenarioReport, senders: Senders, created: Map<string, string>): Promise<void> {
  const { db } = senders.deps;
  const contractId = senders.people[0]!.contractId;
  const transfers = await db.selectFrom('transfer').select(['id', 'idempotency_key', 'status', 'amount_yen', 'fee_yen']).where('contract_id', '=', contractId).execute();
  const entries = await db
    .selectFrom('journal_entry')
    .select(['transfer_id', sql<number>`count(*)::int`.as('count')])
    .where('transfer_id', 'in', transfers.length > 0 ? transfers.map((t) => t.id) : [-1n])
    .groupBy('transfer_id')
    .execute();
  const postedTimes = new Map(entries.map((e) => [String(e.transfer_id), e.count]));
  const byKey = new Map(transfers.map((t) => [t.idempotency_key, t]));
  report.figure('transfers confirmed', created.size);
  report.figure('transfers in the database', transfers.length);
  for (const [key, location] of created) {
    const transfer = byKey.get(key);
    if (!transfer) report.lose(1, `transfer answered as made (${location}) is not in the database`);
    else if (location !== `/transfers/${transfer.id}?done=created`) report.lose(1, `a confirmation led to ${location}, its transfer is ${transfer.id}`);
  }
  for (const transfer of transfers) {
    const posted = postedTimes.get(String(transfer.id)) ?? 0;
    if (transfer.status !== 'completed' || posted !== 1) report.lose(1, `transfer ${transfer.id}: ${transfer.status}, posted ${posted} times`);
  }
  const unanswered = transfers.filter((t) => !created.has(t.idempotency_key)).length;
  report.figure('transfers made whose confirmation was never answered as made', unanswered);
  const paid = transfers.reduce((sum, t) => sum + t.amount_yen + t.fee_yen, 0n);
  const balance = await balanceOf(db, senders.from.id);
  if (balance !== senders.fundedYen - paid) report.lose(1, `the paying account holds ${balance} yen, the transfers leave ${senders.fundedYen - paid}`);
}

/** `npm run ledger -- verify` and `npm run audit -- verify`, in this process. */
async function checkRecords(report: ScenarioReport, database: TestDatabase): Promise<void> {
  const ledger = await verifyLedger(database.db);
  report.figure('ledger verify', ledger.ok ? `ok (${ledger.figures.entries} entries, total ${ledger.figures.totalYen} yen)` : `${ledger.problems.length} problems`);
  for (const problem of ledger.problems) report.lose(1, `ledger: ${problem}`);
  const audit = await verifyAuditChain(database.db);
  report.figure('audit verify', audit.ok ? `ok (${audit.records} records in ${audit.chains} chains)` : `${audit.problems.length + audit.problemsOmitted} problems`);
  report.lose(audit.problems.length + audit.problemsOmitted, `audit trail problems: ${JSON.stringify(audit.problems.slice(0, 3))}`);
}
