import { availableParallelism, totalmem } from 'node:os';
import { sql } from 'kysely';
import type { Deps } from '../src/deps.ts';
import type { Db } from '../src/db/open.ts';
import { inTransaction } from '../src/db/transaction.ts';
import { FakeClock } from '../src/platform/clock.ts';
import { recordAudit } from '../src/audit/audit-trail.ts';
import { businessDayOnOrAfter, tokyoDate } from '../src/domain/business-days.ts';
import { depositPostings } from '../src/domain/ledger.ts';
import { writeZengin, zenginBatch } from '../src/domain/zengin/write.ts';
import type { ZenginDataRecord, ZenginHeader } from '../src/domain/zengin/fields.ts';
import { bankLedgerAccountId, customerLedgerAccountId, postJournalEntry } from '../src/modules/ledger/post.ts';
import { verifyLedger } from '../src/modules/ledger/verify.ts';
import { checkBulkFile } from '../src/modules/bulk/check.ts';
import { settleBulkFile } from '../src/modules/bulk/settle.ts';
import { registerFile } from '../src/modules/bulk/steps.ts';
import { uploadFile } from '../src/modules/bulk/upload.ts';
import type { Actor } from '../src/modules/transfers/types.ts';
import { benchServerUrl, createBenchDatabase, serverVersion } from './support/bench-database.ts';
import { benchDeps } from './support/bench-deps.ts';
import { cpuAccountingAvailable, cpuBetween, sampleCpu, type CpuUse } from './support/cpu-accounting.ts';
import { openTimedDatabase } from './support/timed-database.ts';
import { median } from './support/throughput.ts';

/**
 * `npm run bench:bulk`: one 総合振込 file of 10,000 records (R8.4) from its upload to posted and
 * settled, through the service layer on PostgreSQL — `uploadFile` (the Zengin bytes read and checked,
 * the draft stored with its records), `registerFile` with `sendConfirmed` (the contract needs no
 * approval and the master holds the send step, so it is registered, sent and, its payment date being
 * today, posted as one journal entry in one transaction), then `settleBulkFile` (every record to
 * another bank settled by the built-in interbank adapter, the file completed, its result mailed) —
 * against a bare SQL baseline measured in the same run: one transaction that writes the same 10,000
 * payments as `transfer` rows, each posted as a journal entry of two postings (20,000 postings), and
 * moves the two balances. Rounds alternate baseline, service, … so drift falls on both sides alike;
 * each side is the median of its rounds. Every file is new (other payee account numbers each round,
 * so its digest differs from the earlier files').
 *
 * `-- --profile` instead runs one file through a connection that hears every statement and lists
 * the statements that took longest.
 */
const recordsPerFile = Number(process.env.BENCH_BULK_RECORDS ?? 10_000);
if (!(Number.isInteger(recordsPerFile) && recordsPerFile >= 1 && recordsPerFile <= 99_999)) throw new Error('BENCH_BULK_RECORDS must be a whole number from 1 to 99,999');
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
if (!(Number.isInteger(rounds) && rounds >= 2 && rounds <= 20)) throw new Error('BENCH_ROUNDS must be a whole number from 2 to 20');
/** Other processes using more than this share of the machine during a round make its figures doubtful. */
const elsewhereShareMax = 0.1;
const depositYen = 1_000_000_000_000n;
const perFileLimitYen = 100_000_000_000n;
const dailyLimitYen = 1_000_000_000_000n;
/** The profile lists the statements that took at least this long, and sums the rest. */
const profileStatementMsMin = 5;
/** A payee at another bank that the published bank data (zengin-code) knows: みずほ銀行 東京営業部. */
const payeeBank = { code: '0001', name: 'ﾐｽﾞﾎ', branchCode: '001', branchName: 'ﾄｳｷﾖｳ' } as const;
const payingBranch = { code: '001', name: '本店営業部', kana: 'ﾎﾝﾃﾝ' } as const;

const log = (line: string) => process.stdout.write(line + '\n');
const seconds = (ms: number) => (ms / 1000).toFixed(3);

/**
 * R8.4: a file is refused once its payment date's cut-off has passed, so the clock stands still at
 * 10:00 in Tokyo on a bank business day (today when it is one), hours before the 15:00 cut-off.
 */
function bulkDeps(base: Deps): Deps {
  const day = businessDayOnOrAfter(tokyoDate(new Date()));
  return { ...base, clock: new FakeClock(`${day}T10:00:00+09:00`) };
}

interface Customer {
  actor: Actor;
  /** The account files pay from. */
  paying: { accountId: number; accountNumber: string };
  /** The baseline's own paying account, and where its payments go (interbank clearing, as the file's records to another bank). */
  baseline: { accountId: number; ledgerAccountId: number; clearingLedgerAccountId: number };
}

/**
 * A contract needing no approval (the default), its master holding every step of 外部ファイル送信
 * with limits far above a file, the bank's branch, and two funded accounts there: one the files pay
 * from, one the baseline pays from, so neither side's balance waits on the other's.
 */
async function prepare(deps: Deps): Promise<Customer> {
  const db = deps.db;
  const now = deps.clock.now();
  await db.insertInto('own_branch').values({ code: payingBranch.code, name: payingBranch.name, name_kana: payingBranch.kana }).execute();
  const contractId = '41000000001';
  await db.insertInto('contract').values({ id: contractId, company_name: 'ベンチ一括商事', lock_mode: 'unlinked', created_at: now }).execute();
  // As onboarding does: the contract's first audit record makes its chain head.
  await recordAudit(db, { at: now, contractId, userRef: null, actor: 'operator:bench', action: 'contract.onboard', outcome: 'success' });
  const master = await db
    .insertInto('users')
    .values({ contract_id: contractId, user_id: 'master', display_name: 'ベンチ 管理者', role: 'master', email: `master.${contractId}@bench.example`, created_at: now })
    .returningAll()
    .executeTakeFirstOrThrow();
  await db
    .insertInto('user_permission')
    .values({ user_ref: master.id, business: 'bulk_transfer', can_register: true, can_approve: true, can_send: true, per_transaction_limit_yen: perFileLimitYen, daily_limit_yen: dailyLimitYen })
    .execute();
  const account = async (accountNumber: string) => {
    const row = await db
      .insertInto('account')
      .values({ contract_id: contractId, branch_code: payingBranch.code, account_type: 'ordinary', account_number: accountNumber, holder_kana: 'ﾍﾞﾝﾁｲﾂｶﾂｼﾖｳｼﾞ', opened_at: now })
      .returning(['id', 'account_number'])
      .executeTakeFirstOrThrow();
    const ledgerAccountId = await customerLedgerAccountId(db, row.id);
    await inTransaction(db, async (tx) => {
      const cash = await bankLedgerAccountId(tx, 'cash');
      await postJournalEntry(tx, {
        kind: 'deposit',
        description: 'ｹﾞﾝｷﾝ ﾆﾕｳｷﾝ',
        valueDate: tokyoDate(now),
        postedAt: now,
        postings: depositPostings({ cashLedgerAccountId: cash, customerLedgerAccountId: ledgerAccountId, amountYen: depositYen }),
      });
    });
    return { accountId: row.id, accountNumber: row.account_number, ledgerAccountId };
  };
  const paying = await account('6000001');
  const baselineSource = await account('6000002');
  const contract = await db.selectFrom('contract').selectAll().where('id', '=', contractId).executeTakeFirstOrThrow();
  return {
    actor: { user: master, contract, ip: '192.0.2.81', userAgent: 'bench' },
    paying,
    baseline: { accountId: baselineSource.accountId, ledgerAccountId: baselineSource.ledgerAccountId, clearingLedgerAccountId: await bankLedgerAccountId(db, 'clearing') },
  };
}

interface Payment {
  accountNumber: string;
  nameKana: string;
  amountYen: bigint;
}

/** The payments of one round: every payee at another bank, account numbers of the round's own. */
function paymentsOf(round: number): Payment[] {
  return Array.from({ length: recordsPerFile }, (_, i) => ({
    accountNumber: String(1_000_000 + ((round * 100_000 + i) % 9_000_000)).padStart(7, '0'),
    nameKana: `ﾄﾘﾋｷｻｷ ${i + 1}`,
    amountYen: BigInt(1_000 + ((i * 7_919 + round * 104_729) % 99_000)),
  }));
}

/** The 総合振込 file of a round's payments, paying from the customer's account today. */
function zenginFileOf(deps: Deps, customer: Customer, payments: readonly Payment[]): Uint8Array {
  const mmdd = tokyoDate(deps.clock.now()).slice(5).replace('-', '');
  const header: ZenginHeader = {
    typeCode: '21',
    codeKind: '0',
    originatorCode: '1234567890',
    originatorName: 'ｶ)ﾍﾞﾝﾁｲﾂｶﾂｼﾖｳｼﾞ',
    paymentDate: mmdd,
    originBankCode: deps.config.bankCode,
    originBankName: 'ﾃﾞﾓ',
    originBranchCode: payingBranch.code,
    originBranchName: payingBranch.kana,
    accountType: '1',
    accountNumber: customer.paying.accountNumber,
  };
  const records = payments.map(
    (p): ZenginDataRecord => ({
      beneficiaryBankCode: payeeBank.code,
      beneficiaryBankName: payeeBank.name,
      beneficiaryBranchCode: payeeBank.branchCode,
      beneficiaryBranchName: payeeBank.branchName,
      clearingHouseCode: '',
      accountType: '1',
      accountNumber: p.accountNumber,
      beneficiaryName: p.nameKana,
      amount: p.amountYen,
      newCode: '0',
      customerCode1: '',
      customerCode2: '',
      transferCategory: '7',
      identification: ' ',
    }),
  );
  return writeZengin({ batches: [zenginBatch(header, records)] });
}

interface ServiceRun {
  ms: number;
  uploadMs: number;
  registerMs: number;
  settleMs: number;
  /** checkBulkFile alone on the same bytes, timed after the round (the read+check part of the upload). */
  checkMs: number;
  cpu: CpuUse;
}

/** Upload, register (sent and posted at once), settle: the file must end completed. */
async function serviceRound(deps: Deps, customer: Customer, round: number): Promise<ServiceRun> {
  const bytes = zenginFileOf(deps, customer, paymentsOf(round));
  const before = await sampleCpu(deps.db);
  const start = performance.now();
  const draft = await uploadFile(deps, customer.actor, bytes, `sogo-${round}.txt`);
  const uploaded = performance.now();
  const { file: posted } = await registerFile(deps, customer.actor, draft.id, `bench-bulk-register-${round}`, { duplicateConfirmed: false, sendConfirmed: true });
  const registered = performance.now();
  if (posted.status !== 'posted') throw new Error(`bulk file ${posted.id} is ${posted.status} after its registration, not posted`);
  const completed = await inTransaction(deps.db, (tx) => settleBulkFile(deps, tx, posted.id, deps.clock.now()));
  const end = performance.now();
  const cpu = cpuBetween(before, await sampleCpu(deps.db));
  if (completed?.status !== 'completed') throw new Error(`bulk file ${posted.id} is ${completed?.status ?? 'no longer posted'} after settling`);
  const checkStart = performance.now();
  const checked = await checkBulkFile(deps, deps.db, customer.actor, bytes);
  const checkMs = performance.now() - checkStart;
  if (!checked.ok) throw new Error('the file checked again is refused');
  return { ms: end - start, uploadMs: uploaded - start, registerMs: registered - uploaded, settleMs: end - registered, checkMs, cpu };
}

interface BaselineRun {
  ms: number;
  cpu: CpuUse;
}

/**
 * The same payments in one transaction of bare SQL on the real tables: the two ledger accounts
 * locked in id order (as every posting does), then one statement that inserts a completed transfer
 * per payment, a journal entry per transfer and its two postings with running balances (each
 * entry's two postings in the same statement, so the statement trigger of migration 0010 finds
 * them balanced), and moves the two balances. The database's own checks run as for any transfer:
 * foreign keys, unique keys, the balance trigger per statement and the deferred one per entry.
 */
async function baselineRound(deps: Deps, customer: Customer, round: number): Promise<BaselineRun> {
  const payments = paymentsOf(round);
  const { actor, baseline } = customer;
  const now = deps.clock.now();
  const today = tokyoDate(now);
  const column = <T>(pick: (p: Payment) => T) => payments.map(pick);
  const before = await sampleCpu(deps.db);
  const start = performance.now();
  const moved = await inTransaction(deps.db, async (tx) => {
    const { rows: locked } = await sql<{ id: number; balance_yen: bigint }>`
      SELECT id, balance_yen FROM ledger_account WHERE id IN (${baseline.ledgerAccountId}::int, ${baseline.clearingLedgerAccountId}::int) ORDER BY id FOR UPDATE`.execute(tx);
    if (locked.length !== 2) throw new Error('the baseline ledger accounts are missing');
    const { rows } = await sql<{ transfers: string; entries: string; postings: string; balances: string }>`
      WITH payment AS (
        SELECT p.ord, p.account_number, p.name_kana, p.amount_yen,
               sum(p.amount_yen) OVER (ORDER BY p.ord) AS running_yen
        FROM unnest(${column((p) => p.accountNumber)}::text[], ${column((p) => p.nameKana)}::text[], ${column((p) => p.amountYen.toString())}::int8[])
             WITH ORDINALITY AS p(account_number, name_kana, amount_yen, ord)
      ),
      t AS (
        INSERT INTO transfer (contract_id, created_by, idempotency_key, request_hash, from_account_id, to_bank_code, to_branch_code, to_account_type,
                              to_account_number, to_name_kana, amount_yen, fee_yen, execution_date, status, approvals_required, sent_by, sent_at,
                              created_at, updated_at, completed_at)
        SELECT ${actor.contract.id}, ${actor.user.id}::int, ${`bench-bulk-sql-${round}-`} || p.ord, 'bench', ${baseline.accountId}::int, ${payeeBank.code}, ${payeeBank.branchCode}, 'ordinary',
               p.account_number, p.name_kana, p.amount_yen, 0, ${today}::date, 'completed', 0, ${actor.user.id}::int, ${now}::timestamptz,
               ${now}::timestamptz, ${now}::timestamptz, ${now}::timestamptz
        FROM payment p ORDER BY p.ord
        RETURNING id, amount_yen
      ),
      e AS (
        INSERT INTO journal_entry (kind, transfer_id, description, value_date, posted_at)
        SELECT 'transfer', t.id, 'ﾌﾘｺﾐ', ${today}::date, ${now}::timestamptz FROM t ORDER BY t.id
        RETURNING id, transfer_id
      ),
      ordered AS (
        SELECT e.id AS entry_id, t.amount_yen, sum(t.amount_yen) OVER (ORDER BY t.id) AS running_yen
        FROM e JOIN t ON t.id = e.transfer_id
      ),
      posted AS (
        INSERT INTO posting (entry_id, ledger_account_id, amount_yen, balance_after_yen)
        SELECT o.entry_id, line.ledger_account_id, line.amount_yen, line.balance_after_yen
        FROM ordered o
        CROSS JOIN LATERAL (VALUES
          (${baseline.ledgerAccountId}::int, -o.amount_yen, ${locked.find((r) => r.id === baseline.ledgerAccountId)!.balance_yen}::int8 - o.running_yen),
          (${baseline.clearingLedgerAccountId}::int, o.amount_yen, ${locked.find((r) => r.id === baseline.clearingLedgerAccountId)!.balance_yen}::int8 + o.running_yen)
        ) AS line(ledger_account_id, amount_yen, balance_after_yen)
        ORDER BY o.entry_id
        RETURNING 1
      ),
      total AS (SELECT sum(amount_yen) AS yen FROM payment),
      balances AS (
        UPDATE ledger_account la
        SET balance_yen = la.balance_yen + CASE WHEN la.id = ${baseline.ledgerAccountId}::int THEN -total.yen ELSE total.yen END
        FROM total WHERE la.id IN (${baseline.ledgerAccountId}::int, ${baseline.clearingLedgerAccountId}::int)
        RETURNING 1
      )
      SELECT (SELECT count(*) FROM t)::text AS transfers, (SELECT count(*) FROM e)::text AS entries,
             (SELECT count(*) FROM posted)::text AS postings, (SELECT count(*) FROM balances)::text AS balances`.execute(tx);
    return rows[0]!;
  });
  const ms = performance.now() - start;
  const cpu = cpuBetween(before, await sampleCpu(deps.db));
  const expected = { transfers: recordsPerFile, entries: recordsPerFile, postings: 2 * recordsPerFile, balances: 2 };
  for (const [key, count] of Object.entries(expected)) {
    if (Number(moved[key as keyof typeof moved]) !== count) throw new Error(`the baseline wrote ${moved[key as keyof typeof moved]} ${key}, not ${count}`);
  }
  return { ms, cpu };
}

const elsewhereShare = (cpu: CpuUse) => cpu.elsewhere / (cpu.seconds * cpu.cpus);

function cpuLine(label: string, cpus: CpuUse[]): string {
  const per = (pick: (cpu: CpuUse) => number) => seconds((cpus.reduce((sum, c) => sum + pick(c), 0) / cpus.length) * 1000);
  const busy = Math.max(...cpus.map(elsewhereShare));
  return `${label.padEnd(9)} CPU s per round: JS thread ${per((c) => c.main)}, other threads ${per((c) => c.otherThreads + c.threadpool)}, PostgreSQL ${per((c) => c.postgres)}; others busy up to ${(busy * 100).toFixed(0)} %`;
}

async function benchmark(): Promise<void> {
  const database = await createBenchDatabase(4);
  const deps = bulkDeps(benchDeps(database.db, database.url));
  try {
    log(`bulk benchmark — Node ${process.version}, ${availableParallelism()} CPUs, ${Math.round(totalmem() / 2 ** 30)} GiB, PostgreSQL ${await serverVersion()} at ${new URL(benchServerUrl).host}`);
    log(
      `${recordsPerFile} records a file (総合振込, every payee at another bank), paid ${tokyoDate(deps.clock.now())}; service = uploadFile, registerFile (sent and posted at once), settleBulkFile; ` +
        `baseline = one transaction of ${recordsPerFile} transfer rows, ${recordsPerFile} journal entries, ${2 * recordsPerFile} postings and 2 balance updates`,
    );
    const customer = await prepare(deps);
    // One of each first: JIT, prepared statements and the tables' first pages, counted for neither side.
    let round = 0;
    await baselineRound(deps, customer, round++);
    await serviceRound(deps, customer, round++);

    const baselineRuns: BaselineRun[] = [];
    const serviceRuns: ServiceRun[] = [];
    log('');
    log('round   baseline s   service s   (upload s = read+check s + store s, register+post s, settle s)   ratio');
    for (let i = 1; i <= rounds; i++) {
      const baseline = await baselineRound(deps, customer, round++);
      const service = await serviceRound(deps, customer, round++);
      baselineRuns.push(baseline);
      serviceRuns.push(service);
      log(
        `${String(i).padStart(5)}   ${seconds(baseline.ms).padStart(10)}   ${seconds(service.ms).padStart(9)}   ` +
          `(${seconds(service.uploadMs)} = ${seconds(service.checkMs)} + ${seconds(service.uploadMs - service.checkMs)}, ${seconds(service.registerMs)}, ${seconds(service.settleMs)})`.padEnd(61) +
          `   ${(baseline.ms / service.ms).toFixed(2)}`,
      );
    }
    const baselineMs = median(baselineRuns.map((r) => r.ms));
    const serviceMs = median(serviceRuns.map((r) => r.ms));
    const phase = (pick: (r: ServiceRun) => number) => seconds(median(serviceRuns.map(pick)));
    log('');
    log(`median seconds: baseline ${seconds(baselineMs)}, service ${seconds(serviceMs)}`);
    log(
      `service phases (median s): read+check ${phase((r) => r.checkMs)}, store ${phase((r) => r.uploadMs - r.checkMs)}, ` +
        `register+send+post ${phase((r) => r.registerMs)}, settle ${phase((r) => r.settleMs)}`,
    );
    log('(read+check is checkBulkFile timed alone on the same bytes after each round; store is the rest of uploadFile)');
    if (cpuAccountingAvailable) {
      log(cpuLine('baseline', baselineRuns.map((r) => r.cpu)));
      log(cpuLine('service', serviceRuns.map((r) => r.cpu)));
      const busiest = Math.max(...[...baselineRuns, ...serviceRuns].map((r) => elsewhereShare(r.cpu)));
      if (busiest > elsewhereShareMax) {
        log(`warning: other processes kept more than ${elsewhereShareMax * 100} % of the machine busy during some rounds (up to ${(busiest * 100).toFixed(0)} %); run again on a quiet machine`);
      }
    }
    const verification = await verifyLedger(deps.db);
    log(`ledger verify after the rounds: ${verification.ok ? 'ok' : verification.problems.join('; ')} (${verification.figures.entries} entries)`);
    if (!verification.ok) process.exitCode = 1;
    log('');
    log(`bulk/sql ratio: ${(baselineMs / serviceMs).toFixed(2)}`);
  } finally {
    await database.drop();
  }
}

/** One file through a pool that hears every statement: the slowest statements of each phase, with their round trips. */
async function profile(): Promise<void> {
  const database = await createBenchDatabase(2);
  let phaseName = 'setup';
  const statements: { phase: string; text: string; ms: number }[] = [];
  const timed: Db = openTimedDatabase(database.url, 2, (text, ms) => statements.push({ phase: phaseName, text: text.replace(/\s+/g, ' ').trim(), ms }));
  try {
    const deps = bulkDeps(benchDeps(timed, database.url));
    const customer = await prepare(deps);
    await serviceRound(deps, customer, 0); // warm up
    const bytes = zenginFileOf(deps, customer, paymentsOf(1));
    const phases: [string, number][] = [];
    const run = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
      phaseName = name;
      const start = performance.now();
      const result = await work();
      phases.push([name, performance.now() - start]);
      return result;
    };
    statements.length = 0;
    const draft = await run('upload', () => uploadFile(deps, customer.actor, bytes, 'sogo-profile.txt'));
    const { file } = await run('register', () => registerFile(deps, customer.actor, draft.id, 'bench-bulk-register-profile', { duplicateConfirmed: false, sendConfirmed: true }));
    await run('settle', () => inTransaction(deps.db, (tx) => settleBulkFile(deps, tx, file.id, deps.clock.now())));
    log(`one file of ${recordsPerFile} records, statements of ${profileStatementMsMin} ms or more (round trip as the service sees it):`);
    for (const [name, ms] of phases) {
      const mine = statements.filter((s) => s.phase === name);
      const sqlMs = mine.reduce((sum, s) => sum + s.ms, 0);
      log('');
      log(`${name}: ${seconds(ms)} s wall, ${mine.length} statements taking ${seconds(sqlMs)} s, so ${seconds(ms - sqlMs)} s in Node between them`);
      for (const s of mine.filter((s) => s.ms >= profileStatementMsMin)) log(`  ${s.ms.toFixed(1).padStart(8)} ms   ${s.text.slice(0, 150)}`);
    }
  } finally {
    await timed.destroy();
    await database.drop();
  }
}

if (process.argv.includes('--profile')) await profile();
else await benchmark();
