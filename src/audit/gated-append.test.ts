import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { createTestDatabase } from '../../test/helpers/database.ts';
import { eventOf, filledChain, newContractId } from '../../test/audit/trail.ts';
import type { Tx } from '../db/transaction.ts';
import { gatedAppend } from './audit-trail.ts';
import { verifyAuditChain } from './verify.ts';

/**
 * Decision 0031: a use case's write and its audit record in one statement, the record appended only
 * when the write happened. The write here is a stand-in: an outbox row inserted when `$1` is true.
 */
async function writeWithRecord(tx: Tx, contractId: string, second: number, write: boolean): Promise<void> {
  const append = gatedAppend([eventOf(contractId, second)], sql`EXISTS (SELECT 1 FROM inserted)`);
  const { rows } = await sql<Record<string, unknown>>`
    WITH RECURSIVE inserted AS (
      INSERT INTO outbox (created_at, contract_id, recipient, subject, body, next_attempt_at)
      SELECT now(), ${contractId}, 'gated@example.jp', 'subject', 'body', now() WHERE ${write}::boolean
      RETURNING id
    ),
    ${append.ctes}
    SELECT ${append.columns}`.execute(tx);
  await append.appended(tx, rows[0]!);
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
