import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { verifyAuditChain } from '../../src/audit/verify.ts';
import { filledChain, hashesOf, rowOf, shape, tamper, newContractId } from './trail.ts';
import type { Db } from '../../src/db/open.ts';

/**
 * R9.1: the audit trail is tamper-evident. Each test fills a chain of its own through recordAudit,
 * changes the stored rows as someone with write access to the database could, and expects verify
 * to name the chain, the record and what happened to it.
 */
let database: TestDatabase;
let db: Db;
before(async () => {
  database = await createTestDatabase();
  db = database.db;
});
after(() => database.drop());

const recordsPerChain = 6;

async function problemsOf(chain: string) {
  const result = await verifyAuditChain(db, { chain });
  assert.equal(result.ok, result.problems.length === 0);
  return result.problems.map(shape);
}

test('an untouched chain verifies, counting every record', async () => {
  const chain = await filledChain(db, recordsPerChain);
  const result = await verifyAuditChain(db, { chain });
  assert.deepEqual(result, { ok: true, chains: 1, records: recordsPerChain, problems: [], problemsOmitted: 0 });
});

for (const [field, change] of [
  ['actor', sql`actor = 'operator:mallory'`],
  ['action', sql`action = 'logoff'`],
  ['outcome', sql`outcome = 'info'`],
  ['reason', sql`reason = 'stopped'`],
  ['ip', sql`ip = '198.51.100.1'`],
  ['user agent', sql`user_agent = user_agent || ' '`],
  ['user', sql`user_ref = 8`],
  ['details (a value)', sql`details = jsonb_set(details, '{method}', '"certificate"')`],
  ['details (a key added)', sql`details = details || '{"cardSerial": "X"}'`],
  ['details (Japanese text)', sql`details = jsonb_set(details, '{名前}', '"山田 次郎"')`],
  ['time (a second later)', sql`at = at + interval '1 second'`],
  ['time (a microsecond later)', sql`at = at + interval '1 microsecond'`],
  ['contract', sql`contract_id = NULL`],
] as const) {
  test(`changing the ${field} of one record is detected as altered at that record, and only there`, async () => {
    const chain = await filledChain(db, recordsPerChain);
    const target = await rowOf(db, chain, 3);
    await tamper(db, sql`UPDATE audit_log SET ${change} WHERE id = ${target.id}`);
    assert.deepEqual(await problemsOf(chain), [{ chain, seq: 3n, recordId: target.id, kind: 'altered' }]);
  });
}

test('deleting a record in the middle is detected as removed, naming the missing number', async () => {
  const chain = await filledChain(db, recordsPerChain);
  const next = await rowOf(db, chain, 4);
  await tamper(db, sql`DELETE FROM audit_log WHERE chain = ${chain} AND seq = 3`);
  assert.deepEqual(await problemsOf(chain), [{ chain, seq: 3n, recordId: next.id, kind: 'removed' }]);
});

test('deleting the first record is detected as removed', async () => {
  const chain = await filledChain(db, recordsPerChain);
  const next = await rowOf(db, chain, 2);
  await tamper(db, sql`DELETE FROM audit_log WHERE chain = ${chain} AND seq = 1`);
  assert.deepEqual(await problemsOf(chain), [{ chain, seq: 1n, recordId: next.id, kind: 'removed' }]);
});

test('deleting the last record is detected by the chain head', async () => {
  const chain = await filledChain(db, recordsPerChain);
  await tamper(db, sql`DELETE FROM audit_log WHERE chain = ${chain} AND seq = ${recordsPerChain}`);
  assert.deepEqual(await problemsOf(chain), [{ chain, seq: BigInt(recordsPerChain), recordId: null, kind: 'head-mismatch' }]);
});

test('deleting every record of a chain is detected by its head', async () => {
  const chain = await filledChain(db, recordsPerChain);
  await tamper(db, sql`DELETE FROM audit_log WHERE chain = ${chain}`);
  const result = await verifyAuditChain(db, { chain });
  assert.equal(result.chains, 1);
  assert.deepEqual(result.problems.map(shape), [{ chain, seq: BigInt(recordsPerChain), recordId: null, kind: 'head-mismatch' }]);
});

test('deleting the chain head is detected', async () => {
  const chain = await filledChain(db, recordsPerChain);
  const last = await rowOf(db, chain, recordsPerChain);
  await tamper(db, sql`DELETE FROM audit_chain_head WHERE chain = ${chain}`);
  assert.deepEqual(await problemsOf(chain), [{ chain, seq: BigInt(recordsPerChain), recordId: last.id, kind: 'head-mismatch' }]);
});

const contentColumns = ['at', 'contract_id', 'user_ref', 'actor', 'action', 'outcome', 'reason', 'ip', 'user_agent', 'details'] as const;

/** Swaps the given columns of two rows in one statement (row ids stay: they cannot be updated). */
async function swapRows(chain: string, a: number, b: number, columns: readonly string[]) {
  const set = sql.join(columns.map((c) => sql`${sql.ref(c)} = other.${sql.ref(c)}`));
  await tamper(
    db,
    sql`UPDATE audit_log AS row SET ${set}
        FROM audit_log AS other
        WHERE row.chain = ${chain} AND other.chain = ${chain}
          AND ((row.seq = ${a} AND other.seq = ${b}) OR (row.seq = ${b} AND other.seq = ${a}))`,
  );
}

test("swapping two records' content is detected as altered at both", async () => {
  const chain = await filledChain(db, recordsPerChain);
  const [two, five] = [await rowOf(db, chain, 2), await rowOf(db, chain, 5)];
  await swapRows(chain, 2, 5, contentColumns);
  assert.deepEqual(await problemsOf(chain), [
    { chain, seq: 2n, recordId: two.id, kind: 'altered' },
    { chain, seq: 5n, recordId: five.id, kind: 'altered' },
  ]);
});

test('swapping two whole records between their rows (hashes and numbers too) is detected as reordered', async () => {
  const chain = await filledChain(db, recordsPerChain);
  const four = await rowOf(db, chain, 4);
  await tamper(db, sql`UPDATE audit_log SET seq = seq + 1000 WHERE chain = ${chain} AND seq IN (3, 4)`);
  await swapRows(chain, 1003, 1004, [...contentColumns, 'prev_hash', 'hash', 'link_scheme', 'content_hash']);
  await tamper(db, sql`UPDATE audit_log SET seq = CASE seq WHEN 1003 THEN 4 ELSE 3 END WHERE chain = ${chain} AND seq IN (1003, 1004)`);
  // Every hash and link is intact in number order; only the rows' order gives the move away.
  assert.deepEqual(await problemsOf(chain), [{ chain, seq: 4n, recordId: four.id - 1n, kind: 'reordered' }]);
});

test('renumbering two records to swap their order is detected', async () => {
  const chain = await filledChain(db, recordsPerChain);
  await tamper(db, sql`UPDATE audit_log SET seq = CASE seq WHEN 3 THEN 1004 ELSE 1003 END WHERE chain = ${chain} AND seq IN (3, 4)`);
  await tamper(db, sql`UPDATE audit_log SET seq = seq - 1000 WHERE chain = ${chain} AND seq > 1000`);
  const problems = await problemsOf(chain);
  assert.ok(problems.length > 0);
  assert.deepEqual(new Set(problems.map((p) => p.seq)), new Set([3n, 4n, 5n]));
});

test('a forged record appended outside the trail, even with a correct hash, shows past the chain head', async () => {
  const chain = await filledChain(db, recordsPerChain);
  const last = await rowOf(db, chain, recordsPerChain);
  const forged = {
    chain,
    seq: last.seq + 1n,
    prevHash: last.hash,
    at: new Date(last.at.getTime() + 1000),
    contractId: chain,
    userRef: null,
    actor: 'system',
    action: 'contract.lock_mode',
    outcome: 'success',
    reason: null,
    ip: null,
    userAgent: null,
    details: {},
  };
  const { linkScheme, contentHash, hash } = hashesOf(forged);
  const inserted = await db
    .insertInto('audit_log')
    .values({ chain, seq: forged.seq, prev_hash: forged.prevHash, hash, link_scheme: linkScheme, content_hash: contentHash, at: forged.at, contract_id: chain, actor: 'system', action: forged.action, outcome: 'success', user_ref: null, reason: null, ip: null, user_agent: null, details: '{}' })
    .returning('id')
    .executeTakeFirstOrThrow();
  assert.deepEqual(await problemsOf(chain), [{ chain, seq: forged.seq, recordId: inserted.id, kind: 'head-mismatch' }]);
});

test('a forged record inserted in the middle (the later ones renumbered) is detected where it goes in', async () => {
  const chain = await filledChain(db, recordsPerChain);
  const three = await rowOf(db, chain, 3);
  await tamper(db, sql`UPDATE audit_log SET seq = seq + 1000 WHERE chain = ${chain} AND seq >= 4`);
  await tamper(db, sql`UPDATE audit_log SET seq = seq - 999 WHERE chain = ${chain} AND seq > 1000`);
  await tamper(
    db,
    sql`INSERT INTO audit_log (chain, seq, prev_hash, hash, at, contract_id, actor, action, outcome)
        VALUES (${chain}, 4, ${three.hash}, ${'f'.repeat(64)}, ${three.at}, ${chain}, 'system', 'person.lift_stop', 'success')`,
  );
  const problems = await problemsOf(chain);
  assert.deepEqual(problems[0], { chain, seq: 4n, recordId: problems[0]!.recordId, kind: 'altered' });
  assert.ok(problems.some((p) => p.kind === 'head-mismatch'), 'the head is left behind');
});

test('a replaced record whose hash was recomputed breaks the link of the record after it', async () => {
  const chain = await filledChain(db, recordsPerChain);
  const failure = await rowOf(db, chain, 4);
  assert.equal(failure.outcome, 'failure');
  const next = await rowOf(db, chain, 5);
  const replaced = {
    chain,
    seq: failure.seq,
    prevHash: failure.prev_hash,
    at: failure.at,
    contractId: failure.contract_id,
    userRef: failure.user_ref,
    actor: failure.actor,
    action: failure.action,
    outcome: 'success',
    reason: null,
    ip: failure.ip,
    userAgent: failure.user_agent,
    details: failure.details,
  };
  const rehashed = hashesOf(replaced);
  await tamper(db, sql`UPDATE audit_log SET outcome = 'success', reason = NULL, content_hash = ${rehashed.contentHash}, hash = ${rehashed.hash} WHERE id = ${failure.id}`);
  assert.deepEqual(await problemsOf(chain), [{ chain, seq: 5n, recordId: next.id, kind: 'unlinked' }]);
});

test('a record moved to another contract is detected in both chains', async () => {
  const chain = await filledChain(db, recordsPerChain);
  const other = await filledChain(db, 2);
  const moved = await rowOf(db, chain, 2);
  await tamper(db, sql`UPDATE audit_log SET chain = ${other}, contract_id = ${other}, seq = 3 WHERE id = ${moved.id}`);
  const three = await rowOf(db, chain, 3);
  assert.deepEqual(await problemsOf(chain), [{ chain, seq: 2n, recordId: three.id, kind: 'removed' }]);
  assert.deepEqual(await problemsOf(other), [
    { chain: other, seq: 3n, recordId: moved.id, kind: 'altered' },
    { chain: other, seq: 3n, recordId: moved.id, kind: 'unlinked' },
    // It was written before the other contract's records: its row id gives it away too.
    { chain: other, seq: 3n, recordId: moved.id, kind: 'reordered' },
    { chain: other, seq: 3n, recordId: moved.id, kind: 'head-mismatch' },
  ]);
});

test("verifying one contract's chain reads only that chain", async () => {
  const damaged = await filledChain(db, recordsPerChain);
  await tamper(db, sql`UPDATE audit_log SET actor = 'x' WHERE chain = ${damaged} AND seq = 2`);
  const intact = await filledChain(db, recordsPerChain);
  assert.deepEqual(await verifyAuditChain(db, { chain: intact }), { ok: true, chains: 1, records: recordsPerChain, problems: [], problemsOmitted: 0 });
  assert.deepEqual(await verifyAuditChain(db, { chain: newContractId() }), { ok: true, chains: 0, records: 0, problems: [], problemsOmitted: 0 });
});

test('every problem says in words what is wrong', async () => {
  const chain = await filledChain(db, recordsPerChain);
  await tamper(db, sql`UPDATE audit_log SET details = '{}' WHERE chain = ${chain} AND seq = 2`);
  await tamper(db, sql`DELETE FROM audit_log WHERE chain = ${chain} AND seq IN (4, ${recordsPerChain})`);
  const { problems } = await verifyAuditChain(db, { chain });
  assert.deepEqual(problems.map((p) => p.kind), ['altered', 'removed', 'head-mismatch']);
  assert.match(problems[0]!.detail, /hash/);
  assert.match(problems[1]!.detail, /record 4 is missing/);
  assert.match(problems[2]!.detail, /record 6 was removed/);
});
