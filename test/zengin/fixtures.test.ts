import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { readZengin, type ZenginReadResult } from '../../src/domain/zengin/read.ts';
import { writeZengin } from '../../src/domain/zengin/write.ts';
import { dataFieldsFor, endFields, headerFields, recordBytes, trailerFields, type FieldSpec, type ZenginFile } from '../../src/domain/zengin/fields.ts';
import { separatorBytes } from '../../src/domain/zengin/layout.ts';
import { fixture, fixturesDir } from './support.ts';

/**
 * R8.4: the files other programs wrote (../shared/fixtures/zengin, README.md there) are read exactly
 * as they are, each with the framing and quirks its README names, and the one a strict check must
 * flag is flagged at its record and field.
 */
const recordFiles = readdirSync(fixturesDir).filter((name) => name.endsWith('.txt') && !name.endsWith('.expected.txt')).sort();

function read(name: string): ZenginReadResult {
  return readZengin(fixture(name));
}

/** The values of a read file, for writing back: every number was read (the test asserts it first). */
function valuesOf(result: ZenginReadResult): ZenginFile {
  for (const batch of result.batches) {
    assert.ok(batch.trailer !== null && batch.trailer.recordCount !== null && batch.trailer.totalAmount !== null);
    for (const record of batch.records) assert.ok(record.amount !== null);
  }
  return { batches: result.batches } as ZenginFile;
}

test('every fixture the README lists is tested here, and every file is listed', () => {
  const readme = readFileSync(fixturesDir + 'README.md', 'utf8');
  const listed = [...readme.matchAll(/^\| ([\w.-]+\.txt) \|/gm)].map((m) => m[1]!).filter((name) => !name.endsWith('.expected.txt'));
  assert.deepEqual(listed.sort(), recordFiles);
  assert.deepEqual(recordFiles, [
    'devture-empty.txt',
    'devture-multi-transaction.txt',
    'devture-single-transaction.txt',
    'kyash-sample.txt',
    'zengin4j-sougou-furikomi.txt',
  ]);
});

test('devture-empty: CRLF without a newline after the last record; a header, a trailer of 0 records, an end', () => {
  const result = read('devture-empty.txt');
  assert.deepEqual(result.errors, []);
  assert.equal(result.valid, true);
  assert.deepEqual(result.layout, { framing: 'crlf', finalSeparator: false, trimmed: false, eofMark: false });
  assert.equal(result.recordCount, 3);
  assert.equal(result.batches.length, 1);
  assert.deepEqual(result.batches[0]!.header, {
    typeCode: '21', codeKind: '0', originatorCode: '1234560789', originatorName: 'ｽﾗﾋﾞ', paymentDate: '0225',
    originBankCode: '0009', originBankName: 'ﾐﾂｲｽﾐﾄﾓ', originBranchCode: '825', originBranchName: 'ｱｶｻｶ',
    accountType: '1', accountNumber: '9876543',
  });
  assert.deepEqual(result.batches[0]!.records, []);
  assert.deepEqual(result.batches[0]!.trailer, { recordCount: 0, totalAmount: 0n });
});

test('devture-single-transaction: one record with 振込指定区分 7; the strict check flags ｰ (0xB0) in the payee name, a lenient one warns', () => {
  const result = read('devture-single-transaction.txt');
  assert.equal(result.valid, false);
  assert.deepEqual(result.errors, [{ record: 2, field: 'beneficiaryName', reason: 'not_zengin_character', params: { characters: 'ｰ' } }]);
  assert.deepEqual(result.layout, { framing: 'crlf', finalSeparator: false, trimmed: false, eofMark: false });
  const [record] = result.batches[0]!.records;
  assert.deepEqual(record, {
    beneficiaryBankCode: '0137', beneficiaryBankName: 'ﾄｳｷﾖｳﾄﾐﾝ', beneficiaryBranchCode: '031', beneficiaryBranchName: 'ｼﾌﾞﾔ',
    clearingHouseCode: '0000', accountType: '1', accountNumber: '1231990', beneficiaryName: 'ﾃｽﾄｰ.ｶﾌﾞｼｷｶﾞｲｼﾔ', amount: 1_103_661n,
    newCode: '0', customerCode1: '', customerCode2: '', transferCategory: '7', identification: '',
  });
  assert.deepEqual(result.batches[0]!.trailer, { recordCount: 1, totalAmount: 1_103_661n });

  const lenient = readZengin(fixture('devture-single-transaction.txt'), { strict: false });
  assert.equal(lenient.valid, true);
  assert.deepEqual(lenient.warnings, result.errors);
});

test('devture-multi-transaction: two records, the company abbreviation ｶ), Latin letters in a bank name, total 1,702,961 yen', () => {
  const result = read('devture-multi-transaction.txt');
  // The same payee name as in the single-transaction file, flagged the same way.
  assert.deepEqual(result.errors, [{ record: 2, field: 'beneficiaryName', reason: 'not_zengin_character', params: { characters: 'ｰ' } }]);
  const [batch] = result.batches;
  assert.equal(batch!.records.length, 2);
  assert.equal(batch!.records[0]!.accountType, '2');
  assert.equal(batch!.records[1]!.beneficiaryName, 'ｶ)ｾﾞﾝｷﾞﾝ');
  assert.equal(batch!.records[1]!.beneficiaryBankName, 'ﾐﾂﾋﾞｼﾄｳｷﾖｳUFJ');
  assert.deepEqual(batch!.records.map((r) => r.amount), [1_103_661n, 599_300n]);
  assert.deepEqual(batch!.trailer, { recordCount: 2, totalAmount: 1_702_961n });
});

test('kyash-sample: LF, trailing spaces trimmed from lines, 振込指定区分 0, customer codes with spaces; 3 records, total 6 yen; valid', () => {
  const result = read('kyash-sample.txt');
  assert.deepEqual(result.errors, []);
  assert.deepEqual(result.layout, { framing: 'lf', finalSeparator: false, trimmed: true, eofMark: false });
  assert.equal(result.recordCount, 6);
  const [batch] = result.batches;
  assert.equal(batch!.header.typeCode, '21');
  assert.equal(batch!.header.originatorName, 'ｷﾔﾂｼﾕ ﾀﾛｳ');
  assert.deepEqual(batch!.records.map((r) => r.amount), [1n, 2n, 3n]);
  assert.deepEqual(batch!.records.map((r) => 'transferCategory' in r && r.transferCategory), ['0', '0', '0']);
  assert.deepEqual(batch!.records.map((r) => r.clearingHouseCode), ['', '', '']);
  const last = batch!.records[2]!;
  assert.ok('customerCode1' in last);
  assert.deepEqual([last.customerCode1, last.customerCode2], ['200504001', '000001']);
  assert.deepEqual(batch!.trailer, { recordCount: 3, totalAmount: 6n });
});

test('zengin4j: records separated by CR alone, 識別表示 ｱ read as written; its synthetic bank codes are unknown to the bank data', () => {
  const result = read('zengin4j-sougou-furikomi.txt');
  assert.deepEqual(result.layout, { framing: 'cr', finalSeparator: true, trimmed: false, eofMark: false });
  assert.deepEqual(result.errors, [
    { record: 2, field: 'beneficiaryBankCode', reason: 'unknown_bank', params: { bank: '9891' } },
    { record: 3, field: 'beneficiaryBankCode', reason: 'unknown_bank', params: { bank: '9850' } },
  ]);
  assert.deepEqual(result.batches[0]!.records.map((r) => 'identification' in r && r.identification), ['ｱ', 'ｱ']);
  // Without the bank data check nothing else is wrong with it.
  assert.deepEqual(readZengin(fixture('zengin4j-sougou-furikomi.txt'), { directory: null }).errors, []);
});

/** zengin4j's names for what this reader names otherwise. */
const goldenNames: Record<string, string> = { dataKubun: 'dataKind', codeKubun: 'codeKind', valueDate: 'paymentDate' };

interface GoldenRecord { number: number; kind: string; at: number; fields: { name: string; offset: number; width: number; value: string }[] }

function parseGolden(text: string): { top: Map<string, string>; records: GoldenRecord[]; computed: Map<string, string> } {
  const top = new Map<string, string>();
  const computed = new Map<string, string>();
  const records: GoldenRecord[] = [];
  let section: 'top' | 'records' = 'top';
  for (const line of text.split('\n')) {
    const head = /^-- record (\d+) (\w+) @(\d+)$/.exec(line);
    const field = /^ {3}(\w+)\s+\[(\d+)\+(\d+)\] (.*)$/.exec(line);
    const pair = /^(\w+)\s+(\S.*)$/.exec(line);
    if (head) {
      section = 'records';
      records.push({ number: Number(head[1]), kind: head[2]!, at: Number(head[3]), fields: [] });
    } else if (field) {
      const value = field[4]!.trimEnd();
      records.at(-1)!.fields.push({ name: goldenNames[field[1]!] ?? field[1]!, offset: Number(field[2]), width: Number(field[3]), value: value === '(empty)' ? '' : value });
    } else if (pair) {
      (section === 'top' ? top : computed).set(pair[1]!, pair[2]!.trim());
    }
  }
  return { top, records, computed };
}

test('zengin4j: every field of every record equals its golden decoding (.expected.txt), at the offset and width of our field tables', () => {
  const golden = parseGolden(readFileSync(fixturesDir + 'zengin4j-sougou-furikomi.expected.txt', 'utf8'));
  const result = readZengin(fixture('zengin4j-sougou-furikomi.txt'), { directory: null });
  assert.equal(result.valid, true);
  const layout = result.layout!;

  assert.equal(golden.top.get('format'), 'sougou-furikomi');
  assert.equal(result.batches[0]!.header.typeCode, '21');
  assert.equal(Number(golden.top.get('records')), result.recordCount);
  assert.equal(Number(golden.top.get('batches')), result.batches.length);
  assert.equal(golden.top.get('separator')!.toLowerCase(), layout.framing);
  assert.equal(golden.top.get('trailingSep'), String(layout.finalSeparator));
  assert.equal(golden.top.get('trailingEofByte'), String(layout.eofMark));
  assert.equal(golden.top.get('byteOrderMark'), 'false');

  const batch = result.batches[0]!;
  const tables: Record<string, { table: FieldSpec[]; values: Record<string, unknown> }> = {
    HEADER: { table: headerFields, values: { ...batch.header, dataKind: '1' } },
    TRAILER: { table: trailerFields, values: { ...batch.trailer, dataKind: '8' } },
    END: { table: endFields, values: { dataKind: '9' } },
  };
  const dataRecords = [...batch.records];
  assert.equal(golden.records.length, 5);
  for (const record of golden.records) {
    const { table, values } =
      record.kind === 'DATA' ? { table: dataFieldsFor('21'), values: { ...dataRecords.shift(), dataKind: '2' } } : tables[record.kind]!;
    assert.equal(record.at, (record.number - 1) * (recordBytes + separatorBytes[layout.framing].length), `record ${record.number} starts there`);
    assert.deepEqual(
      record.fields.map(({ name, offset, width }) => ({ name, offset, width })),
      table.map(({ name, offset, width }) => ({ name, offset, width })),
      `record ${record.number}: the golden decoding's fields are ours`,
    );
    for (const field of record.fields) {
      const ours = field.name === 'dummy' ? '' : values[field.name];
      // Numbers are compared as numbers (the golden file shows their zeros); codes and names as text.
      const expected = typeof ours === 'bigint' ? BigInt(field.value) : typeof ours === 'number' ? Number(field.value) : field.value;
      assert.deepEqual(ours, expected, `record ${record.number} ${field.name}`);
    }
  }
  assert.equal(dataRecords.length, 0);
  assert.equal(Number(golden.computed.get('computedCount')), batch.records.length);
  assert.equal(BigInt(golden.computed.get('computedTotal')!), batch.records.reduce((sum, r) => sum + r.amount!, 0n));
});

for (const name of recordFiles) {
  test(`${name}: written back with the layout it was read in, its values give the very same bytes`, () => {
    const bytes = fixture(name);
    const result = readZengin(bytes);
    assert.deepEqual(writeZengin(valuesOf(result), result.layout!), new Uint8Array(bytes));
  });
}
