import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import fc from 'fast-check';
import { readZengin } from '../../src/domain/zengin/read.ts';
import { writeZengin, zenginBatch } from '../../src/domain/zengin/write.ts';
import { framings, type ZenginLayout } from '../../src/domain/zengin/layout.ts';
import type { ZenginDataRecord, ZenginFile, ZenginHeader } from '../../src/domain/zengin/fields.ts';

/**
 * R8.4 as a property: any valid file the writer makes is read back to the same values and the same
 * layout, and written again to the same bytes, under every framing (CRLF, LF, CR, none), with lines
 * trimmed or not, a final separator or not, a final 0x1A or not.
 */

// Destinations that exist in the published bank data, so that the reader's directory check passes.
const banks = createRequire(import.meta.url)('zengin-code') as Record<string, { branches: Record<string, unknown> }>;
const destinations = Object.entries(banks)
  .filter((_, index) => index % 40 === 0)
  .flatMap(([bank, { branches }]) => Object.keys(branches).slice(0, 3).map((branch) => ({ bank, branch })));

const zenginChars = [...'0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZｱｲｳｴｵｶｷｸｹｺｻｼｽｾｿﾀﾁﾂﾃﾄﾅﾆﾇﾈﾉﾊﾋﾌﾍﾎﾏﾐﾑﾒﾓﾔﾕﾖﾗﾘﾙﾚﾛﾜﾝﾞﾟ ()-./,\u00A5｢｣'];

/** Zengin text as a field holds it: no trailing spaces (the padding), at most `width` characters. */
function kana(width: number, required = false): fc.Arbitrary<string> {
  return fc
    .array(fc.constantFrom(...zenginChars), { minLength: required ? 1 : 0, maxLength: width })
    .map((chars) => chars.join('').trimEnd())
    .filter((text) => !required || text !== '');
}

function digits(width: number): fc.Arbitrary<string> {
  return fc.array(fc.constantFrom(...'0123456789'), { minLength: width, maxLength: width }).map((d) => d.join(''));
}

const monthDay = fc.integer({ min: 1, max: 12 }).chain((month) =>
  fc.integer({ min: 1, max: [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]! }).map((day) => `${String(month).padStart(2, '0')}${String(day).padStart(2, '0')}`),
);

function header(typeCode: string): fc.Arbitrary<ZenginHeader> {
  return fc.record({
    typeCode: fc.constant(typeCode),
    codeKind: fc.constant('0'),
    originatorCode: digits(10),
    originatorName: kana(40, true),
    paymentDate: monthDay,
    originBankCode: digits(4),
    originBankName: kana(15),
    originBranchCode: digits(3),
    originBranchName: kana(15),
    accountType: fc.constantFrom('1', '2', '9'),
    accountNumber: digits(7),
  }, { noNullPrototype: true });
}

function dataRecord(typeCode: string): fc.Arbitrary<ZenginDataRecord> {
  const common = {
    destination: fc.constantFrom(...destinations),
    beneficiaryBankName: kana(15),
    beneficiaryBranchName: kana(15),
    clearingHouseCode: fc.oneof(fc.constant(''), digits(4)),
    accountType: fc.constantFrom('1', '2', '4', '9'),
    accountNumber: digits(7),
    beneficiaryName: kana(30, true),
    amount: fc.bigInt({ min: 1n, max: 9_999_999_999n }),
    newCode: fc.constantFrom('0', '1', '2', ''),
  };
  const place = <T extends { destination: { bank: string; branch: string } }>({ destination, ...rest }: T) => ({
    beneficiaryBankCode: destination.bank,
    beneficiaryBranchCode: destination.branch,
    ...rest,
  });
  if (typeCode === '21') {
    return fc
      .record({ ...common, customerCode1: kana(10), customerCode2: kana(10), transferCategory: fc.constantFrom('7', '8', '0', ''), identification: fc.constantFrom('', 'Y') })
      .map(place);
  }
  return fc.record({ ...common, employeeNumber: fc.oneof(fc.constant(''), digits(10)), departmentCode: fc.oneof(fc.constant(''), digits(10)) }).map(place);
}

const zenginFile: fc.Arbitrary<ZenginFile> = fc.constantFrom('21', '11', '12').chain((typeCode) =>
  fc
    .array(fc.tuple(header(typeCode), fc.array(dataRecord(typeCode), { maxLength: 6 })), { minLength: 1, maxLength: 3 })
    .map((batches) => ({ batches: batches.map(([h, records]) => zenginBatch(h, records)) })),
);

const layout: fc.Arbitrary<ZenginLayout> = fc
  .record({ framing: fc.constantFrom(...framings), finalSeparator: fc.boolean(), trimmed: fc.boolean(), eofMark: fc.boolean() }, { noNullPrototype: true })
  .map((l) => (l.framing === 'none' ? { ...l, finalSeparator: false, trimmed: false } : l));

test('any valid file the writer makes is read back to the same values, layout and bytes', () => {
  fc.assert(
    fc.property(zenginFile, layout, (file, written) => {
      const bytes = writeZengin(file, written);
      const result = readZengin(bytes);
      assert.deepEqual(result.errors, []);
      assert.deepEqual(result.file, file);
      assert.deepEqual(result.layout, written);
      assert.deepEqual(writeZengin(result.file!, result.layout!), bytes);
    }),
    { numRuns: 300 },
  );
});

test('one file under every framing reads back to the same values each time', () => {
  fc.assert(
    fc.property(zenginFile, (file) => {
      for (const framing of framings) {
        const bytes = writeZengin(file, { framing });
        const result = readZengin(bytes);
        assert.deepEqual(result.errors, [], framing);
        assert.deepEqual(result.file, file, framing);
        assert.deepEqual(writeZengin(result.file!, { framing }), bytes, framing);
      }
    }),
    { numRuns: 100 },
  );
});
