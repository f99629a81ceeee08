import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import pg from 'pg';
import { createTestDatabase, needsPostgres, onPostgres, type TestDatabase } from '../helpers/database.ts';
import { testDeps } from '../helpers/deps.ts';
import { FakeClock } from '../../src/platform/clock.ts';
import { activateToken } from '../../src/access/hardware-token/activate.ts';
import { confirmWithToken, tokenFailuresMax } from '../../src/access/hardware-token/check.ts';
import { addContract } from '../transfers/fixtures.ts';
import { assignedToken, codeOf, liveOf, refusal, tokenContext, userById, wrongCodeOf } from './support.ts';

/**
 * [PG] Decisions 0026, 0031: a transaction that writes the person's row and appends to the
 * contract's audit trail writes the row first, as a code's send does (the person, then the head).
 * The fifth wrong token code stops the person's token use (R6.6) and records it: it must not hold
 * the head while it waits for the person's row, or it and a send of the same person could each
 * wait for the other.
 */
let database: TestDatabase | undefined;
before(async () => {
  if (!onPostgres) return;
  database = await createTestDatabase({ poolSize: 4 });
});
after(() => database?.drop());

test("the fifth wrong token code writes the person's row before it waits for the contract's audit head", { skip: needsPostgres, timeout: 30_000 }, async () => {
  const deps = testDeps(database!.db, { clock: new FakeClock('2026-04-01T00:00:00Z') });
  const { contractId, master } = await addContract(deps);
  const token = await assignedToken(deps, contractId);
  await activateToken(deps, await liveOf(deps, master.user.id), token.serial, codeOf(token, deps.clock.now(), -1), tokenContext);
  const entry = { user: await userById(deps, master.user.id), context: tokenContext, action: 'transfer.send' };
  const wrong = wrongCodeOf(token, deps.clock.now());
  for (let attempt = 1; attempt < tokenFailuresMax; attempt++) assert.equal(await refusal(confirmWithToken(deps, entry, wrong)), 'TOKEN_CODE_WRONG');

  const head = new pg.Client({ connectionString: database!.url! });
  const prober = new pg.Client({ connectionString: database!.url! });
  await head.connect();
  await prober.connect();
  try {
    await head.query('BEGIN');
    await head.query('SELECT seq FROM audit_chain_head WHERE chain = $1 FOR UPDATE', [contractId]);
    const fifth = refusal(confirmWithToken(deps, entry, wrong));
    // The fifth, waiting for the head, has written the person's row already.
    let personLocked = false;
    for (let tries = 0; tries < 60 && !personLocked; tries++) {
      await delay(50);
      await prober.query('BEGIN');
      personLocked = await prober.query('SELECT id FROM users WHERE id = $1 FOR NO KEY UPDATE NOWAIT', [master.user.id]).then(
        () => false,
        (error: { code?: string }) => (error.code === '55P03' ? true : Promise.reject(error)),
      );
      await prober.query('ROLLBACK');
    }
    await head.query('COMMIT');
    assert.equal(await fifth, 'TOKEN_STOPPED');
    assert.ok(personLocked, "the person's row is written before the audit head is waited for");
  } finally {
    await head.end();
    await prober.end();
  }
});
