/**
 * R8.4: the 全銀協 fixed-length record format of 総合振込 (種別コード 21), 給与振込 (11) and 賞与振込
 * (12), each record 120 bytes, described once here and used by both the reader and the writer.
 *
 * Kinds: `numeric` digits only, right-aligned with zeros; `kana` the Zengin character set of
 * src/domain/zengin-kana.ts (JIS X 0201 half-width), left-aligned with spaces; `date` MMDD;
 * `filler` spaces only (ダミー). A field marked `blank` may also be all spaces (手形交換所番号 is
 * often left so); `values` lists the only codes a field may hold.
 */
export type FieldKind = 'numeric' | 'kana' | 'date' | 'filler';

export interface FieldSpec<Name extends string = string> {
  name: Name;
  offset: number;
  width: number;
  kind: FieldKind;
  /** May be all spaces (a numeric or date field), or must not be (a kana field: `required`). */
  blank?: boolean;
  required?: boolean;
  values?: readonly string[];
}

export const recordBytes = 120;

/** データ区分, the first byte of every record. */
export const dataKinds = { header: '1', data: '2', trailer: '8', end: '9' } as const;

/** 種別コード: 総合振込, 給与振込, 賞与振込. */
export const typeCodes = ['21', '11', '12'] as const;
export type ZenginTypeCode = (typeof typeCodes)[number];

export function isTypeCode(value: string): value is ZenginTypeCode {
  return (typeCodes as readonly string[]).includes(value);
}

function table<const Name extends string>(fields: FieldSpec<Name>[]): FieldSpec<Name>[] {
  let offset = 0;
  for (const field of fields) {
    if (field.offset !== offset) throw new Error(`field ${field.name} starts at ${field.offset}, expected ${offset}`);
    offset += field.width;
  }
  if (offset !== recordBytes) throw new Error(`fields end at ${offset}, not ${recordBytes}`);
  return fields;
}

/** ヘッダー・レコード (the same layout for all three kinds; 取組日 / 振込指定日 is the payment date). */
export const headerFields = table([
  { name: 'dataKind', offset: 0, width: 1, kind: 'numeric', values: [dataKinds.header] },
  { name: 'typeCode', offset: 1, width: 2, kind: 'numeric', values: typeCodes },
  // 0: JIS (Shift_JIS here); 1 would be EBCDIC, which this service does not read.
  { name: 'codeKind', offset: 3, width: 1, kind: 'numeric', values: ['0'] },
  { name: 'originatorCode', offset: 4, width: 10, kind: 'numeric' },
  { name: 'originatorName', offset: 14, width: 40, kind: 'kana', required: true },
  { name: 'paymentDate', offset: 54, width: 4, kind: 'date' },
  { name: 'originBankCode', offset: 58, width: 4, kind: 'numeric' },
  { name: 'originBankName', offset: 62, width: 15, kind: 'kana' },
  { name: 'originBranchCode', offset: 77, width: 3, kind: 'numeric' },
  { name: 'originBranchName', offset: 80, width: 15, kind: 'kana' },
  // 預金種目: 1 普通, 2 当座, 9 その他.
  { name: 'accountType', offset: 95, width: 1, kind: 'numeric', values: ['1', '2', '9'] },
  { name: 'accountNumber', offset: 96, width: 7, kind: 'numeric' },
  { name: 'dummy', offset: 103, width: 17, kind: 'filler' },
]);

type DataCommonName =
  | 'dataKind' | 'beneficiaryBankCode' | 'beneficiaryBankName' | 'beneficiaryBranchCode' | 'beneficiaryBranchName'
  | 'clearingHouseCode' | 'accountType' | 'accountNumber' | 'beneficiaryName' | 'amount' | 'newCode';

/** The first 91 bytes of a data record, the same for all three kinds. */
function dataFields<const Name extends string>(rest: FieldSpec<Name>[]) {
  return table<Name | DataCommonName>([
    { name: 'dataKind', offset: 0, width: 1, kind: 'numeric', values: [dataKinds.data] },
    { name: 'beneficiaryBankCode', offset: 1, width: 4, kind: 'numeric' },
    { name: 'beneficiaryBankName', offset: 5, width: 15, kind: 'kana' },
    { name: 'beneficiaryBranchCode', offset: 20, width: 3, kind: 'numeric' },
    { name: 'beneficiaryBranchName', offset: 23, width: 15, kind: 'kana' },
    { name: 'clearingHouseCode', offset: 38, width: 4, kind: 'numeric', blank: true },
    // 預金種目: 1 普通, 2 当座, 4 貯蓄, 9 その他.
    { name: 'accountType', offset: 42, width: 1, kind: 'numeric', values: ['1', '2', '4', '9'] },
    { name: 'accountNumber', offset: 43, width: 7, kind: 'numeric' },
    { name: 'beneficiaryName', offset: 50, width: 30, kind: 'kana', required: true },
    { name: 'amount', offset: 80, width: 10, kind: 'numeric' },
    // 新規コード: 0 その他, 1 第1回振込分, 2 変更分.
    { name: 'newCode', offset: 90, width: 1, kind: 'numeric', values: ['0', '1', '2'], blank: true },
    ...rest,
  ]);
}

/**
 * データ・レコード of 総合振込. 顧客コード1・2 hold EDI情報 (20 characters across both) when 識別表示 is
 * `Y`. 振込指定区分 is 7 (電信) or 8 (文書); programs also write 0 or a space for "not given", and
 * 識別表示 other than space and `Y` is written too (zengin4j writes `ｱ`), so both are read as given.
 */
export const transferDataFields = dataFields([
  { name: 'customerCode1', offset: 91, width: 10, kind: 'kana' },
  { name: 'customerCode2', offset: 101, width: 10, kind: 'kana' },
  { name: 'transferCategory', offset: 111, width: 1, kind: 'numeric', values: ['7', '8', '0'], blank: true },
  { name: 'identification', offset: 112, width: 1, kind: 'kana' },
  { name: 'dummy', offset: 113, width: 7, kind: 'filler' },
]);

/** データ・レコード of 給与振込 and 賞与振込: 社員番号 and 所属コード in place of the customer codes. */
export const salaryDataFields = dataFields([
  { name: 'employeeNumber', offset: 91, width: 10, kind: 'numeric', blank: true },
  { name: 'departmentCode', offset: 101, width: 10, kind: 'numeric', blank: true },
  { name: 'dummy', offset: 111, width: 9, kind: 'filler' },
]);

/** トレーラ・レコード: 合計件数 and 合計金額 of its batch. */
export const trailerFields = table([
  { name: 'dataKind', offset: 0, width: 1, kind: 'numeric', values: [dataKinds.trailer] },
  { name: 'recordCount', offset: 1, width: 6, kind: 'numeric' },
  { name: 'totalAmount', offset: 7, width: 12, kind: 'numeric' },
  { name: 'dummy', offset: 19, width: 101, kind: 'filler' },
]);

/** エンド・レコード. */
export const endFields = table([
  { name: 'dataKind', offset: 0, width: 1, kind: 'numeric', values: [dataKinds.end] },
  { name: 'dummy', offset: 1, width: 119, kind: 'filler' },
]);

/** The data record's table for a batch of this 種別コード (総合振込's when the code is unknown). */
export function dataFieldsFor(typeCode: string): FieldSpec[] {
  return typeCode === '11' || typeCode === '12' ? salaryDataFields : transferDataFields;
}

type NameOf<Fields> = Fields extends FieldSpec<infer Name>[] ? Name : never;

/** Every field name of every record, for messages and problems. */
export type ZenginFieldName =
  | NameOf<typeof headerFields>
  | NameOf<typeof transferDataFields>
  | NameOf<typeof salaryDataFields>
  | NameOf<typeof trailerFields>
  | NameOf<typeof endFields>;

/** Values of text fields without their padding; codes as the digits written. */
export interface ZenginHeader {
  typeCode: string;
  codeKind: string;
  originatorCode: string;
  originatorName: string;
  /** MMDD, as the record holds it (the year is the caller's to decide). */
  paymentDate: string;
  originBankCode: string;
  originBankName: string;
  originBranchCode: string;
  originBranchName: string;
  accountType: string;
  accountNumber: string;
}

interface ZenginDataCommon {
  beneficiaryBankCode: string;
  beneficiaryBankName: string;
  beneficiaryBranchCode: string;
  beneficiaryBranchName: string;
  /** '' when left blank. */
  clearingHouseCode: string;
  accountType: string;
  accountNumber: string;
  beneficiaryName: string;
  amount: bigint;
  newCode: string;
}

/** A record of 総合振込. */
export interface ZenginTransferRecord extends ZenginDataCommon {
  customerCode1: string;
  customerCode2: string;
  transferCategory: string;
  identification: string;
}

/** A record of 給与振込 or 賞与振込. */
export interface ZenginSalaryRecord extends ZenginDataCommon {
  employeeNumber: string;
  departmentCode: string;
}

export type ZenginDataRecord = ZenginTransferRecord | ZenginSalaryRecord;

export interface ZenginTrailer {
  recordCount: number;
  totalAmount: bigint;
}

/** One header…trailer pair. */
export interface ZenginBatch {
  header: ZenginHeader;
  records: ZenginDataRecord[];
  trailer: ZenginTrailer;
}

/** A whole file: its batches, then one end record. */
export interface ZenginFile {
  batches: ZenginBatch[];
}

/** The numeric values of a record as they may be read from a broken file: null when unreadable. */
export type AsRead<T> = { [K in keyof T]: T[K] extends bigint ? bigint | null : T[K] extends number ? number | null : T[K] };

export interface ZenginBatchAsRead {
  header: ZenginHeader;
  records: AsRead<ZenginDataRecord>[];
  /** null when the batch has no trailer. */
  trailer: AsRead<ZenginTrailer> | null;
}

/** Fields whose value is a number rather than text. */
export const amountFields: ReadonlySet<string> = new Set(['amount', 'totalAmount']);
export const countFields: ReadonlySet<string> = new Set(['recordCount']);
