import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { verifyAuditChain } from '../../src/audit/verify.ts';
import { recordAudit } from '../../src/audit/audit-trail.ts';
import { exportAuditTrail, compareWithStoredChain, verifyExportedRows } from '../../src/audit/export.ts';
import { eventOf, filledChain, hashesOf, rowOf, scheme1Chain, shape, tamper } from './trail.ts';
import type { Db } from '../../src/db/open.ts';

/**
 * R9.1, decision 0026: records written before migration 0017 keep link scheme 1, every record
 * since is of scheme 2 (a content hash, and a link made by the append statement). A chain that
 * crosses from one to the other verifies; changing a scheme-2 record's content hash or link, or
 * turning it back into scheme 1, is found as the kinds of change found before. (The other changes
 * are in tamper.test.ts, on chains the trail now writes in scheme 2.)
 */
let database: TestDatabase;
let db: Db;
before(async () => {
  database = await createTestDatabase();
  db = database.db;
});
after(() => database.drop());

async function problemsOf(chain: string) {
  return (await verifyAuditChain(db, { chain })).problems.map(shape);
}

const april = { from: new Date('2026-03-31T15:00:00.000Z'), to: new Date('2026-04-30T15:00:00.000Z') };

test('records appended now are of scheme 2, with a content hash', async () => {
  const chain = await filledChain(db, 2);
  const row = await rowOf(db, chain, 2);
  assert.equal(row.link_scheme, 2);
  assert.match(row.content_hash ?? '', /^[0-9a-f]{64}$/);
});

test('a chain written in scheme 1 and continued in scheme 2 verifies, stored and exported', async () => {
  const chain = await scheme1Chain(db, 3);
  for (let second = 3; second < 6; second++) await recordAudit(db, eventOf(chain, second));
  const schemes = await db.selectFrom('audit_log').select('link_scheme').where('chain', '=', chain).orderBy('seq').execute();
  assert.deepEqual(schemes.map((row) => row.link_scheme), [1, 1, 1, 2, 2, 2]);
  assert.deepEqual(await verifyAuditChain(db, { chain }), { ok: true, chains: 1, records: 6, problems: [], problemsOmitted: 0 });
  const exported = await exportAuditTrail(db, { contractId: chain, ...april });
  assert.equal(exported.length, 6);
  assert.equal(verifyExportedRows(exported).ok, true);
  assert.deepEqual(await compareWithStoredChain(db, exported), []);
});

test('a chain of scheme 1 alone still finds a changed field, as before', async () => {
  const chain = await scheme1Chain(db, 4);
  const target = await rowOf(db, chain, 2);
  await tamper(db, sql`UPDATE audit_log SET actor = 'operator:mallory' WHERE id = ${target.id}`);
  assert.deepEqual(await problemsOf(chain), [{ chain, seq: 2n, recordId: target.id, kind: 'altered' }]);
});

test("changing a scheme-2 record's content hash is detected as altered at that record", async () => {
  const chain = await filledChain(db, 5);
  const target = await rowOf(db, chain, 3);
  await tamper(db, sql`UPDATE audit_log SET content_hash = ${'f'.repeat(64)} WHERE id = ${target.id}`);
  assert.deepEqual(await problemsOf(chain), [{ chain, seq: 3n, recordId: target.id, kind: 'altered' }]);
});

test("a scheme-2 record's content hash recomputed after a change is still found, by its link", async () => {
  const chain = await filledChain(db, 5);
  const target = await rowOf(db, chain, 3);
  const changed = { chain, seq: target.seq, prevHash: target.prev_hash, at: target.at, contractId: target.contract_id, userRef: target.user_ref, actor: 'operator:mallory', action: target.action, outcome: target.outcome, reason: target.reason, ip: target.ip, userAgent: target.user_agent, details: target.details };
  await tamper(db, sql`UPDATE audit_log SET actor = 'operator:mallory', content_hash = ${hashesOf(changed).contentHash} WHERE id = ${target.id}`);
  assert.deepEqual(await problemsOf(chain), [{ chain, seq: 3n, recordId: target.id, kind: 'altered' }]);
});

test("changing a scheme-2 record's link (its hash) is detected at it and at the record after it", async () => {
  const chain = await filledChain(db, 5);
  const [target, next] = [await rowOf(db, chain, 3), await rowOf(db, chain, 4)];
  await tamper(db, sql`UPDATE audit_log SET hash = ${'f'.repeat(64)} WHERE id = ${target.id}`);
  assert.deepEqual(await problemsOf(chain), [
    { chain, seq: 3n, recordId: target.id, kind: 'altered' },
    { chain, seq: 4n, recordId: next.id, kind: 'unlinked' },
  ]);
});

test('a scheme-2 record turned back into scheme 1 with a correct scheme-1 hash is detected as altered', async () => {
  const chain = await filledChain(db, 5);
  const [target, next] = [await rowOf(db, chain, 3), await rowOf(db, chain, 4)];
  const content = { chain, seq: target.seq, prevHash: target.prev_hash, at: target.at, contractId: target.contract_id, userRef: target.user_ref, actor: target.actor, action: target.action, outcome: target.outcome, reason: target.reason, ip: target.ip, userAgent: target.user_agent, details: target.details };
  await tamper(db, sql`UPDATE audit_log SET link_scheme = 1, content_hash = NULL, hash = ${hashesOf(content, 1).hash} WHERE id = ${target.id}`);
  assert.deepEqual(await problemsOf(chain), [
    { chain, seq: 3n, recordId: target.id, kind: 'altered' },
    { chain, seq: 4n, recordId: next.id, kind: 'unlinked' },
  ]);
});

test('a scheme-1 record slipped in after scheme-2 records, its chain rehashed and its head moved, is detected as altered', async () => {
  // The whole rewrite from the last record on: only the scheme gives it away without an earlier copy.
  const chain = await filledChain(db, 4);
  const last = await rowOf(db, chain, 4);
  const content = { chain, seq: 5n, prevHash: last.hash, at: new Date(last.at.getTime() + 1000), contractId: chain, userRef: null, actor: 'system', action: 'contract.lock_mode', outcome: 'success', reason: null, ip: null, userAgent: null, details: {} };
  const { hash } = hashesOf(content, 1);
  const inserted = await db
    .insertInto('audit_log')
    .values({ chain, seq: 5n, prev_hash: last.hash, hash, at: content.at, contract_id: chain, actor: 'system', action: content.action, outcome: 'success', user_ref: null, reason: null, ip: null, user_agent: null, details: '{}' })
    .returning('id')
    .executeTakeFirstOrThrow();
  await tamper(db, sql`UPDATE audit_chain_head SET seq = 5, hash = ${hash} WHERE chain = ${chain}`);
  assert.deepEqual(await problemsOf(chain), [{ chain, seq: 5n, recordId: inserted.id, kind: 'altered' }]);
});

test('the table refuses a scheme without its content hash, and a content hash of another form', async () => {
  const chain = await filledChain(db, 2);
  const target = await rowOf(db, chain, 2);
  await assert.rejects(tamper(db, sql`UPDATE audit_log SET content_hash = NULL WHERE id = ${target.id}`));
  await assert.rejects(tamper(db, sql`UPDATE audit_log SET content_hash = upper(content_hash) WHERE id = ${target.id}`));
  await assert.rejects(tamper(db, sql`UPDATE audit_log SET link_scheme = 3 WHERE id = ${target.id}`));
  await assert.rejects(tamper(db, sql`UPDATE audit_log SET link_scheme = 1 WHERE id = ${target.id}`));
  assert.deepEqual(await problemsOf(chain), []);
});
