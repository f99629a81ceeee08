import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase } from '../../test/helpers/database.ts';
import { eventOf, filledChain, newContractId } from '../../test/audit/trail.ts';
import { sql } from 'kysely';
import { StatementCounter } from '../../test/helpers/statement-counter.ts';
import { recordAudits } from './audit-trail.ts';
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

test('an append from a head that is not the stored chain\'s last record fails and leaves the chain as it was, unforked', async () => {
  const database = await createTestDatabase();
  try {
    const contractId = await filledChain(database.db, 3);
    const two = await database.db.selectFrom('audit_log').select('hash').where('chain', '=', contractId).where('seq', '=', 2n).executeTakeFirstOrThrow();
    // The head moved back to record 2 outside the trail: appended from it, a second record 3 would fork the chain.
    await sql`UPDATE audit_chain_head SET seq = 2, hash = ${two.hash} WHERE chain = ${contractId}`.execute(database.db);
    await assert.rejects(database.db.transaction().execute((tx) => recordAudits(tx, [eventOf(contractId, 20)])));
    await assert.rejects(recordAudits(database.db, [eventOf(contractId, 21)]));
    const seqs = await database.db.selectFrom('audit_log').select('seq').where('chain', '=', contractId).orderBy('seq').execute();
    assert.deepEqual(seqs.map((row) => row.seq), [1n, 2n, 3n]);
    const head = await database.db.selectFrom('audit_chain_head').select(['seq', 'hash']).where('chain', '=', contractId).executeTakeFirstOrThrow();
    assert.deepEqual(head, { seq: 2n, hash: two.hash });
  } finally {
    await database.drop();
  }
});

test("a chain's first record makes its head, in a transaction or not, with what goes alongside run once", async () => {
  const database = await createTestDatabase();
  try {
    const [alone, inTransaction] = [newContractId(), newContractId()];
    await recordAudits(database.db, [eventOf(alone, 1), eventOf(alone, 2)]);
    await database.db.transaction().execute((tx) =>
      recordAudits(tx, [eventOf(inTransaction, 1)], { alongside: sql`INSERT INTO audit_chain_head (chain, seq, hash) VALUES ('alongside', 0, 'x')` }),
    );
    const heads = await database.db.selectFrom('audit_chain_head').select(['chain', 'seq']).where('chain', 'in', [alone, inTransaction, 'alongside']).orderBy('seq').execute();
    assert.deepEqual(heads.map((head) => [head.chain, head.seq]).sort(), [[alone, 2n], ['alongside', 0n], [inTransaction, 1n]].sort());
    assert.equal((await verifyAuditChain(database.db, { chain: alone })).ok, true);
    assert.equal((await verifyAuditChain(database.db, { chain: inTransaction })).ok, true);
  } finally {
    await database.drop();
  }
});

test('records appended to a chain that has its head cost one statement, in a transaction or alone', async () => {
  const database = await createTestDatabase();
  try {
    const contractId = await filledChain(database.db, 1);
    const counter = new StatementCounter();
    const counting = database.db.withPlugin(counter);
    await counting.transaction().execute((tx) => recordAudits(tx, [eventOf(contractId, 1), eventOf(contractId, 2)]));
    assert.equal(counter.count, 1, 'in a transaction');
    counter.count = 0;
    await recordAudits(counting, [eventOf(contractId, 3)]);
    assert.equal(counter.count, 1, 'alone, without a transaction of its own');
    // A chain's first record also makes the head: three.
    counter.count = 0;
    await counting.transaction().execute((tx) => recordAudits(tx, [eventOf(newContractId(), 1)]));
    assert.equal(counter.count, 3, "a chain's first record");
    assert.equal((await verifyAuditChain(database.db, { chain: contractId })).ok, true);
  } finally {
    await database.drop();
  }
});
