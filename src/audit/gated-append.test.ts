import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { createTestDatabase, needsPostgres } from '../../test/helpers/database.ts';
import { StatementCounter } from '../../test/helpers/statement-counter.ts';
import { eventOf, filledChain, newContractId } from '../../test/audit/trail.ts';
import type { Db } from '../db/open.ts';
import type { Tx } from '../db/transaction.ts';
import { gatedAppend } from './audit-trail.ts';
import { verifyAuditChain } from './verify.ts';

/**
 * Decision 0031: a use case's write and its audit record in one statement, the record appended only
 * when the write happened. The write here is a stand-in: an outbox row inserted when `$1` is true.
 */
async function writeWithRecord(tx: Tx, contractId: string, second: number, write: boolean): Promise<void> {
  const { appended } = await writeOnly(tx, contractId, second, write);
  await appended();
}

/** The write's statement alone; `appended` finishes the append, `found` says whether the statement found the head. */
async function writeOnly(tx: Tx, contractId: string, second: number, write: boolean) {
  const append = gatedAppend([eventOf(contractId, second)], sql`EXISTS (SELECT 1 FROM inserted)`);
  const { rows } = await sql<Record<string, unknown>>`
    WITH RECURSIVE inserted AS (
      INSERT INTO outbox (created_at, contract_id, recipient, subject, body, next_attempt_at)
      SELECT now(), ${contractId}, 'gated@example.jp', 'subject', 'body', now() WHERE ${write}::boolean
      RETURNING id
    ),
    ${append.ctes}
    SELECT ${append.columns}`.execute(tx);
  const row = rows[0]!;
  return { found: row.audit_found !== 0, appended: () => append.appended(tx, row) };
}

async function actionsOf(tx: { selectFrom: Tx['selectFrom'] }, contractId: string) {
  const rows = await tx.selectFrom('audit_log').select(['seq', 'at']).where('chain', '=', contractId).orderBy('seq').execute();
  return rows.map((row) => [row.seq, row.at.getUTCSeconds()]);
}

test('the record is appended with the write when it happens, and not at all when it does not', async () => {
  const database = await createTestDatabase();
  try {
    const contractId = await filledChain(database.db, 2);
    await database.db.transaction().execute(async (tx) => {
      await writeWithRecord(tx, contractId, 10, true);
      await writeWithRecord(tx, contractId, 11, false);
      await writeWithRecord(tx, contractId, 12, true);
    });
    assert.deepEqual(await actionsOf(database.db, contractId), [[1n, 0], [2n, 1], [3n, 10], [4n, 12]]);
    const head = await database.db.selectFrom('audit_chain_head').select('seq').where('chain', '=', contractId).executeTakeFirstOrThrow();
    assert.equal(head.seq, 4n);
    assert.equal((await verifyAuditChain(database.db, { chain: contractId })).ok, true);
  } finally {
    await database.drop();
  }
});

test("a chain's first record, appended by a gated write, makes its head; a closed gate makes none", async () => {
  const database = await createTestDatabase();
  try {
    const [written, notWritten] = [newContractId(), newContractId()];
    await database.db.transaction().execute(async (tx) => {
      await writeWithRecord(tx, written, 1, true);
      await writeWithRecord(tx, notWritten, 2, false);
    });
    assert.deepEqual(await actionsOf(database.db, written), [[1n, 1]]);
    assert.deepEqual(await actionsOf(database.db, notWritten), []);
    const heads = await database.db.selectFrom('audit_chain_head').select(['chain', 'seq']).where('chain', 'in', [written, notWritten]).execute();
    assert.deepEqual(heads.map((head) => [head.chain, head.seq]), [[written, 1n]]);
    assert.equal((await verifyAuditChain(database.db, { chain: written })).ok, true);
  } finally {
    await database.drop();
  }
});

test("a chain's first record through a gated write costs three statements: the write, the head, the append", async () => {
  const database = await createTestDatabase();
  try {
    const contractId = newContractId();
    const counter = new StatementCounter();
    await database.db.withPlugin(counter).transaction().execute((tx) => writeWithRecord(tx, contractId, 1, true));
    assert.equal(counter.count, 3);
    assert.deepEqual(await actionsOf(database.db, contractId), [[1n, 1]]);
  } finally {
    await database.drop();
  }
});

/** A point one side of a race waits at until the other resolves it. */
function moment(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
}

/** Waits until a session of the test's database waits on a lock. */
async function someoneWaits(db: Db): Promise<void> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const { rows } = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`.execute(db);
    if (rows[0]!.n > 0) return;
    assert.ok(Date.now() < deadline, 'the second transaction waits for the first one\'s head');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

test("two first records of one chain at once, through gated writes, land once each and in order", { skip: needsPostgres, timeout: 20_000 }, async () => {
  const database = await createTestDatabase({ poolSize: 3 });
  try {
    const contractId = newContractId();
    // Both writes find no head; the first makes it and appends, the second tries while that is uncommitted.
    const firstWrote = moment();
    const secondWrote = moment();
    const firstAppended = moment();
    const secondWaits = moment();
    const found: boolean[] = [];
    const first = database.db.transaction().execute(async (tx) => {
      const write = await writeOnly(tx, contractId, 1, true);
      found.push(write.found);
      firstWrote.resolve();
      await secondWrote.promise;
      await write.appended();
      firstAppended.resolve();
      await secondWaits.promise;
    });
    const second = database.db.transaction().execute(async (tx) => {
      await firstWrote.promise;
      const write = await writeOnly(tx, contractId, 2, true);
      found.push(write.found);
      secondWrote.resolve();
      await firstAppended.promise;
      await write.appended();
    });
    await Promise.race([firstAppended.promise, first, second]);
    try {
      await someoneWaits(database.db);
    } finally {
      secondWaits.resolve();
    }
    await Promise.all([first, second]);
    assert.deepEqual(found, [false, false], 'both writes were a first record');
    assert.deepEqual(await actionsOf(database.db, contractId), [[1n, 1], [2n, 2]]);
    const head = await database.db.selectFrom('audit_chain_head').select('seq').where('chain', '=', contractId).executeTakeFirstOrThrow();
    assert.equal(head.seq, 2n);
    assert.equal((await verifyAuditChain(database.db, { chain: contractId })).ok, true);
  } finally {
    await database.drop();
  }
});
