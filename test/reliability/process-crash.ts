import { setTimeout as delay } from 'node:timers/promises';
import { hash } from '@node-rs/argon2';
import type { Db } from '../../src/db/open.ts';
import type { Deps } from '../../src/deps.ts';
import { buildApp } from '../../src/app.ts';
import { argon2Options } from '../../src/auth/password-hash.ts';
import { deliveryLeaseSeconds } from '../../src/outbox/delivery.ts';
import { attemptLeaseSeconds } from '../../src/access/attempts.ts';
import { verifyLedger } from '../../src/modules/ledger/verify.ts';
import { verifyAuditChain } from '../../src/audit/verify.ts';
import { FakeClock } from '../../src/platform/clock.ts';
import { testDeps, testKeyringSpec } from '../helpers/deps.ts';
import type { HttpsClient } from '../helpers/https-client.ts';
import type { TestPerson } from '../helpers/people.ts';
import { startSmtpPeer } from '../outbox/smtp-peer.ts';
import { Cluster, ScenarioClock, type RequestKind } from './crash-cluster.ts';
import { prepareRound, type Round, type RoundSize } from './crash-world.ts';
import { approve, confirm, drafts, inParallel, logOn, sessionLives, type Browsers } from './crash-traffic.ts';
import { attemptsCounted, judgeMail, judgeRound, mailInDelivery, mailPending, roundPeople, type MailFigures, type RoundLoss } from './crash-checks.ts';

/**
 * The crash scenario [PG]: two service processes on one database, people logging on, confirming
 * transfers, approving them, and the outbox delivering mail to an SMTP server, when one process is
 * killed with SIGKILL. The other process and the restarted one must finish everything: every form
 * sent again with its idempotency key gets its one transfer or approval (R8.6), no mail is lost (a
 * copy carries the first one's Message-ID), sessions made by the dead process live on (R7.1), no
 * person is left charged an attempt (R2.3, decision 0024), and the ledger and the audit trail
 * verify. Shared by test/reliability/process-crash.test.ts (one kill) and chaos/process-crash.ts
 * (kills for as long as asked).
 */

/** A Wednesday, 10:00 in Tokyo: transfers dated today are sent at once, whatever day this runs. */
const scenarioStart = new Date('2026-04-01T01:00:00Z');
/** After a kill, the clocks move on past both leases at once, rather than the scenario waiting for them. */
const jumpSeconds = Math.max(deliveryLeaseSeconds, attemptLeaseSeconds) + 10;
/** How long the outbox may take to empty once the leases have passed (delivery runs every 2 s). */
const drainWaitMs = 30_000;
/**
 * The living processes have delivered what they claimed once no message is due and the number
 * pending has not moved for this long (each message is sent on a connection of its own, in tens of
 * milliseconds).
 */
const claimSettledMs = 700;
/** Confirmations a sender has in flight at once, approvals the approver has: tabs open side by side. */
const sendersParallel = 3;
const approverParallel = 2;

export interface CrashOptions {
  db: Db;
  databaseUrl: string;
  size: RoundSize;
  /** The burst's answers the process gives before it is killed. */
  killAfterAnswers: number;
  /** Rounds to run, each with one kill; with `forMs`, rounds go on until that much time has passed. */
  rounds: number;
  forMs?: number;
  /** Told each round's figures as it ends. */
  progress?: (line: string) => void;
}

export interface CrashFigures {
  kills: number;
  /** Requests being served by the process at the moment it was killed, by kind. */
  inFlightAtKill: Record<RequestKind, number>;
  /** Requests cut off by the kill and sent again. */
  requestsCut: number;
  /** Requests that failed on a process that was alive. */
  failedOnLive: number;
  /** Requests not carried out as asked, after every retry. */
  refused: string[];
  /** Lockout attempts the killed process had reserved and never settled, while their lease ran. */
  attemptsLeft: number;
  /** Outbox messages claimed by a delivery run and not yet sent at the kill (either process). */
  mailInDeliveryAtKill: number;
  requests: { confirmations: number; approvals: number; logons: number };
  /** Seconds, the longest of the rounds: burst → kill; kill → every request answered, → the restarted process listens, → the outbox is empty. */
  killSeconds: number;
  finishSeconds: number;
  restartSeconds: number;
  drainSeconds: number;
  sessionsLost: number;
  loss: RoundLoss;
  mail: MailFigures;
  ledgerProblems: number;
  auditProblems: number;
  seconds: number;
}

/** Everything that was lost or doubled: zero when the service kept its promises. */
export function lostTotal(f: CrashFigures): number {
  return (
    f.refused.length + f.failedOnLive + f.sessionsLost + Object.values(f.loss).reduce((a, b) => a + b, 0) + f.mail.lost + f.mail.unknown + f.ledgerProblems + f.auditProblems
  );
}

/** One line per figure, the last `process-crash: lost N`. */
export function figureLines(f: CrashFigures): string[] {
  const s = (n: number) => n.toFixed(1);
  return [
    `kills ${f.kills}`,
    `requests confirmations ${f.requests.confirmations}, approvals ${f.requests.approvals}, logons ${f.requests.logons}`,
    `in flight at the kills: logon steps ${f.inFlightAtKill.logon}, confirmations ${f.inFlightAtKill.confirmation}, approvals ${f.inFlightAtKill.approval}, pages ${f.inFlightAtKill.page}`,
    `requests cut off and sent again ${f.requestsCut}`,
    `lockout attempts left reserved by the killed process ${f.attemptsLeft} (counted until their lease, then never)`,
    `mail being delivered at the kills ${f.mailInDeliveryAtKill}; sent again after the delivery lease ${f.mail.redelivered}; copies with the same Message-ID ${f.mail.duplicates}`,
    `mail messages ${f.mail.messages}, lost ${f.mail.lost}, unknown Message-ID ${f.mail.unknown}`,
    `transfers lost ${f.loss.transfersLost}, doubled ${f.loss.transfersDoubled}; approvals lost ${f.loss.approvalsLost}, doubled ${f.loss.approvalsDoubled}; balances wrong ${f.loss.balancesWrong}`,
    `people charged ${f.loss.peopleCharged}; sessions lost ${f.sessionsLost}; requests refused ${f.refused.length}; failures on a live process ${f.failedOnLive}`,
    `ledger problems ${f.ledgerProblems}; audit problems ${f.auditProblems}`,
    `seconds (longest round) burst to kill ${s(f.killSeconds)}, kill to all answered ${s(f.finishSeconds)}, to restarted ${s(f.restartSeconds)}, to outbox empty ${s(f.drainSeconds)}; whole run ${s(f.seconds)}`,
    `lost ${lostTotal(f)}`,
  ].map((line) => `process-crash: ${line}`);
}

/**
 * The approver's passwords are hashed at the production cost (decision 0006), the others' at the
 * tests' cheapest: an approval then spends most of its time evaluating the confirmation password,
 * between the reservation of an attempt and its outcome, and the kill waits for one in flight on the
 * process (R2.3, decision 0024). All at production cost, the scenario takes several times as long
 * on two cores.
 */
async function productionCost(db: Db, person: TestPerson, cache: Map<string, Promise<string>>): Promise<void> {
  const slow = (secret: string) => {
    if (!cache.has(secret)) cache.set(secret, hash(secret, argon2Options));
    return cache.get(secret)!;
  };
  await db
    .updateTable('users')
    .set({ login_password_hash: await slow(person.loginPassword), confirmation_password_hash: await slow(person.confirmationPassword) })
    .where('contract_id', '=', person.contractId)
    .where('user_id', '=', person.userId)
    .execute();
}

export async function runProcessCrash(options: CrashOptions): Promise<CrashFigures> {
  const started = performance.now();
  const { db } = options;
  const figures: CrashFigures = {
    kills: 0,
    inFlightAtKill: { logon: 0, confirmation: 0, approval: 0, page: 0 },
    requestsCut: 0,
    failedOnLive: 0,
    refused: [],
    attemptsLeft: 0,
    mailInDeliveryAtKill: 0,
    requests: { confirmations: 0, approvals: 0, logons: 0 },
    killSeconds: 0,
    finishSeconds: 0,
    restartSeconds: 0,
    drainSeconds: 0,
    sessionsLost: 0,
    loss: { transfersLost: 0, transfersDoubled: 0, approvalsLost: 0, approvalsDoubled: 0, balancesWrong: 0, peopleCharged: 0 },
    mail: { messages: 0, lost: 0, duplicates: 0, redelivered: 0, unknown: 0 },
    ledgerProblems: 0,
    auditProblems: 0,
    seconds: 0,
  };
  const peer = await startSmtpPeer();
  const clock = new ScenarioClock(scenarioStart);
  const deps = testDeps(db, { clock: new FakeClock(clock.now()) });
  const app = await buildApp(deps, { logger: false });
  const browsers: Browsers = { all: [] };
  const env = { DATABASE_URL: options.databaseUrl, ENCRYPTION_KEYS: testKeyringSpec, SEED_DEMO: 'false', LOG_LEVEL: 'warn', LOGON_RATE_PER_MINUTE: '100000', SMTP_URL: peer.url };
  const hashes = new Map<string, Promise<string>>();
  let cluster: Cluster | undefined;
  // The processes start while the first round is made.
  const starting = Cluster.start(env, clock, jumpSeconds, 2);
  starting.catch(() => {});
  try {
    for (let r = 0; r < options.rounds || (options.forMs !== undefined && performance.now() - started < options.forMs); r++) {
      deps.clock.set(clock.now());
      const round = await prepareRound(deps, app, options.size);
      await productionCost(db, round.approver, hashes);
      cluster ??= await starting;
      await runRound(options, deps, cluster, clock, round, browsers, figures, r % 2);
      options.progress?.(`round ${r + 1}: ${figures.kills} kills, lost ${lostTotal(figures)}`);
    }
    figures.mail = await judgeMail(db, peer.accepted);
    figures.ledgerProblems = (await verifyLedger(db)).problems.length;
    const audit = await verifyAuditChain(db);
    figures.auditProblems = audit.problems.length + audit.problemsOmitted + (audit.ok ? 0 : 1);
  } finally {
    for (const client of browsers.all) client.close();
    await (cluster ?? (await starting.catch(() => undefined)))?.stop();
    await app.close();
    await peer.close();
  }
  figures.seconds = (performance.now() - started) / 1000;
  return figures;
}

async function runRound(options: CrashOptions, deps: Deps, cluster: Cluster, clock: ScenarioClock, round: Round, browsers: Browsers, figures: CrashFigures, victim: number): Promise<void> {
  const { db } = options;
  const answers = new Map<string, string>();
  const refuse = (error: unknown) => void figures.refused.push((error as Error).message);

  // Sessions made by the process about to die: the senders and the approver log on through it, and
  // the senders fill in their transfer forms there.
  const sessions = new Map<TestPerson, HttpsClient>();
  for (const person of [...round.senders, round.approver]) sessions.set(person, await logOn(cluster, browsers, person, victim));
  const confirmations = (
    await Promise.all(round.senders.map((sender) => drafts(cluster, deps, sessions.get(sender)!, round.transferForms.filter((f) => f.person === sender), victim)))
  ).flat();

  // The burst, cut by SIGKILL once the process has answered a few of its requests and is evaluating
  // an approval's password: the balancer keeps the approver's session on the process that made it,
  // and spreads everyone else's requests over both.
  const before = cluster.answeredBy(victim);
  const burstAt = performance.now();
  let killedAt = 0;
  let fault: Promise<{ restarted: Promise<number> }> | undefined;
  cluster.onAnswer = (slot) => {
    if (fault || slot !== victim || cluster.answeredBy(victim) - before < options.killAfterAnswers || cluster.inFlight(victim, 'approval') === 0) return;
    fault = (async () => {
      killedAt = performance.now();
      figures.killSeconds = Math.max(figures.killSeconds, (killedAt - burstAt) / 1000);
      const inFlight = await cluster.kill(victim);
      for (const [kind, n] of inFlight) figures.inFlightAtKill[kind] += n;
      figures.mailInDeliveryAtKill += await mailInDelivery(db);
      figures.kills++;
      const restarted = cluster.startSlot(victim).then(() => (performance.now() - killedAt) / 1000);
      restarted.catch(() => {});
      return { restarted };
    })();
  };
  const confirming = round.senders.map((sender) =>
    inParallel(confirmations.filter((c) => c.person === sender), sendersParallel, (request) =>
      confirm(cluster, sessions.get(sender)!, request).then((location) => void answers.set(request.key, location), refuse),
    ),
  );
  const approving = inParallel(round.approvals, approverParallel, (request) =>
    approve(cluster, sessions.get(round.approver)!, round.approver, request, victim).then((location) => void answers.set(request.key, location), refuse),
  );
  const visiting = round.visitors.map((visitor) => logOn(cluster, browsers, visitor).then((client) => void sessions.set(visitor, client), refuse));
  await Promise.all([...confirming, approving, ...visiting]);
  figures.requests.confirmations += confirmations.length;
  figures.requests.approvals += round.approvals.length;
  figures.requests.logons += round.visitors.length + round.senders.length + 1;
  if (!fault) throw new Error(`the process answered fewer than ${options.killAfterAnswers} requests of the burst: nothing was killed`);
  const { restarted } = await fault;
  cluster.onAnswer = () => {};
  figures.finishSeconds = Math.max(figures.finishSeconds, (performance.now() - killedAt) / 1000);
  // Every request is answered: what is still reserved was reserved by the killed process.
  figures.attemptsLeft += await attemptsCounted(db, roundPeople(round), clock.now());

  // Every form sent once more with its key, to the other process and the restarted one, is answered
  // as the first time (R8.6); each person's session, wherever it was made, lives on every process
  // (R7.1). Meanwhile the living process delivers what it claimed itself: what stays claimed then is
  // the killed process's.
  const again = (what: string, key: string) => (location: string) => {
    if (location !== answers.get(key)) figures.refused.push(`${what} sent again led to ${location}, the first time to ${answers.get(key)}`);
  };
  const resend = async () => {
    figures.restartSeconds = Math.max(figures.restartSeconds, await restarted);
    await Promise.all([
      ...round.senders.map((sender) =>
        inParallel(confirmations.filter((c) => c.person === sender), sendersParallel, (request) =>
          confirm(cluster, sessions.get(sender)!, request).then(again(`confirmation ${request.key}`, request.key), refuse),
        ),
      ),
      inParallel(round.approvals, approverParallel, (request) =>
        approve(cluster, sessions.get(round.approver)!, round.approver, request).then(again(`approval of ${request.transferId}`, request.key), refuse),
      ),
      ...[...sessions.values()].flatMap((client) =>
        cluster.slots.map(async (_, slot) => {
          if (!(await sessionLives(cluster, client, slot))) figures.sessionsLost++;
        }),
      ),
    ]);
  };
  await Promise.all([resend(), settledMail(db, clock)]);

  // The leases pass for every process at once, and the outbox empties.
  cluster.jump();
  const drainUntil = performance.now() + drainWaitMs;
  while ((await mailPending(db, clock.now())).pending > 0 && performance.now() < drainUntil) await delay(100);
  figures.drainSeconds = Math.max(figures.drainSeconds, (performance.now() - killedAt) / 1000);

  const loss = await judgeRound(db, round, confirmations, answers, clock.now());
  for (const key of Object.keys(loss) as (keyof RoundLoss)[]) figures.loss[key] += loss[key];
  figures.requestsCut = cluster.cut;
  figures.failedOnLive = cluster.failedOnLive;
}

/**
 * Waits until the living processes have sent what they claimed: then only the killed process's
 * claims are left, and moving the clocks past their lease sends those again without also sending
 * again a message a living process is sending at that moment.
 */
async function settledMail(db: Db, clock: ScenarioClock): Promise<void> {
  const until = performance.now() + drainWaitMs;
  let last = -1;
  let sameSince = performance.now();
  while (performance.now() < until) {
    const { pending, due } = await mailPending(db, clock.now());
    if (pending !== last || due > 0) {
      last = pending;
      sameSince = performance.now();
    } else if (performance.now() - sameSince >= claimSettledMs) return;
    await delay(100);
  }
}
