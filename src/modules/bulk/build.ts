import type { AccountType } from '../../db/schema.ts';
import type { BulkTypeCode } from '../../db/schema-bulk.ts';
import { isSalaryType } from '../../domain/bulk-schedule.ts';
import { parseYenInput } from '../../domain/money.ts';
import { toZenginKana } from '../../domain/zengin-kana.ts';
import type { ZenginDataRecord, ZenginFile, ZenginHeader } from '../../domain/zengin/fields.ts';
import { writeZengin, zenginBatch } from '../../domain/zengin/write.ts';

/**
 * R8.4: a file built on screen — the payees picked with their amounts — as the Zengin file the
 * person could have uploaded. Pure: the names and codes arrive as arguments. The same inputs give
 * the same bytes, so the file downloaded and the file stored are one.
 */

/** 社員番号 of a salary record. */
export const employeeNumberDigitsMax = 10;

/** Widths of the name fields (fields.ts): what is longer is cut, as banks' software does. */
const bankNameWidth = 15;
const branchNameWidth = 15;
const originatorNameWidth = 40;
const originatorCodeDigits = 10;

/** 預金種目 of a data record (1 普通, 2 当座, 4 貯蓄). */
const recordAccountType: Record<AccountType, string> = { ordinary: '1', current: '2', savings: '4' };
/** The header's 預金種目 holds 1 普通 and 2 当座 only (9 その他): a savings account pays no bulk file. */
const headerAccountType: Partial<Record<AccountType, string>> = { ordinary: '1', current: '2' };

export function canPayBulk(accountType: AccountType): boolean {
  return headerAccountType[accountType] !== undefined;
}

export interface BuildOrigin {
  contractId: string;
  /** The paying account's holder, as the bank keeps it (kana). */
  holderKana: string;
  bankCode: string;
  bankKana: string;
  branchCode: string;
  branchKana: string;
  accountType: AccountType;
  accountNumber: string;
}

export interface BuildLine {
  bankCode: string;
  bankKana: string;
  branchCode: string;
  branchKana: string;
  accountType: AccountType;
  accountNumber: string;
  /** Zengin half-width kana, as a payee is registered. */
  nameKana: string;
  amountYen: bigint;
  /** Digits, or '' (salary files only). */
  employeeNumber: string;
}

/**
 * 振込金額 as people type it: full-width digits, thousands commas and a trailing 円 are fine.
 * undefined: blank (not paid); null: not a whole number of yen from 1 to 10 digits.
 */
export function parseAmountYen(typed: string): bigint | undefined | null {
  if (typed.trim() === '') return undefined;
  // One reading of a typed amount for every form (src/domain/money.ts); its widest is a record's ten digits.
  const parsed = parseYenInput(typed);
  return parsed.ok ? parsed.yen : null;
}

/** 社員番号 as typed: '' when blank, null when not 1 to 10 digits. */
export function parseEmployeeNumber(typed: string): string | null {
  const text = typed.normalize('NFKC').trim();
  if (text === '') return '';
  return new RegExp(`^[0-9]{1,${employeeNumberDigitsMax}}$`).test(text) ? text : null;
}

/**
 * 依頼人コード: the contract ID's digits, its last ten (the leading ones of a contract ID are the
 * same for every contract), zero-padded when shorter. The bank identifies the payer by the account.
 */
export function originatorCodeOf(contractId: string): string {
  return contractId.replace(/[^0-9]/g, '').slice(-originatorCodeDigits).padStart(originatorCodeDigits, '0');
}

/** A name in Zengin kana cut to its field; '' when it has no Zengin form (only required fields need one). */
function zenginName(text: string, width: number): string {
  const converted = toZenginKana(text, Number.MAX_SAFE_INTEGER);
  return converted.ok ? [...converted.kana].slice(0, width).join('').trimEnd() : '';
}

/** 'YYYY-MM-DD' as the header's MMDD. */
export function mmddOf(paymentDate: string): string {
  return paymentDate.slice(5, 7) + paymentDate.slice(8, 10);
}

export function buildZenginFile(typeCode: BulkTypeCode, paymentDate: string, origin: BuildOrigin, lines: readonly BuildLine[]): ZenginFile {
  const accountType = headerAccountType[origin.accountType];
  if (accountType === undefined) throw new Error(`a ${origin.accountType} account pays no bulk file`);
  const header: ZenginHeader = {
    typeCode,
    codeKind: '0',
    originatorCode: originatorCodeOf(origin.contractId),
    originatorName: zenginName(origin.holderKana, originatorNameWidth),
    paymentDate: mmddOf(paymentDate),
    originBankCode: origin.bankCode,
    originBankName: zenginName(origin.bankKana, bankNameWidth),
    originBranchCode: origin.branchCode,
    originBranchName: zenginName(origin.branchKana, branchNameWidth),
    accountType,
    accountNumber: origin.accountNumber,
  };
  const records = lines.map((line): ZenginDataRecord => {
    const common = {
      beneficiaryBankCode: line.bankCode,
      beneficiaryBankName: zenginName(line.bankKana, bankNameWidth),
      beneficiaryBranchCode: line.branchCode,
      beneficiaryBranchName: zenginName(line.branchKana, branchNameWidth),
      clearingHouseCode: '',
      accountType: recordAccountType[line.accountType],
      accountNumber: line.accountNumber,
      beneficiaryName: line.nameKana,
      amount: line.amountYen,
      newCode: '0',
    };
    // 振込指定区分 7: 電信 (telegraphic), how this bank pays every record.
    return isSalaryType(typeCode)
      ? { ...common, employeeNumber: line.employeeNumber, departmentCode: '' }
      : { ...common, customerCode1: '', customerCode2: '', transferCategory: '7', identification: '' };
  });
  return { batches: [zenginBatch(header, records)] };
}

/** The file's bytes: Shift_JIS, CRLF after every record, as the upload reads them. */
export function buildZenginBytes(typeCode: BulkTypeCode, paymentDate: string, origin: BuildOrigin, lines: readonly BuildLine[]): Uint8Array {
  return writeZengin(buildZenginFile(typeCode, paymentDate, origin, lines), { framing: 'crlf' });
}

/** The name the file is stored and downloaded under. */
export function builtFileName(typeCode: BulkTypeCode, paymentDate: string): string {
  return `bulk-${typeCode}-${mmddOf(paymentDate)}.txt`;
}
