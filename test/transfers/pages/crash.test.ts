import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildApp } from '../../../src/app.ts';
import { FakeClock } from '../../../src/platform/clock.ts';
import { verifyLedger } from '../../../src/modules/ledger/verify.ts';
import { createTestDatabase, needsPostgres, onPostgres, type TestDatabase } from '../../helpers/database.ts';
import { testDeps, testKeyringSpec } from '../../helpers/deps.ts';
import { Client } from '../../helpers/client.ts';
import { completeFirstLogon, gridAnswerFields, lastOneTimePassword, onboardMaster, otpAddressOf, type TestPerson } from '../../helpers/people.ts';
import { dropWhenClosed } from '../../security/attack-helpers.ts';
import { HttpsClient, type HttpsAnswer } from '../../helpers/https-client.ts';
import { addUserWith } from '../../users/helpers.ts';
import { addAccount, addContract, balanceOf, otherOwnBranchCode, ownBranchCode, type TestAccount } from '../fixtures.ts';
import { startServiceProcess, type ServiceProcess } from '../../helpers/service-process.ts';
import { commandNodeArgs } from '../../helpers/run-command.ts';

/**
 * R8.6 [PG]: a service process killed with SIGKILL in the middle of a burst of confirmed transfers
 * loses none that it accepted and posts none twice: after a restart, every request retried with its
 * idempotency key gets the first result or is carried out once, and the ledger verifies clean.
 */
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
/** The process's clock: a Wednesday, 10:00 in Tokyo, a bank business day whatever day the test runs. */
const processStart = new Date('2026-04-01T01:00:00Z');
const today = '2026-04-01';
const transfersPerPerson = 15;
/**
 * Requests in flight per person. A confirmation reserves one of the person's seven attempts before
 * the password is evaluated (R2.3, decision 0001); a process killed mid-request never gives its
 * reservations back, so a person's in-flight requests stay well below seven.
 */
const inFlightPerPerson = 3;
/** The process is killed once this many confirmations have been answered. */
const answeredBeforeKill = 8;
const fundedYen = 10_000_000n;

let database: TestDatabase | undefined;
let service: ServiceProcess | undefined;

/** The service as a process that can be killed -9 and started again on the same database, its clock set by shifted-clock.ts. */
const clockModule = fileURLToPath(new URL('./shifted-clock.ts', import.meta.url));
function startCrashableService(env: Record<string, string>, now: Date): Promise<ServiceProcess> {
  return startServiceProcess({ ...env, IB_TEST_NOW: now.toISOString() }, { nodeArgs: ['--import', clockModule], listenWaitMs: 60_000 });
}
const clients: HttpsClient[] = [];
let env: Record<string, string>;

before(async () => {
  if (!onPostgres) return;
  database = await createTestDatabase();
  env = { DATABASE_URL: database.url!, ENCRYPTION_KEYS: testKeyringSpec, SEED_DEMO: 'false', LOG_LEVEL: 'warn', LOGON_RATE_PER_MINUTE: '1000' };
});

after(async () => {
  for (const client of clients) client.close();
  await service?.stop();
  await dropWhenClosed(database);
});

interface Request {
  person: TestPerson;
  client: HttpsClient;
  draft: string;
  key: string;
  /** R5.2: the one-time password the confirmation page had emailed for this transfer. */
  otp: string;
  amountYen: bigint;
}

async function logOn(base: string, person: TestPerson): Promise<HttpsClient> {
  const client = new HttpsClient();
  clients.push(client);
  await client.get(base, '/logon');
  const password = await client.post(base, '/logon', { contractId: person.contractId, userId: person.userId, password: person.loginPassword });
  assert.equal(password.location, '/logon/grid', `${person.userId}: password step`);
  const grid = await client.get(base, '/logon/grid');
  const done = await client.post(base, '/logon/grid', gridAnswerFields(grid.body, person.digits));
  assert.equal(done.location, '/status', `${person.userId}: grid step`);
  // The new session's CSRF token, from a page of it.
  assert.equal((await client.get(base, '/transfers/new')).status, 200);
  return client;
}

function confirm(base: string, request: Request): Promise<HttpsAnswer> {
  return request.client.post(base, '/transfers/confirm', { draft: request.draft, idempotencyKey: request.key, confirmationPassword: request.person.confirmationPassword, otp: request.otp });
}

/** Runs each person's requests with a few in flight, as a person double-clicking in several tabs would. */
async function burst(requests: Request[], send: (request: Request) => Promise<void>): Promise<void> {
  const byPerson = new Map<string, Request[]>();
  for (const request of requests) byPerson.set(request.person.userId, [...(byPerson.get(request.person.userId) ?? []), request]);
  await Promise.all(
    [...byPerson.values()].map(async (queue) => {
      const pending = [...queue];
      await Promise.all(
        Array.from({ length: inFlightPerPerson }, async () => {
          for (let next = pending.shift(); next; next = pending.shift()) await send(next);
        }),
      );
    }),
  );
}

const createdLocation = /^\/transfers\/(\d+)\?done=created$/;

test('kill -9 during a burst of transfers: after a restart every retry with its key gets one transfer, none lost, none posted twice, the ledger verifies', { skip: needsPostgres, timeout: 300_000 }, async (t) => {
  const { db } = database!;
  const deps = testDeps(db, { clock: new FakeClock(processStart) });
  await db
    .insertInto('own_branch')
    .values([
      { code: ownBranchCode, name: '本店営業部', name_kana: 'ﾎﾝﾃﾝ' },
      { code: otherOwnBranchCode, name: '駅前支店', name_kana: 'ｴｷﾏｴ' },
    ])
    .onConflict((oc) => oc.column('code').doNothing())
    .execute();
  const master = await onboardMaster(deps);
  const app = await buildApp(deps, { logger: false });
  await completeFirstLogon(new Client(app), deps, master);
  await app.close();
  const from: TestAccount = await addAccount(deps, master.contractId, { fundYen: fundedYen });
  const payee = await addAccount(deps, (await addContract(deps)).contractId, { branchCode: otherOwnBranchCode });
  const grant = { business: 'transfer' as const, register: true, send: true, perTransactionLimitYen: 1_000_000n, dailyLimitYen: 100_000_000n };
  const people: TestPerson[] = [master, await addUserWith(deps, master.contractId, [grant], [from.id]), await addUserWith(deps, master.contractId, [grant], [from.id])];
  // R5.1: the users who send have confirmed OTP addresses, as their registration leaves them.
  for (const person of people.slice(1)) {
    await db.updateTable('users').set({ otp_email: otpAddressOf(person), otp_email_confirmed_at: processStart }).where('contract_id', '=', person.contractId).where('user_id', '=', person.userId).execute();
  }

  service = await startCrashableService(env, processStart);
  const first = service;
  const requests: Request[] = [];
  for (const [p, person] of people.entries()) {
    const client = await logOn(first.base, person);
    for (let i = 0; i < transfersPerPerson; i++) {
      const amountYen = BigInt(1_000 + p * 100 + i);
      const form = await client.post(first.base, '/transfers/new', {
        fromAccountId: String(from.id),
        destination: 'adHoc',
        bankCode: '0999',
        branchCode: payee.branchCode,
        accountType: 'ordinary',
        accountNumber: payee.accountNumber,
        name: 'ｸﾗｯｼｭ ﾃｽﾄ',
        amount: amountYen.toString(),
        executionDate: today,
      });
      const draft = /^\/transfers\/confirm\?draft=([A-Za-z0-9._-]+)$/.exec(form.location ?? '')?.[1];
      assert.ok(draft, `a draft for ${person.userId}: ${form.status} ${form.location ?? ''}\n${first.output()}`);
      const key = randomBytes(24).toString('base64url');
      // R5.2: the confirmation sends the transfer at once: its one-time password, as the page's button sends it.
      const sent = await client.post(first.base, '/transfers/confirm/otp', { draft, idempotencyKey: key });
      assert.equal(sent.status, 303, `the one-time password for ${person.userId} is sent: ${sent.body.slice(0, 300)}`);
      requests.push({ person, client, draft, key, otp: await lastOneTimePassword(deps, otpAddressOf(person)), amountYen });
    }
  }

  // The burst, cut by SIGKILL once a few confirmations have been answered.
  const firstAnswers = new Map<string, string>();
  let cut = 0;
  let killing: Promise<void> | undefined;
  await burst(requests, async (request) => {
    try {
      const answer = await confirm(first.base, request);
      assert.match(answer.location ?? '', createdLocation, `accepted before the kill: ${answer.status} ${answer.body.slice(0, 300)}`);
      firstAnswers.set(request.key, answer.location!);
      if (firstAnswers.size >= answeredBeforeKill && !killing) killing = first.kill();
    } catch (error) {
      if (error instanceof assert.AssertionError) throw error;
      cut++; // the connection died with the process
    }
  });
  await killing;
  assert.ok(firstAnswers.size >= answeredBeforeKill, 'some transfers were accepted before the kill');
  assert.ok(cut > 0, 'the kill cut requests off in the middle of the burst');
  const committed = await db.selectFrom('transfer').select('id').where('contract_id', '=', master.contractId).execute();
  t.diagnostic(`before the kill: ${firstAnswers.size} answered, ${committed.length} committed, ${cut} cut off`);

  // A new process on the same database; every request is sent again with its key.
  service = await startCrashableService(env, new Date(processStart.getTime() + 60_000));
  const second = service;
  const finalAnswers = new Map<string, string>();
  await burst(requests, async (request) => {
    const answer = await confirm(second.base, request);
    assert.match(answer.location ?? '', createdLocation, `a retry leads to its transfer: ${answer.status} ${answer.body.slice(0, 300)}\n${second.output()}`);
    finalAnswers.set(request.key, answer.location!);
  });

  // No accepted transfer lost: a retry of an answered request leads to the same transfer.
  for (const [key, location] of firstAnswers) assert.equal(finalAnswers.get(key), location, 'the retry of an accepted transfer returns it');
  // One transfer per request, each posted exactly once.
  const transfers = await db.selectFrom('transfer').select(['id', 'idempotency_key', 'status', 'amount_yen', 'fee_yen']).where('contract_id', '=', master.contractId).execute();
  assert.equal(transfers.length, requests.length, 'one transfer per request');
  assert.deepEqual(new Set(transfers.map((row) => row.idempotency_key)), new Set(requests.map((r) => r.key)));
  assert.equal(new Set(finalAnswers.values()).size, requests.length, 'each request leads to a transfer of its own');
  const entries = await db
    .selectFrom('journal_entry')
    .select(['transfer_id', 'kind'])
    .where('transfer_id', 'in', transfers.map((row) => row.id))
    .execute();
  for (const transfer of transfers) {
    assert.equal(transfer.status, 'completed', `transfer ${transfer.id}`);
    const own = entries.filter((entry) => entry.transfer_id === transfer.id);
    assert.deepEqual(own.map((entry) => entry.kind), ['transfer'], `transfer ${transfer.id} is posted exactly once`);
  }
  const paid = transfers.reduce((sum, row) => sum + row.amount_yen + row.fee_yen, 0n);
  assert.equal(paid, requests.reduce((sum, r) => sum + r.amountYen + 110n, 0n), 'the amounts asked for, each with its fee');
  assert.equal(await balanceOf(db, from.id), fundedYen - paid);

  // `npm run ledger -- verify`, in its own process, and in this one.
  const verification = await verifyLedger(db);
  assert.deepEqual(verification.problems, []);
  assert.equal(verification.figures.totalYen, 0n);
  const cliData = mkdtempSync(join(tmpdir(), 'ib-ledger-cli-'));
  try {
    const cli = spawnSync(process.execPath, [...commandNodeArgs('ledger'), 'verify', '--json'], {
      cwd: repoRoot,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? tmpdir(), DATA_DIR: cliData, ...env },
      encoding: 'utf8',
    });
    assert.equal(cli.status, 0, `ledger verify: ${cli.stdout}${cli.stderr}`);
    assert.equal(JSON.parse(cli.stdout).ok, true);
  } finally {
    rmSync(cliData, { recursive: true, force: true });
  }
});
