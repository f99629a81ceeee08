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
 * [PG] A bulk file's posting takes its contract's audit head before the ledger accounts — the order
 * of a transfer's claim (src/modules/ledger/claim.ts). In the other order, the scheduler posting a
 * file and a person sending a transfer from the same account (or sharing a fee-income or clearing
 * row) at the same moment would each hold what the other waits for: a deadlock, one of them failed.
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

test('a bulk posting waits for its contract audit head before it locks any ledger account (the lock order of a transfer, so the two never deadlock)', { skip: needsPostgres, timeout: 60_000 }, async () => {
  const { contractId, master } = await addContract(deps);
  const from = await addAccount(deps, contractId, { fundYen: 10_000_000n });
  await deps.db
    .insertInto('user_permission')
    .values({ user_ref: master.user.id, business: 'bulk_transfer', can_register: true, can_approve: true, can_send: true, per_transaction_limit_yen: 10_000_000n, daily_limit_yen: 10_000_000n })
    .execute();
  const file = await uploadFile(deps, master, zenginBytes(from, manyRecords(3, 1_000n), { mmdd: '0402' }), 'sogo.txt');
  await registerFile(deps, master, file.id, `register-${file.id}-key-000000`, { duplicateConfirmed: false, sendConfirmed: false });
  assert.equal((await sendFile(deps, master, file.id, `send-${file.id}-key-0000000000`)).file.status, 'scheduled');
  deps.clock.set('2026-04-02T01:00:00Z'); // 10:00 in Tokyo on the payment date

  const holder = await client();
  const prober = await client();
  try {
    // Another writer of the contract holds its audit head (as a transfer's claim does).
    await holder.query('BEGIN');
    await holder.query('SELECT 1 FROM audit_chain_head WHERE chain = $1 FOR UPDATE', [contractId]);
    const posting = runDueBulkFiles(deps);
    // The posting is now waiting on a lock…
    const deadline = Date.now() + 20_000;
    for (;;) {
      const { rows } = await prober.query(
        "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> $1",
        [(await holder.query('SELECT pg_backend_pid() AS pid')).rows[0].pid],
      );
      if (rows[0].n > 0) break;
      assert.ok(Date.now() < deadline, 'the posting waits for the audit head');
      await delay(20);
    }
    // …and holds none of the entry's ledger accounts while it waits: another writer may take the source.
    await prober.query('BEGIN');
    const taken = await prober.query('SELECT id FROM ledger_account WHERE id = $1 FOR UPDATE NOWAIT', [from.ledgerAccountId]).then(
      () => true,
      (error: { code?: string }) => (error.code === '55P03' ? false : Promise.reject(error)),
    );
    await prober.query('ROLLBACK');
    assert.ok(taken, 'the source account is not locked by a posting that still waits for the audit head');
    await holder.query('ROLLBACK');
    const result = await posting;
    assert.equal(result.posted, 1);
  } finally {
    await holder.end();
    await prober.end();
  }
});
