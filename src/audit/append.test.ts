import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase } from '../../test/helpers/database.ts';
import { eventOf, filledChain } from '../../test/audit/trail.ts';
import { noteChainHeadLocked, recordAudits } from './audit-trail.ts';
import { verifyAuditChain } from './verify.ts';

test('records appended together in one transaction are chained in the order given, one after another', async () => {
  const database = await createTestDatabase();
  try {
    const contractId = await filledChain(database.db, 2);
    await database.db.transaction().execute(async (tx) => {
      await recordAudits(tx, [eventOf(contractId, 10), eventOf(contractId, 11, { action: 'transfer.execute' })]);
      await recordAudits(tx, [eventOf(contractId, 12)]);
    });
    const rows = await database.db.selectFrom('audit_log').select(['seq', 'action', 'at']).where('chain', '=', contractId).orderBy('seq').execute();
    assert.deepEqual(rows.map((row) => [row.seq, row.action, row.at.getUTCSeconds()]), [
      [1n, 'logon', 0],
      [2n, 'logon', 1],
      [3n, 'logon', 10],
      [4n, 'transfer.execute', 11],
      [5n, 'logon', 12],
    ]);
    const head = await database.db.selectFrom('audit_chain_head').select('seq').where('chain', '=', contractId).executeTakeFirstOrThrow();
    assert.equal(head.seq, 5n);
    assert.equal((await verifyAuditChain(database.db, { chain: contractId })).ok, true);
  } finally {
    await database.drop();
  }
});

test('an append from a head that is not the stored one fails and leaves the chain as it was, unforked', async () => {
  const database = await createTestDatabase();
  try {
    const contractId = await filledChain(database.db, 3);
    await assert.rejects(
      database.db.transaction().execute(async (tx) => {
        // The right number with another hash: appended from it, record 4 would fork the chain.
        noteChainHeadLocked(tx, contractId, { seq: 3n, hash: '0'.repeat(64) });
        await recordAudits(tx, [eventOf(contractId, 20)]);
      }),
    );
    const seqs = await database.db.selectFrom('audit_log').select('seq').where('chain', '=', contractId).orderBy('seq').execute();
    assert.deepEqual(seqs.map((row) => row.seq), [1n, 2n, 3n]);
    await recordAudits(database.db, [eventOf(contractId, 21)]);
    assert.equal((await verifyAuditChain(database.db, { chain: contractId })).ok, true);
  } finally {
    await database.drop();
  }
});
