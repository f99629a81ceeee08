import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chainGenesisHash } from './chain.ts';
import { hashesOf } from '../../test/audit/trail.ts';
import { auditRowsFromCsv, auditRowsFromJson, auditRowsToCsv, auditRowsToJson, ExportFormatError, type AuditExportRow } from './export-format.ts';
import { isoWithJstOffset } from '../domain/tokyo-time.ts';
import { verifyExportedRows } from './export.ts';

/**
 * A chain built in memory as the trail builds it: each record hashed over its content and the one
 * before, in scheme 2 from the record at index `scheme2From` on (0: all of them), in scheme 1 before.
 */
function chainOf(count: number, options: { chain?: string; firstSeq?: number; scheme2From?: number } = {}): AuditExportRow[] {
  const chain = options.chain ?? '12345678903';
  const rows: AuditExportRow[] = [];
  let prevHash = chainGenesisHash;
  for (let i = 0; i < count; i++) {
    const seq = BigInt((options.firstSeq ?? 1) + i);
    const content = {
      chain,
      seq,
      prevHash,
      at: new Date(Date.UTC(2026, 3, 1, 14, 59, 59, 999) + i * 1000),
      contractId: chain,
      userRef: i % 2 === 0 ? 7 : null,
      actor: i === 1 ? 'user:12345678903/山田,"太郎"' : `user:${chain}/taro`,
      action: 'logon',
      outcome: 'failure',
      reason: i === 2 ? 'line one\r\nline two' : i === 3 ? '' : null,
      ip: '203.0.113.10',
      userAgent: i === 4 ? '=cmd|" /C calc"!A0' : 'Mozilla/5.0 (日本語)',
      details: { method: 'password', note: 'カンマ, 引用 "x"', amountYen: '25000', nested: { b: [1, 0.1, 1e21], a: null } },
    };
    const hashes = hashesOf(content, i >= (options.scheme2From ?? 0) ? 2 : 1);
    rows.push({ ...content, id: BigInt(100 + i), ...hashes });
    prevHash = hashes.hash;
  }
  return rows;
}

test('the CSV has a header row, one row per record, times in ISO 8601 UTC and Japan time, and the chain fields', () => {
  const csv = auditRowsToCsv(chainOf(2));
  const [header, first] = csv.split('\r\n');
  assert.equal(header, 'id,chain,seq,at_utc,at_jst,contract_id,user_ref,actor,action,outcome,reason,ip,user_agent,details,prev_hash,hash,link_scheme,content_hash');
  assert.ok(first!.startsWith('100,12345678903,1,2026-04-01T14:59:59.999Z,2026-04-01T23:59:59.999+09:00,12345678903,7,'));
  assert.ok(first!.endsWith(`,${chainGenesisHash},${chainOf(1)[0]!.hash},2,${chainOf(1)[0]!.contentHash}`));
  assert.equal(isoWithJstOffset(new Date('2026-04-01T15:00:00.000Z')), '2026-04-02T00:00:00.000+09:00');
});

test('commas, quotes, line breaks and Japanese text are quoted as RFC 4180 says and read back exactly', () => {
  const rows = chainOf(5);
  const csv = auditRowsToCsv(rows);
  assert.ok(csv.includes(',"user:12345678903/山田,""太郎""",'));
  assert.ok(csv.includes(',"line one\r\nline two",'));
  assert.ok(csv.includes(',"{""amountYen"":""25000"",""method"":""password"",""nested"":{""a"":null,""b"":[1,0.1,1e+21]},""note"":""カンマ, 引用 \\""x\\""""}",'));
  assert.ok(csv.includes(`,"'=cmd|"" /C calc""!A0",`), 'a formula is not left for a spreadsheet to run');
  assert.deepEqual(auditRowsFromCsv(csv), rows);
  assert.deepEqual(auditRowsFromJson(JSON.parse(JSON.stringify(auditRowsToJson(rows)))), rows);
});

test('an exported period verifies by itself, starting mid-chain', () => {
  const rows = chainOf(8).slice(3);
  assert.deepEqual(verifyExportedRows(rows), { ok: true, records: 5, problems: [], problemsOmitted: 0 });
  assert.deepEqual(verifyExportedRows([]), { ok: true, records: 0, problems: [], problemsOmitted: 0 });
});

/** Applies an edit to the CSV text, as someone with the file could, and checks what is found. */
function kindsAfterEditing(edit: (csv: string) => string): Array<[bigint | null, string]> {
  const csv = auditRowsToCsv(chainOf(6));
  const edited = edit(csv);
  assert.notEqual(edited, csv, 'the edit changed the file');
  return verifyExportedRows(auditRowsFromCsv(edited)).problems.map((p) => [p.seq, p.kind]);
}

test('verifyExportedRows detects an edited exported row', () => {
  assert.deepEqual(kindsAfterEditing((csv) => csv.replace('"line one\r\nline two"', '"line one"')), [[3n, 'altered']]);
  assert.deepEqual(kindsAfterEditing((csv) => csv.replace('2026-04-01T15:00:01.999Z,2026-04-02T00:00:01.999+09:00', '2026-04-01T15:00:02.999Z,2026-04-02T00:00:02.999+09:00')), [[3n, 'altered']]);
  assert.deepEqual(kindsAfterEditing((csv) => csv.replace(/,failure,/, ',success,')), [[1n, 'altered']]);
});

test('verifyExportedRows detects a removed, a repeated and a reordered row, and a rebuilt one', () => {
  const rows = chainOf(6);
  const kinds = (edited: AuditExportRow[]) => verifyExportedRows(edited).problems.map((p) => [p.seq, p.kind]);
  assert.deepEqual(kinds(rows.toSpliced(2, 1)), [[3n, 'removed']]);
  assert.deepEqual(kinds(rows.toSpliced(3, 0, rows[2]!)), [[3n, 'reordered'], [3n, 'reordered']]);
  // 1, 3, 2, 4: seen from the walk, 2 is missing, then comes late (by number and by row id), then 3 seems missing.
  assert.deepEqual(kinds([rows[0]!, rows[2]!, rows[1]!, ...rows.slice(3)]), [
    [2n, 'removed'],
    [2n, 'reordered'],
    [2n, 'reordered'],
    [3n, 'removed'],
  ]);
  // A row replaced with a correctly hashed one no longer links to the row after it.
  const changed = { ...rows[2]!, outcome: 'success', reason: null };
  const forged = { ...changed, ...hashesOf(changed) };
  assert.deepEqual(kinds(rows.toSpliced(2, 1, forged)), [[4n, 'unlinked']]);
});

test('a file whose Japan time disagrees with its UTC time, or whose fields are not of their kind, is refused', () => {
  const csv = auditRowsToCsv(chainOf(2));
  assert.throws(() => auditRowsFromCsv(csv.replace('2026-04-01T23:59:59.999+09:00', '2026-04-01T22:59:59.999+09:00')), ExportFormatError);
  assert.throws(() => auditRowsFromCsv(csv.replace(/^id,/, 'row,')), ExportFormatError);
  assert.throws(() => auditRowsFromCsv(csv.replace('\r\n100,', '\r\nx,')), ExportFormatError);
  assert.throws(() => auditRowsFromCsv(csv.replace('2026-04-01T14:59:59.999Z', '2026-04-01 14:59:59')), ExportFormatError);
  assert.throws(() => auditRowsFromJson({ records: [] }), ExportFormatError);
  assert.throws(() => auditRowsFromJson([{ ...auditRowsToJson(chainOf(1))[0], seq: 1 }]), ExportFormatError);
});

test('an export of format version 1 (no link scheme, no content hash) reads as scheme 1 and verifies', () => {
  const rows = chainOf(2, { scheme2From: 2 });
  const csv = auditRowsToCsv(rows).replace(',link_scheme,content_hash\r\n', '\r\n').replaceAll(',1,\r\n', '\r\n');
  assert.ok(csv.startsWith('id,chain,seq,at_utc,at_jst,contract_id,user_ref,actor,action,outcome,reason,ip,user_agent,details,prev_hash,hash\r\n'));
  assert.deepEqual(auditRowsFromCsv(csv), rows);
  const json = auditRowsToJson(rows).map(({ linkScheme: _scheme, contentHash: _content, ...version1 }) => version1);
  assert.deepEqual(auditRowsFromJson(JSON.parse(JSON.stringify(json))), rows);
  assert.equal(verifyExportedRows(auditRowsFromCsv(csv)).ok, true);
  // A scheme-2 record stripped of its scheme reads as scheme 1, and its hash gives it away.
  const stripped = auditRowsToJson(chainOf(2)).map(({ linkScheme: _scheme, contentHash: _content, ...version1 }) => version1);
  assert.deepEqual(verifyExportedRows(auditRowsFromJson(stripped)).problems.map((p) => [p.seq, p.kind]), [[1n, 'altered'], [2n, 'altered']]);
  assert.throws(() => auditRowsFromJson([{ ...json[0], contentHash: null }]), ExportFormatError);
  assert.throws(() => auditRowsFromJson([{ ...auditRowsToJson(rows)[0], linkScheme: 3 }]), ExportFormatError);
});

test('a chain that crosses from scheme 1 to scheme 2 verifies, whole or from the crossing', () => {
  const rows = chainOf(6, { scheme2From: 3 });
  assert.deepEqual(rows.map((row) => row.linkScheme), [1, 1, 1, 2, 2, 2]);
  assert.deepEqual(verifyExportedRows(rows), { ok: true, records: 6, problems: [], problemsOmitted: 0 });
  assert.deepEqual(verifyExportedRows(rows.slice(2)), { ok: true, records: 4, problems: [], problemsOmitted: 0 });
  assert.deepEqual(auditRowsFromCsv(auditRowsToCsv(rows)), rows);
});

test('in a scheme-2 file, a changed content hash, a changed link and a downgrade to scheme 1 are each found as altered', () => {
  const rows = chainOf(5);
  const kinds = (edited: AuditExportRow[]) => verifyExportedRows(edited).problems.map((p) => [p.seq, p.kind]);
  const at = (index: number, change: Partial<AuditExportRow>) => rows.toSpliced(index, 1, { ...rows[index]!, ...change });
  assert.deepEqual(kinds(at(2, { contentHash: 'f'.repeat(64) })), [[3n, 'altered']]);
  assert.deepEqual(kinds(at(2, { contentHash: null })), [[3n, 'altered']]);
  // The hash changed: the record no longer matches it, and the next one no longer links to it.
  assert.deepEqual(kinds(at(2, { hash: 'f'.repeat(64) })), [[3n, 'altered'], [4n, 'unlinked']]);
  assert.deepEqual(kinds(at(2, { prevHash: 'f'.repeat(64) })), [[3n, 'altered'], [3n, 'unlinked']]);
  // A content hash recomputed for a changed field still breaks the link, which covers it.
  const changed = { ...rows[2]!, outcome: 'success' };
  assert.deepEqual(kinds(at(2, { outcome: 'success', contentHash: hashesOf(changed).contentHash })), [[3n, 'altered']]);
  // Downgraded to scheme 1 with a correct scheme-1 hash: after a scheme-2 record, not the trail's.
  const downgraded = { ...rows[2]!, ...hashesOf(rows[2]!, 1) };
  assert.deepEqual(kinds(rows.toSpliced(2, 1, downgraded)), [[3n, 'altered'], [4n, 'unlinked']]);
  // A scheme-1 record carrying a content hash is not one the trail writes either.
  assert.deepEqual(kinds(chainOf(2, { scheme2From: 2 }).toSpliced(1, 1, { ...chainOf(2, { scheme2From: 2 })[1]!, contentHash: 'f'.repeat(64) })), [[2n, 'altered']]);
});
