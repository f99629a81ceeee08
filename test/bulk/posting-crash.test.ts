import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { setTimeout as delay } from 'node:timers/promises';
import { sql } from 'kysely';
import type { Deps } from '../../src/deps.ts';
import { FakeClock } from '../../src/platform/clock.ts';
import { verifyLedger } from '../../src/modules/ledger/verify.ts';
import { runDueBulkFiles } from '../../src/modules/bulk/scheduler.ts';
import { uploadFile } from '../../src/modules/bulk/upload.ts';
import { registerFile, sendFile } from '../../src/modules/bulk/steps.ts';
import type { Actor } from '../../src/modules/transfers/types.ts';
import { createTestDatabase, needsPostgres, onPostgres, type TestDatabase } from '../helpers/database.ts';
import { testDeps, testKeyringSpec } from '../helpers/deps.ts';
import { dropWhenClosed } from '../security/attack-helpers.ts';
import { startServiceProcess } from '../helpers/service-process.ts';
import { addAccount, addContract, balanceOf, type TestAccount } from '../transfers/fixtures.ts';
import { manyRecords, zenginBytes } from './support.ts';

/**
 * R8.4, R8.6 [PG]: a 10,000-record 総合振込 file is posted all or nothing — a service process killed
 * with SIGKILL while it posts leaves either the whole file posted or nothing of it, and the restarted
 * process posts it once; two schedulers running at once post a file once. The ledger verifies clean
 * after each.
 */
const recordCount = 10_000;
const amountYen = 1_000n;
/** Uploaded and sent on 2026-04-01 (a Wednesday, 09:00 in Tokyo), paying on the next business day. */
const sentAt = '2026-04-01T00:00:00Z';
const paymentMmdd = '0402';
/** The service process's clock: 10:00 in Tokyo on the payment date. */
const processNow = '2026-04-02T01:00:00Z';
const clockModule = fileURLToPath(new URL('../helpers/shifted-clock.ts', import.meta.url));

let database: TestDatabase | undefined;
let deps: Deps & { clock: FakeClock };

before(async () => {
  if (!onPostgres) return;
  database = await createTestDatabase({ poolSize: 6 });
  deps = testDeps(database.db, { clock: new FakeClock(sentAt) });
});

after(async () => {
  await dropWhenClosed(database);
});

/** A contract whose master holds every step of the bulk business, with a funded account, and a sent file of `count` records dated the next day. */
async function sentFile(count: number): Promise<{ fileId: bigint; from: TestAccount; master: Actor }> {
  const { contractId, master } = await addContract(deps);
  const from = await addAccount(deps, contractId, { fundYen: 100_000_000n });
  await deps.db
    .insertInto('user_permission')
    .values({ user_ref: master.user.id, business: 'bulk_transfer', can_register: true, can_approve: true, can_send: true, per_transaction_limit_yen: 100_000_000n, daily_limit_yen: 100_000_000n })
    .execute();
  const file = await uploadFile(deps, master, zenginBytes(from, manyRecords(count, amountYen), { mmdd: paymentMmdd }), 'sogo.txt');
  await registerFile(deps, master, file.id, `register-${file.id}-key-000000`, { duplicateConfirmed: false, sendConfirmed: false });
  const sent = await sendFile(deps, master, file.id, `send-${file.id}-key-0000000000`);
  assert.equal(sent.file.status, 'scheduled');
  return { fileId: file.id, from, master };
}

async function entriesOf(fileId: bigint): Promise<number> {
  const { rows } = await sql<{ n: string }>`SELECT count(*) AS n FROM journal_entry WHERE bulk_file_id = ${fileId} AND kind = 'bulk'`.execute(deps.db);
  return Number(rows[0]!.n);
}

test('a file of 10,000 records is posted all or nothing when the posting process is killed, and once after the restart', { skip: needsPostgres, timeout: 240_000 }, async () => {
  const { fileId, from } = await sentFile(recordCount);
  const file = await deps.db.selectFrom('bulk_file').selectAll().where('id', '=', fileId).executeTakeFirstOrThrow();
  const fundedBefore = await balanceOf(deps.db, from.id);
  const env = { DATABASE_URL: database!.url!, ENCRYPTION_KEYS: testKeyringSpec, SEED_DEMO: 'false', LOG_LEVEL: 'warn', IB_TEST_NOW: processNow };
  const service = await startServiceProcess(env, { nodeArgs: ['--import', clockModule], listenWaitMs: 60_000 });
  // Kill it while its scheduler is inside the posting: a statement on the file's records is running.
  const deadline = Date.now() + 60_000;
  let seenPosting = false;
  while (Date.now() < deadline) {
    const { rows } = await sql<{ n: string }>`
      SELECT count(*) AS n FROM pg_stat_activity
      WHERE datname = current_database() AND pid <> pg_backend_pid() AND state <> 'idle' AND query ILIKE '%bulk_record%'`.execute(deps.db);
    if (Number(rows[0]!.n) > 0) {
      seenPosting = true;
      break;
    }
    if ((await deps.db.selectFrom('bulk_file').select('status').where('id', '=', fileId).executeTakeFirstOrThrow()).status !== 'scheduled') break;
    await delay(5);
  }
  await service.kill();
  const afterKill = await deps.db.selectFrom('bulk_file').select(['status', 'entry_id']).where('id', '=', fileId).executeTakeFirstOrThrow();
  const posted = await entriesOf(fileId);
  if (afterKill.status === 'scheduled') {
    assert.equal(posted, 0, 'not posted: no entry');
    assert.equal(await balanceOf(deps.db, from.id), fundedBefore, 'not posted: not a yen moved');
  } else {
    assert.equal(posted, 1, `${afterKill.status}: posted whole, once`);
  }
  assert.deepEqual((await verifyLedger(deps.db)).problems, [], 'the ledger verifies after the kill');
  process.stdout.write(`# killed ${seenPosting ? 'while posting' : 'before posting was seen'}; the file was ${afterKill.status}\n`);

  const restarted = await startServiceProcess(env, { nodeArgs: ['--import', clockModule], listenWaitMs: 60_000 });
  try {
    const until = Date.now() + 120_000;
    while (Date.now() < until && (await deps.db.selectFrom('bulk_file').select('status').where('id', '=', fileId).executeTakeFirstOrThrow()).status !== 'completed') await delay(100);
  } finally {
    await restarted.stop();
  }
  const done = await deps.db.selectFrom('bulk_file').select('status').where('id', '=', fileId).executeTakeFirstOrThrow();
  assert.equal(done.status, 'completed', restarted.output());
  assert.equal(await entriesOf(fileId), 1, 'posted once in all');
  assert.equal(await balanceOf(deps.db, from.id), fundedBefore - file.total_yen - file.fee_yen);
  const settled = await sql<{ n: string }>`SELECT count(*) AS n FROM bulk_record WHERE file_id = ${fileId} AND status = 'settled'`.execute(deps.db);
  assert.equal(Number(settled.rows[0]!.n), recordCount);
  assert.deepEqual((await verifyLedger(deps.db)).problems, []);
});

test('two schedulers running at once post a file once', { skip: needsPostgres, timeout: 120_000 }, async () => {
  const files = [await sentFile(2_000), await sentFile(500)];
  deps.clock.set(processNow);
  try {
    const runs = await Promise.all([runDueBulkFiles(deps), runDueBulkFiles(deps), runDueBulkFiles(deps)]);
    assert.equal(runs.reduce((sum, run) => sum + run.posted, 0), 2, 'each file posted by one of them');
    for (const { fileId } of files) {
      assert.equal(await entriesOf(fileId), 1);
      assert.equal((await deps.db.selectFrom('bulk_file').select('status').where('id', '=', fileId).executeTakeFirstOrThrow()).status, 'completed');
    }
    assert.deepEqual((await verifyLedger(deps.db)).problems, []);
  } finally {
    deps.clock.set(sentAt);
  }
});
