import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { recordAudit } from '../../src/audit/audit-trail.ts';
import { verifyAuditChain } from '../../src/audit/verify.ts';
import { periodOfDays } from '../../src/audit/period.ts';
import {
  auditRowsFromCsv,
  auditRowsToCsv,
  compareWithStoredChain,
  exportAuditTrail,
  recordTrailExport,
  verifyExportedRows,
} from '../../src/audit/export.ts';
import { eventOf, hashesOf, newContractId } from './trail.ts';
import type { Db } from '../../src/db/open.ts';

/** R9.1: the operator exports a contract's trail for a period, and the file is evidence by itself. */
let database: TestDatabase;
let db: Db;
before(async () => {
  database = await createTestDatabase();
  db = database.db;
});
after(() => database.drop());

const april = periodOfDays('2026-04-01', '2026-04-30');
assert.ok(typeof april !== 'string');

/** Moments around April in Japan time, with a label each, in the order they are appended. */
const moments = [
  ['March 31, last millisecond', '2026-03-31T14:59:59.999Z'],
  ['April 1, first moment', '2026-03-31T15:00:00.000Z'],
  ['April 15', '2026-04-15T03:00:00.000Z'],
  ['April 30, last millisecond', '2026-04-30T14:59:59.999Z'],
  ['May 1, first moment', '2026-04-30T15:00:00.000Z'],
] as const;

async function appendAt(contractId: string | null, label: string, at: string) {
  await recordAudit(db, { ...eventOf(contractId ?? 'none', 0), contractId, at: new Date(at), details: { label } });
}

test("export of a period returns exactly the contract's records in it, in chain order, and nothing of other contracts", async () => {
  const contractId = newContractId();
  const neighbour = newContractId();
  for (const [label, at] of moments) {
    await appendAt(contractId, label, at);
    await appendAt(neighbour, `neighbour ${label}`, at);
    await appendAt(null, `no contract ${label}`, at);
  }
  const rows = await exportAuditTrail(db, { contractId, ...april });
  assert.deepEqual(
    rows.map((row) => row.details.label),
    ['April 1, first moment', 'April 15', 'April 30, last millisecond'],
  );
  assert.deepEqual(rows.map((row) => row.seq), [2n, 3n, 4n]);
  assert.ok(rows.every((row) => row.chain === contractId && row.contractId === contractId));
  assert.deepEqual(verifyExportedRows(rows), { ok: true, records: 3, problems: [], problemsOmitted: 0 });
  assert.deepEqual(await compareWithStoredChain(db, rows), []);
});

test('an empty period, a reversed one, and a contract without records export nothing', async () => {
  const contractId = newContractId();
  await appendAt(contractId, 'March', '2026-03-10T00:00:00.000Z');
  assert.deepEqual(await exportAuditTrail(db, { contractId, ...april }), []);
  assert.deepEqual(await exportAuditTrail(db, { contractId, from: april.to, to: april.from }), []);
  assert.deepEqual(await exportAuditTrail(db, { contractId: newContractId(), ...april }), []);
  assert.equal(auditRowsToCsv([]).split('\r\n').length, 2, 'a header row only');
});

test("a record numbered across the period's edge is included, so the period stays one unbroken piece of the chain", async () => {
  // Two overlapping actions: the one that started later (inside April) was appended first.
  const contractId = newContractId();
  await appendAt(contractId, 'April 30', '2026-04-30T10:00:00.000Z');
  await appendAt(contractId, 'started May 1, appended first', '2026-04-30T15:00:00.001Z');
  await appendAt(contractId, 'started April 30, appended second', '2026-04-30T14:59:59.999Z');
  await appendAt(contractId, 'May 2', '2026-05-01T15:00:00.000Z');
  const rows = await exportAuditTrail(db, { contractId, ...april });
  assert.deepEqual(rows.map((row) => row.details.label), ['April 30', 'started May 1, appended first', 'started April 30, appended second']);
  assert.equal(verifyExportedRows(rows).ok, true);
});

test('an exported CSV read back verifies and matches the stored chain; an edited or rebuilt one does not', async () => {
  const contractId = newContractId();
  for (let second = 0; second < 5; second++) {
    await recordAudit(db, eventOf(contractId, second, { at: new Date(Date.UTC(2026, 3, 2, 0, 0, second)), actor: `user:${contractId}/山田,"太郎"\n` }));
  }
  const rows = auditRowsFromCsv(auditRowsToCsv(await exportAuditTrail(db, { contractId, ...april })));
  assert.equal(rows.length, 5);
  assert.equal(verifyExportedRows(rows).ok, true);
  assert.deepEqual(await compareWithStoredChain(db, rows), []);

  const edited = rows.map((row) => (row.seq === 2n ? { ...row, ip: '192.0.2.1' } : row));
  assert.deepEqual(verifyExportedRows(edited).problems.map((p) => [p.seq, p.kind]), [[2n, 'altered']]);

  // Rebuilt from record 2 on with recomputed hashes: consistent by itself, but not the stored chain.
  let prevHash = rows[0]!.hash;
  const rebuilt = rows.map((row, i) => {
    if (i === 0) return row;
    const changed = { ...row, prevHash, ip: '192.0.2.1' };
    const rehashed = { ...changed, ...hashesOf(changed) };
    prevHash = rehashed.hash;
    return rehashed;
  });
  assert.equal(verifyExportedRows(rebuilt).ok, true);
  const against = await compareWithStoredChain(db, rebuilt);
  assert.deepEqual(against.map((p) => [p.seq, p.kind]), [[2n, 'altered'], [3n, 'altered'], [4n, 'altered'], [5n, 'altered']]);
});

test('taking an export out is itself a record in the contract\'s chain, which stays intact', async () => {
  const contractId = newContractId();
  await appendAt(contractId, 'April 15', '2026-04-15T03:00:00.000Z');
  const rows = await exportAuditTrail(db, { contractId, ...april });
  await recordTrailExport(db, { at: new Date('2026-05-07T01:00:00.000Z'), actor: 'operator:yamada', contractId, ...april, records: rows.length, format: 'csv' });
  const exported = await db.selectFrom('audit_log').select(['actor', 'action', 'details']).where('chain', '=', contractId).where('action', '=', 'audit.export').executeTakeFirstOrThrow();
  assert.deepEqual(exported, {
    actor: 'operator:yamada',
    action: 'audit.export',
    details: { from: '2026-03-31T15:00:00.000Z', to: '2026-04-30T15:00:00.000Z', records: 1, format: 'csv' },
  });
  assert.equal((await verifyAuditChain(db, { chain: contractId })).ok, true);
});
