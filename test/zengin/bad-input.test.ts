import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readZengin } from '../../src/domain/zengin/read.ts';
import { writeZengin } from '../../src/domain/zengin/write.ts';
import { headerFields, trailerFields, transferDataFields } from '../../src/domain/zengin/fields.ts';
import type { ZenginProblem } from '../../src/domain/zengin/problems.ts';
import { fieldOf, fixture, joined, overwrite, recordsOf, validTransferFile } from './support.ts';

/**
 * R8.4: a file that is not a good Zengin file is refused with every problem named at its record
 * (the first 120-byte record is 1; null for the file as a whole) and field — never stopping at the
 * first, never reading a byte silently as "?". The valid file these start from: record 1 header,
 * 2 and 3 data, 4 trailer, 5 end.
 */
const header = (name: string) => fieldOf(headerFields, name);
const data = (name: string) => fieldOf(transferDataFields, name);
const trailer = (name: string) => fieldOf(trailerFields, name);

/** The problems as record, field and reason, the parameters left out. */
function problems(bytes: Uint8Array): Omit<ZenginProblem, 'params'>[] {
  return readZengin(bytes).errors.map(({ record, field, reason }) => ({ record, field, reason }));
}

test('the file the bad inputs start from is valid', () => {
  const result = readZengin(joined(recordsOf(validTransferFile())));
  assert.deepEqual(result.errors, []);
  assert.deepEqual(result.file, validTransferFile());
});

test('0 bytes are an empty file, not a file of no problems', () => {
  assert.deepEqual(problems(new Uint8Array()), [{ record: null, field: 'file', reason: 'empty_file' }]);
});

test('binary bytes are named as binary, once, rather than as hundreds of record problems', () => {
  const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, ...new Array(300).fill(0x07)]);
  assert.deepEqual(problems(png), [{ record: null, field: 'file', reason: 'binary_file' }]);
  const noise = Uint8Array.from({ length: 1000 }, (_, i) => (i * 131 + 7) % 256);
  assert.deepEqual(problems(noise), [{ record: null, field: 'file', reason: 'binary_file' }]);
});

test('UTF-8 text instead of Shift_JIS is named as such (a fixture saved by an editor as UTF-8)', () => {
  const shiftJis = fixture('kyash-sample.txt');
  const text = [...shiftJis].map((byte) => (byte >= 0xa1 && byte <= 0xdf ? String.fromCharCode(0xff61 + byte - 0xa1) : String.fromCharCode(byte))).join('');
  const utf8 = new TextEncoder().encode(text);
  assert.deepEqual(problems(utf8), [{ record: null, field: 'file', reason: 'utf8_text' }]);
  assert.deepEqual(problems(new TextEncoder().encode(`\uFEFF${'1'.repeat(120)}`)), [{ record: null, field: 'file', reason: 'utf8_text' }]);
});

test('a 119-byte record is named at its record number, and the records around it are still read', () => {
  const records = recordsOf(validTransferFile());
  records[1] = records[1]!.subarray(0, 119); // its last filler byte lost
  const result = readZengin(joined(records));
  assert.deepEqual(result.errors, [{ record: 2, field: 'record', reason: 'record_length', params: { length: '119' } }]);
  assert.equal(result.batches[0]!.records.length, 2);

  // Back to back (no separators) the lost byte shifts every later record: the file's last record is short.
  const fixed = readZengin(Uint8Array.from(records.flatMap((r) => [...r])));
  assert.deepEqual(fixed.errors.find((p) => p.reason === 'record_length'), { record: 5, field: 'record', reason: 'record_length', params: { length: '119' } });
});

test('a record longer than 120 bytes is named; a short line ending in a space was not trimmed but cut', () => {
  const records = recordsOf(validTransferFile());
  records[2] = Uint8Array.from([...records[2]!, 0x20]);
  records[3] = records[3]!.subarray(0, 60);
  assert.deepEqual(problems(joined(records)), [
    { record: 3, field: 'record', reason: 'record_length' },
    { record: 4, field: 'record', reason: 'record_length' },
  ]);
});

test('letters in an amount are named at the amount of that record', () => {
  const records = recordsOf(validTransferFile());
  records[2] = overwrite(records[2]!, data('amount'), '00000O3456');
  const result = readZengin(joined(records));
  assert.deepEqual(result.errors, [{ record: 3, field: 'amount', reason: 'not_numeric', params: { value: '00000O3456' } }]);
  assert.equal(result.batches[0]!.records[1]!.amount, null);
});

test('a trailer with a wrong count and a wrong total is named at both fields of the trailer', () => {
  const records = recordsOf(validTransferFile());
  records[3] = overwrite(overwrite(records[3]!, trailer('recordCount'), '000003'), trailer('totalAmount'), '000000015455');
  assert.deepEqual(readZengin(joined(records)).errors, [
    { record: 4, field: 'recordCount', reason: 'trailer_count', params: { value: '3', expected: '2' } },
    { record: 4, field: 'totalAmount', reason: 'trailer_total', params: { value: '15455', expected: '15456' } },
  ]);
});

test('a record after the end record is named', () => {
  const records = recordsOf(validTransferFile());
  assert.deepEqual(problems(joined([...records, records[1]!])), [{ record: 6, field: 'record', reason: 'after_end' }]);
});

test('a file without its end record is named as a problem of the whole file', () => {
  const records = recordsOf(validTransferFile());
  assert.deepEqual(problems(joined(records.slice(0, 4))), [{ record: null, field: 'file', reason: 'no_end' }]);
  assert.deepEqual(problems(joined(records.slice(0, 3))), [
    { record: null, field: 'file', reason: 'no_trailer' },
    { record: null, field: 'file', reason: 'no_end' },
  ]);
});

test('records out of place: data after a trailer, a trailer missing before the end, data before any header', () => {
  const records = recordsOf(validTransferFile());
  const [head, first, second, tail, end] = records as [Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array];
  assert.deepEqual(problems(joined([head, first, tail, second, end])), [
    { record: 3, field: 'recordCount', reason: 'trailer_count' },
    { record: 3, field: 'totalAmount', reason: 'trailer_total' },
    { record: 4, field: 'record', reason: 'after_trailer' },
  ]);
  assert.deepEqual(problems(joined([head, first, second, end])), [{ record: 4, field: 'record', reason: 'no_trailer' }]);
  assert.deepEqual(problems(joined([first, end])), [
    { record: 1, field: 'record', reason: 'no_header' },
    { record: null, field: 'file', reason: 'no_batch' },
  ]);
});

test('several batches before one end record are read as such, and the first header gives the kind', () => {
  const file = validTransferFile();
  const twice = { batches: [file.batches[0]!, { ...file.batches[0]!, header: { ...file.batches[0]!.header, paymentDate: '0416' } }] };
  const result = readZengin(writeZengin(twice));
  assert.deepEqual(result.errors, []);
  assert.equal(result.batches.length, 2);
  assert.deepEqual(result.file, twice);

  const records = recordsOf(twice);
  records[4] = overwrite(records[4]!, header('typeCode'), '11');
  // The second batch's records are read as that batch's header says, 給与振込: 総合振込's 振込指定区分
  // (7) then lies in the salary record's filler.
  assert.deepEqual(problems(joined(records)), [
    { record: 5, field: 'typeCode', reason: 'mixed_type_code' },
    { record: 6, field: 'dummy', reason: 'filler_not_blank' },
    { record: 7, field: 'dummy', reason: 'filler_not_blank' },
  ]);
});

test('kanji, small kana and characters outside the Zengin set in names are each named with the characters', () => {
  const records = recordsOf(validTransferFile());
  records[1] = overwrite(records[1]!, data('beneficiaryName'), [0x8e, 0x52, 0x93, 0x63]); // 山田 in Shift_JIS
  records[2] = overwrite(records[2]!, data('beneficiaryName'), 'ﾔﾏｯﾀﾞ ﾀﾛｳ');
  records[0] = overwrite(records[0]!, header('originatorName'), 'Test Co.');
  assert.deepEqual(readZengin(joined(records)).errors, [
    { record: 1, field: 'originatorName', reason: 'not_zengin_character', params: { characters: 'esto' } },
    { record: 2, field: 'beneficiaryName', reason: 'kanji', params: { characters: '山田' } },
    { record: 3, field: 'beneficiaryName', reason: 'small_kana', params: { characters: 'ｯ' } },
  ]);
});

test('a byte that is no character (a control byte, 0x80, 0xA0, 0xFD) is named by its value, never read as "?"', () => {
  const records = recordsOf(validTransferFile());
  records[1] = overwrite(records[1]!, data('beneficiaryName'), [0xb1, 0x80, 0xa0, 0xfd, 0x09]);
  const result = readZengin(joined(records));
  assert.deepEqual(result.errors, [
    { record: 2, field: 'beneficiaryName', reason: 'undefined_byte', params: { bytes: '0x80 0xA0 0xFD 0x09' } },
  ]);
  assert.equal(result.batches[0]!.records[0]!.beneficiaryName, 'ｱ\uFFFD\uFFFD\uFFFD\uFFFD');
});

test('an unknown data kind, an invalid date, a type code not 11/12/21, an invalid account type and a filled filler are each named', () => {
  const records = recordsOf(validTransferFile());
  records[0] = overwrite(overwrite(records[0]!, header('typeCode'), '99'), header('paymentDate'), '0230');
  records[1] = overwrite(overwrite(records[1]!, data('accountType'), '5'), data('dummy'), 'X');
  records[2] = overwrite(records[2]!, data('dataKind'), '5');
  assert.deepEqual(problems(joined(records)), [
    { record: 1, field: 'typeCode', reason: 'unknown_type_code' },
    { record: 1, field: 'paymentDate', reason: 'invalid_date' },
    { record: 2, field: 'accountType', reason: 'invalid_value' },
    { record: 2, field: 'dummy', reason: 'filler_not_blank' },
    { record: 3, field: 'dataKind', reason: 'unknown_data_kind' },
    // The record of unknown kind is not counted: the trailer no longer agrees.
    { record: 4, field: 'recordCount', reason: 'trailer_count' },
    { record: 4, field: 'totalAmount', reason: 'trailer_total' },
  ]);
});

test('bank and branch codes are checked against zengin-code, and the bank’s own against its own branches', () => {
  const records = recordsOf(validTransferFile());
  records[1] = overwrite(records[1]!, data('beneficiaryBankCode'), '9999');
  records[2] = overwrite(records[2]!, data('beneficiaryBranchCode'), '999');
  const bytes = joined(records);
  assert.deepEqual(problems(bytes), [
    { record: 2, field: 'beneficiaryBankCode', reason: 'unknown_bank' },
    { record: 3, field: 'beneficiaryBranchCode', reason: 'unknown_branch' },
  ]);
  // As the bank 9999 itself, branch 031 is one of its own and the header's 0009 is not.
  assert.deepEqual(readZengin(bytes, { ownBank: { code: '9999', branchCodes: ['031', '825'] } }).errors.map((p) => [p.record, p.field, p.reason]), [
    [1, 'originBankCode', 'not_own_bank'],
    [3, 'beneficiaryBranchCode', 'unknown_branch'],
  ]);
  assert.deepEqual(readZengin(bytes, { ownBank: { code: '9999', branchCodes: ['123'] } }).errors.map((p) => [p.record, p.field, p.reason]), [
    [1, 'originBankCode', 'not_own_bank'],
    [2, 'beneficiaryBranchCode', 'unknown_branch'],
    [3, 'beneficiaryBranchCode', 'unknown_branch'],
  ]);
});

test('every problem of a file is named at once, in file order, the whole file’s last', () => {
  const records = recordsOf(validTransferFile());
  records[1] = overwrite(records[1]!, data('amount'), 'ABC');
  records[2] = overwrite(records[2]!, data('beneficiaryName'), 'ｧ');
  records[3] = overwrite(records[3]!, trailer('recordCount'), '000009');
  assert.deepEqual(problems(joined(records.slice(0, 4))), [
    { record: 2, field: 'amount', reason: 'not_numeric' },
    { record: 3, field: 'beneficiaryName', reason: 'small_kana' },
    { record: 4, field: 'recordCount', reason: 'trailer_count' },
    { record: null, field: 'file', reason: 'no_end' },
  ]);
});

test('a final 0x1A (end-of-file mark) is accepted under every framing', () => {
  for (const framing of ['crlf', 'lf', 'cr', 'none'] as const) {
    const result = readZengin(writeZengin(validTransferFile(), { framing, eofMark: true }));
    assert.deepEqual(result.errors, [], framing);
    assert.equal(result.layout?.eofMark, true, framing);
  }
});
