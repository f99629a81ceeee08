import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { recordBytes, type FieldSpec, type ZenginFile } from '../../src/domain/zengin/fields.ts';
import { jisX0201Byte } from '../../src/domain/zengin/jis-x0201.ts';
import { writeZengin, zenginBatch } from '../../src/domain/zengin/write.ts';

/** Zengin files written by other programs, read as they are (their README names each one's quirks). */
export const fixturesDir = fileURLToPath(new URL('../../../shared/fixtures/zengin/', import.meta.url));

export function fixture(name: string): Uint8Array {
  return readFileSync(fixturesDir + name);
}

/**
 * A valid 総合振込 file of two records to banks and branches that exist (those of the devture
 * fixture): record 1 header, 2 and 3 data, 4 trailer, 5 end.
 */
export function validTransferFile(): ZenginFile {
  const common = { clearingHouseCode: '', newCode: '0', customerCode1: '', customerCode2: '', transferCategory: '7', identification: '' };
  return {
    batches: [
      zenginBatch(
        {
          typeCode: '21', codeKind: '0', originatorCode: '1234560789', originatorName: 'ｶ)ﾃｽﾄｼﾖｳｼﾞ', paymentDate: '0415',
          originBankCode: '0009', originBankName: 'ﾐﾂｲｽﾐﾄﾓ', originBranchCode: '825', originBranchName: 'ｱｶｻｶ',
          accountType: '1', accountNumber: '9876543',
        },
        [
          { ...common, beneficiaryBankCode: '0137', beneficiaryBankName: 'ﾄｳｷﾖｳﾄﾐﾝ', beneficiaryBranchCode: '031', beneficiaryBranchName: 'ｼﾌﾞﾔ', accountType: '1', accountNumber: '1231990', beneficiaryName: 'ﾔﾏﾀﾞ ﾀﾛｳ', amount: 12_000n },
          { ...common, beneficiaryBankCode: '0005', beneficiaryBankName: 'ﾐﾂﾋﾞｼUFJ', beneficiaryBranchCode: '024', beneficiaryBranchName: 'ｷﾞﾝｻﾞﾄﾞｵﾘ', accountType: '2', accountNumber: '2275535', beneficiaryName: 'ｶ)ｾﾞﾝｷﾞﾝ', amount: 3_456n },
        ],
      ),
    ],
  };
}

/** The 120-byte records of a file, to alter one before framing them again. */
export function recordsOf(file: ZenginFile): Uint8Array[] {
  const bytes = writeZengin(file, { framing: 'none' });
  const records: Uint8Array[] = [];
  for (let start = 0; start < bytes.length; start += recordBytes) records.push(bytes.slice(start, start + recordBytes));
  return records;
}

/** Records joined by a separator (CRLF unless given). */
export function joined(records: Uint8Array[], separator: number[] = [0x0d, 0x0a]): Uint8Array {
  return Uint8Array.from(records.flatMap((record) => [...record, ...separator]));
}

/** Writes text over a field of a record: single-byte characters by the JIS X 0201 table, or raw bytes. */
export function overwrite(record: Uint8Array, field: FieldSpec, value: string | number[]): Uint8Array {
  const bytes = typeof value === 'string' ? [...value].map((char) => jisX0201Byte(char)!) : value;
  const out = record.slice();
  out.fill(0x20, field.offset, field.offset + field.width);
  out.set(bytes, field.offset);
  return out;
}

export function fieldOf(table: FieldSpec[], name: string): FieldSpec {
  const field = table.find((spec) => spec.name === name);
  if (field === undefined) throw new Error(`no field ${name}`);
  return field;
}
