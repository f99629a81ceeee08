import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import pg from 'pg';
import type { Deps } from '../../src/deps.ts';
import { FakeClock } from '../../src/platform/clock.ts';
import { runDueBulkFiles } from '../../src/modules/bulk/scheduler.ts';
import { uploadFile } from '../../src/modules/bulk/upload.ts';
import { registerFile, sendFile } from '../../src/modules/bulk/steps.ts';
import { createTestDatabase, needsPostgres, onPostgres, type TestDatabase } from '../helpers/database.ts';
import { testDeps } from '../helpers/deps.ts';
import { dropWhenClosed } from '../security/attack-helpers.ts';
import { addAccount, addContract } from '../transfers/fixtures.ts';
import { manyRecords, zenginBytes } from './support.ts';

/**
 * [PG] One lock order for every writer that posts and records (decision 0026): ledger accounts
 * first, the contract's audit head last, in the append. A bulk file's posting locks its entry's
 * ledger accounts, then appends; so does a transfer's execution. Were one of them to take the head
 * first, the scheduler posting a file and a transfer posting from the same account at the same
 * moment would each hold what the other waits for: a deadlock, one of them failed.
 */
let database: TestDatabase | undefined;
let deps: Deps & { clock: FakeClock };

before(async () => {
  if (!onPostgres) return;
  database = await createTestDatabase({ poolSize: 4 });
  deps = testDeps(database.db, { clock: new FakeClock('2026-04-01T00:00:00Z') });
});

after(async () => {
  await dropWhenClosed(database);
});

async function client(): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: database!.url! });
  await c.connect();
  return c;
}

/** A contract with a bulk file due to post from `from`, and the scheduler's clock on its payment date. */
async function dueFile() {
  const { contractId, master } = await addContract(deps);
  const from = await addAccount(deps, contractId, { fundYen: 10_000_000n });
  await deps.db
    .insertInto('user_permission')
    .values({ user_ref: master.user.id, business: 'bulk_transfer', can_register: true, can_approve: true, can_send: true, per_transaction_limit_yen: 10_000_000n, daily_limit_yen: 10_000_000n })
    .execute();
  deps.clock.set('2026-04-01T00:00:00Z');
  const file = await uploadFile(deps, master, zenginBytes(from, manyRecords(3, 1_000n), { mmdd: '0402' }), 'sogo.txt');
  await registerFile(deps, master, file.id, `register-${file.id}-key-000000`, { duplicateConfirmed: false, sendConfirmed: false });
  assert.equal((await sendFile(deps, master, file.id, `send-${file.id}-key-0000000000`)).file.status, 'scheduled');
  deps.clock.set('2026-04-02T01:00:00Z'); // 10:00 in Tokyo on the payment date
  return { contractId, from };
}

/** Waits until a backend other than `except` waits on a lock. */
async function someoneWaits(prober: pg.Client, except: pg.Client, what: string): Promise<void> {
  const pid = (await except.query('SELECT pg_backend_pid() AS pid')).rows[0].pid;
  const deadline = Date.now() + 20_000;
  for (;;) {
    const { rows } = await prober.query(
      "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> $1 AND pid <> pg_backend_pid()",
      [pid],
    );
    if (rows[0].n > 0) return;
    assert.ok(Date.now() < deadline, what);
    await delay(20);
  }
}

test('a bulk posting locks its ledger accounts before its contract audit head, which it waits for only to append', { skip: needsPostgres, timeout: 60_000 }, async () => {
  const { contractId, from } = await dueFile();
  const holder = await client();
  const prober = await client();
  try {
    // Another writer of the contract is appending (holds its audit head).
    await holder.query('BEGIN');
    await holder.query('SELECT 1 FROM audit_chain_head WHERE chain = $1 FOR UPDATE', [contractId]);
    const posting = runDueBulkFiles(deps);
    await someoneWaits(prober, holder, 'the posting waits for the audit head');
    // It waits with the entry's ledger accounts locked: it has posted and is appending.
    await prober.query('BEGIN');
    const taken = await prober.query('SELECT id FROM ledger_account WHERE id = $1 FOR UPDATE NOWAIT', [from.ledgerAccountId]).then(
      () => true,
      (error: { code?: string }) => (error.code === '55P03' ? false : Promise.reject(error)),
    );
    await prober.query('ROLLBACK');
    assert.ok(!taken, 'the source account is locked by the posting that waits for the audit head');
    await holder.query('ROLLBACK');
    assert.equal((await posting).posted, 1);
  } finally {
    await holder.end();
    await prober.end();
  }
});

test('a bulk posting and a transfer from the same account, each in the order ledger then head, do not deadlock', { skip: needsPostgres, timeout: 60_000 }, async () => {
  const { contractId, from } = await dueFile();
  const transfer = await client();
  const prober = await client();
  try {
    // A transfer's execution has claimed and posted from the source account, and has yet to append.
    await transfer.query('BEGIN');
    await transfer.query('SELECT 1 FROM ledger_account WHERE id = $1 FOR UPDATE', [from.ledgerAccountId]);
    const posting = runDueBulkFiles(deps);
    await someoneWaits(prober, transfer, 'the posting waits for the source account');
    // The transfer appends: the head is free, as the waiting posting has not taken it. (Taken
    // first, the two would deadlock here, and PostgreSQL would fail one of them.)
    await transfer.query("SET LOCAL lock_timeout = '5s'");
    await transfer.query('SELECT 1 FROM audit_chain_head WHERE chain = $1 FOR UPDATE', [contractId]);
    await transfer.query('COMMIT');
    assert.deepEqual(await posting, { posted: 1, failed: 0, settled: 1 });
  } finally {
    await transfer.end();
    await prober.end();
  }
});
