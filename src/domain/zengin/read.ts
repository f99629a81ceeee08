import { nonZenginCharacters } from '../zengin-kana.ts';
import { zenginCodeDirectory, type BankCodeDirectory } from './directory.ts';
import { isBankCode, isBranchCode } from '../account-designation.ts';
import {
  dataFieldsFor,
  dataKinds,
  endFields,
  headerFields,
  recordBytes,
  trailerFields,
  type AsRead,
  type FieldSpec,
  type ZenginBatch,
  type ZenginBatchAsRead,
  type ZenginDataRecord,
  type ZenginFieldName,
  type ZenginFile,
  type ZenginHeader,
  type ZenginTrailer,
} from './fields.ts';
import { decodeField, piecesText } from './jis-x0201.ts';
import { eofMarkByte, type ZenginFraming, type ZenginLayout } from './layout.ts';
import { lenientReasons, type ZenginProblem, type ZenginProblemField, type ZenginReason } from './problems.ts';

export interface ZenginReadOptions {
  /**
   * The bank itself: a header must name it, and a record to it is checked against these branches
   * (the published bank data may not know the bank, decision 0012). Without it the header's bank is
   * not judged, and records to any bank are checked against the directory.
   */
  ownBank?: { code: string; branchCodes?: Iterable<string> };
  /** Where bank and branch codes are looked up: zengin-code unless given; null checks none. */
  directory?: BankCodeDirectory | null;
  /**
   * Strict (the default): half-width characters outside the Zengin set (small kana, ｰ, lower-case
   * letters) are errors. Otherwise they are warnings.
   */
  strict?: boolean;
}

export interface ZenginReadResult {
  /** No errors (warnings of a lenient check aside). */
  valid: boolean;
  /** The file's values, when it is valid: what writeZengin writes back byte for byte. */
  file: ZenginFile | undefined;
  /** Every batch as far as it could be read, valid or not. */
  batches: ZenginBatchAsRead[];
  /** Every problem found, in file order; problems of the whole file last. */
  errors: ZenginProblem[];
  warnings: ZenginProblem[];
  /** How the records were framed; null when the bytes were not read as records at all. */
  layout: ZenginLayout | null;
  /** Records (120-byte units, lines) in the file. */
  recordCount: number;
}

/** Control bytes beyond this many (or any NUL) make a file binary rather than text with a stray byte. */
const controlBytesMax = 8;

interface RawRecord {
  number: number;
  bytes: Uint8Array;
  length: number;
}

function isLineBreak(byte: number): boolean {
  return byte === 0x0d || byte === 0x0a;
}

function looksBinary(bytes: Uint8Array): boolean {
  let control = 0;
  for (const byte of bytes) {
    if (byte === 0x00) return true;
    if ((byte < 0x20 && !isLineBreak(byte) && byte !== eofMarkByte) || byte === 0x7f) control++;
  }
  return control > controlBytesMax;
}

/**
 * UTF-8 text is valid UTF-8 holding a byte sequence of three bytes or more (all Japanese is), or a
 * byte order mark. Shift_JIS half-width kana alone are rarely valid UTF-8, and never as such a sequence.
 */
function looksUtf8(bytes: Uint8Array): boolean {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return true;
  if (!bytes.some((byte) => byte >= 0xe0)) return false;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** The records of the file and how they were framed. */
function splitRecords(bytes: Uint8Array): { records: RawRecord[]; layout: Omit<ZenginLayout, 'eofMark' | 'trimmed'> } {
  const first = bytes.findIndex(isLineBreak);
  if (first < 0) {
    const records: RawRecord[] = [];
    for (let start = 0; start < bytes.length; start += recordBytes) {
      const piece = bytes.subarray(start, start + recordBytes);
      records.push({ number: records.length + 1, bytes: piece, length: piece.length });
    }
    return { records, layout: { framing: 'none', finalSeparator: false } };
  }
  const framing: ZenginFraming = bytes[first] === 0x0a ? 'lf' : bytes[first + 1] === 0x0a ? 'crlf' : 'cr';
  // Any line break ends a line, whichever the file started with.
  const lines: Uint8Array[] = [];
  let start = 0;
  for (let i = 0; i < bytes.length; i++) {
    if (!isLineBreak(bytes[i]!)) continue;
    lines.push(bytes.subarray(start, i));
    if (bytes[i] === 0x0d && bytes[i + 1] === 0x0a) i++;
    start = i + 1;
  }
  const finalSeparator = start === bytes.length;
  if (!finalSeparator) lines.push(bytes.subarray(start));
  // Blank lines at the very end are left over by some programs; they are no records.
  while (lines.length > 0 && lines.at(-1)!.length === 0) lines.pop();
  return {
    records: lines.map((line, index) => ({ number: index + 1, bytes: line, length: line.length })),
    layout: { framing, finalSeparator },
  };
}

/** A record as 120 bytes: a line whose trailing spaces were trimmed is padded back. */
function padded(record: RawRecord): Uint8Array {
  if (record.length >= recordBytes) return record.bytes.subarray(0, recordBytes);
  const out = new Uint8Array(recordBytes).fill(0x20);
  out.set(record.bytes);
  return out;
}

const smallKana = /[\uFF67-\uFF6F]/u;
const daysInMonth = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function isValidMonthDay(text: string): boolean {
  if (!/^\d{4}$/.test(text)) return false;
  const month = Number(text.slice(0, 2));
  const day = Number(text.slice(2));
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth[month - 1]!;
}

function hex(byte: number): string {
  return `0x${byte.toString(16).toUpperCase().padStart(2, '0')}`;
}

class Reading {
  readonly errors: ZenginProblem[] = [];
  readonly warnings: ZenginProblem[] = [];
  readonly strict: boolean;

  constructor(strict: boolean) {
    this.strict = strict;
  }

  report(record: number | null, field: ZenginProblemField, reason: ZenginReason, params?: Record<string, string>): void {
    const problem: ZenginProblem = params === undefined ? { record, field, reason } : { record, field, reason, params };
    (this.strict || !lenientReasons.has(reason) ? this.errors : this.warnings).push(problem);
  }

  /** The values of a record's fields (text without its padding, '' for a blank code), each field checked. */
  fields(table: FieldSpec[], bytes: Uint8Array, record: number): Map<string, string> {
    const values = new Map<string, string>();
    for (const spec of table) {
      const field = spec.name as ZenginFieldName;
      const pieces = decodeField(bytes.subarray(spec.offset, spec.offset + spec.width));
      const text = piecesText(pieces);
      values.set(spec.name, spec.kind === 'kana' ? text.trimEnd() : text.trim() === '' ? '' : text);
      const undefinedBytes = pieces.flatMap((piece) => (piece.kind === 'undefined' ? [hex(piece.byte)] : []));
      const doubles = pieces.flatMap((piece) => (piece.kind === 'double' ? [piece.char] : []));
      if (undefinedBytes.length > 0) this.report(record, field, 'undefined_byte', { bytes: undefinedBytes.join(' ') });
      if (doubles.length > 0) this.report(record, field, 'kanji', { characters: doubles.join('') });
      if (undefinedBytes.length > 0 || doubles.length > 0) continue;
      this.checkKind(spec, field, text, record);
    }
    return values;
  }

  private checkKind(spec: FieldSpec, field: ZenginFieldName, text: string, record: number): void {
    const blank = text.trim() === '';
    switch (spec.kind) {
      case 'filler':
        if (!blank) this.report(record, field, 'filler_not_blank', { value: text.trim() });
        return;
      case 'kana': {
        if (blank && spec.required) this.report(record, field, 'blank');
        const outside = nonZenginCharacters(text);
        const small = outside.filter((char) => smallKana.test(char));
        const other = outside.filter((char) => !smallKana.test(char));
        if (small.length > 0) this.report(record, field, 'small_kana', { characters: [...new Set(small)].join('') });
        if (other.length > 0) this.report(record, field, 'not_zengin_character', { characters: [...new Set(other)].join('') });
        return;
      }
      case 'date':
        if (blank && spec.blank) return;
        if (blank) this.report(record, field, 'blank');
        else if (!isValidMonthDay(text)) this.report(record, field, 'invalid_date', { value: text });
        return;
      case 'numeric':
        if (blank && spec.blank) return;
        if (blank) this.report(record, field, 'blank');
        else if (!/^\d+$/.test(text)) this.report(record, field, 'not_numeric', { value: text });
        else if (spec.values && !spec.values.includes(text)) {
          const reason = field === 'typeCode' ? 'unknown_type_code' : 'invalid_value';
          this.report(record, field, reason, { value: text, allowed: spec.values.join(', ') });
        }
    }
  }
}

function digits(value: string | undefined): boolean {
  return value !== undefined && /^\d+$/.test(value);
}

function text(values: Map<string, string>, name: string): string {
  return values.get(name) ?? '';
}

function headerOf(values: Map<string, string>): ZenginHeader {
  const names = [
    'typeCode', 'codeKind', 'originatorCode', 'originatorName', 'paymentDate', 'originBankCode',
    'originBankName', 'originBranchCode', 'originBranchName', 'accountType', 'accountNumber',
  ] as const;
  return Object.fromEntries(names.map((name) => [name, text(values, name)])) as unknown as ZenginHeader;
}

function dataOf(table: FieldSpec[], values: Map<string, string>): AsRead<ZenginDataRecord> {
  const record: Record<string, string | bigint | null> = {};
  for (const spec of table) {
    if (spec.kind === 'filler' || spec.name === 'dataKind') continue;
    const value = text(values, spec.name);
    record[spec.name] = spec.name === 'amount' ? (digits(value) ? BigInt(value) : null) : value;
  }
  return record as unknown as AsRead<ZenginDataRecord>;
}

function trailerOf(values: Map<string, string>): AsRead<ZenginTrailer> {
  const count = text(values, 'recordCount');
  const total = text(values, 'totalAmount');
  return { recordCount: digits(count) ? Number(count) : null, totalAmount: digits(total) ? BigInt(total) : null };
}

/**
 * R8.4: a Zengin file (総合振込, 給与振込, 賞与振込) as another program wrote it: every batch as far as
 * it can be read, and every problem at once rather than the first.
 */
export function readZengin(input: Uint8Array, options: ZenginReadOptions = {}): ZenginReadResult {
  const reading = new Reading(options.strict ?? true);
  const batches: ZenginBatchAsRead[] = [];
  const done = (layout: ZenginLayout | null, recordCount: number): ZenginReadResult => {
    const valid = reading.errors.length === 0;
    return {
      valid,
      file: valid ? { batches: batches as ZenginBatch[] } : undefined,
      batches,
      errors: reading.errors,
      warnings: reading.warnings,
      layout,
      recordCount,
    };
  };

  if (input.length === 0) {
    reading.report(null, 'file', 'empty_file');
    return done(null, 0);
  }
  const eofMark = input.at(-1) === eofMarkByte;
  const bytes = eofMark ? input.subarray(0, -1) : input;
  if (looksBinary(bytes)) {
    reading.report(null, 'file', 'binary_file');
    return done(null, 0);
  }
  if (looksUtf8(bytes)) {
    reading.report(null, 'file', 'utf8_text');
    return done(null, 0);
  }

  const split = splitRecords(bytes);
  let trimmed = false;
  const ownBranches = options.ownBank?.branchCodes === undefined ? undefined : new Set(options.ownBank.branchCodes);
  const directory = options.directory === undefined ? zenginCodeDirectory : options.directory;
  let state: 'start' | 'batch' | 'after_trailer' | 'after_end' = 'start';
  let current: ZenginBatchAsRead | undefined;

  /** R8.2's rule for a destination: the bank's own branches from the bank, any other from the directory. */
  const checkDestination = (record: number, bankCode: string, branchCode: string): void => {
    if (!isBankCode(bankCode)) return;
    if (options.ownBank !== undefined && bankCode === options.ownBank.code) {
      if (ownBranches !== undefined && isBranchCode(branchCode) && !ownBranches.has(branchCode)) {
        reading.report(record, 'beneficiaryBranchCode', 'unknown_branch', { bank: bankCode, branch: branchCode });
      }
      return;
    }
    if (directory === null) return;
    if (!directory.hasBank(bankCode)) reading.report(record, 'beneficiaryBankCode', 'unknown_bank', { bank: bankCode });
    else if (isBranchCode(branchCode) && !directory.hasBranch(bankCode, branchCode)) {
      reading.report(record, 'beneficiaryBranchCode', 'unknown_branch', { bank: bankCode, branch: branchCode });
    }
  };

  for (const raw of split.records) {
    const number = raw.number;
    if (state === 'after_end') {
      reading.report(number, 'record', 'after_end');
      continue;
    }
    if (raw.length !== recordBytes) {
      // A shorter line ending in a non-space had its trailing spaces trimmed; anything else is a
      // record of the wrong length, reported and then read as well as it can be (padded or cut),
      // so that the batch around it is still judged.
      const cut = split.layout.framing === 'none' || raw.length > recordBytes || raw.length === 0 || raw.bytes[raw.length - 1] === 0x20;
      if (cut) {
        reading.report(number, 'record', 'record_length', { length: String(raw.length) });
      } else {
        trimmed = true;
      }
    }
    if (raw.length === 0) continue;
    const record = padded(raw);
    const kind = String.fromCharCode(record[0]!);

    switch (kind) {
      case dataKinds.header: {
        if (state === 'batch') reading.report(number, 'record', 'no_trailer');
        const header = headerOf(reading.fields(headerFields, record, number));
        const firstType = batches[0]?.header.typeCode;
        if (firstType !== undefined && header.typeCode !== firstType) {
          reading.report(number, 'typeCode', 'mixed_type_code', { value: header.typeCode, first: firstType });
        }
        if (options.ownBank !== undefined && isBankCode(header.originBankCode)) {
          if (header.originBankCode !== options.ownBank.code) {
            reading.report(number, 'originBankCode', 'not_own_bank', { bank: header.originBankCode, own: options.ownBank.code });
          } else if (ownBranches !== undefined && isBranchCode(header.originBranchCode) && !ownBranches.has(header.originBranchCode)) {
            reading.report(number, 'originBranchCode', 'unknown_branch', { bank: header.originBankCode, branch: header.originBranchCode });
          }
        }
        current = { header, records: [], trailer: null };
        batches.push(current);
        state = 'batch';
        break;
      }
      case dataKinds.data: {
        if (state !== 'batch' || current === undefined) {
          reading.report(number, 'record', state === 'start' ? 'no_header' : 'after_trailer');
          break;
        }
        const table = dataFieldsFor(current.header.typeCode);
        const data = dataOf(table, reading.fields(table, record, number));
        if (data.amount === 0n) reading.report(number, 'amount', 'amount_zero');
        checkDestination(number, data.beneficiaryBankCode, data.beneficiaryBranchCode);
        current.records.push(data);
        break;
      }
      case dataKinds.trailer: {
        if (state !== 'batch' || current === undefined) {
          reading.report(number, 'record', state === 'start' ? 'no_header' : 'after_trailer');
          break;
        }
        const trailer = trailerOf(reading.fields(trailerFields, record, number));
        const count = current.records.length;
        if (trailer.recordCount !== null && trailer.recordCount !== count) {
          reading.report(number, 'recordCount', 'trailer_count', { value: String(trailer.recordCount), expected: String(count) });
        }
        const amounts = current.records.map((r) => r.amount);
        if (trailer.totalAmount !== null && amounts.every((a) => a !== null)) {
          const total = amounts.reduce<bigint>((sum, a) => sum + a!, 0n);
          if (trailer.totalAmount !== total) {
            reading.report(number, 'totalAmount', 'trailer_total', { value: trailer.totalAmount.toString(), expected: total.toString() });
          }
        }
        current.trailer = trailer;
        state = 'after_trailer';
        break;
      }
      case dataKinds.end:
        if (state === 'batch') reading.report(number, 'record', 'no_trailer');
        reading.fields(endFields, record, number);
        state = 'after_end';
        break;
      default:
        reading.report(number, 'dataKind', 'unknown_data_kind', { value: piecesText(decodeField(record.subarray(0, 1))) });
    }
  }

  if (state === 'batch') reading.report(null, 'file', 'no_trailer');
  if (batches.length === 0) reading.report(null, 'file', 'no_batch');
  if (state !== 'after_end') reading.report(null, 'file', 'no_end');
  return done({ ...split.layout, trimmed, eofMark }, split.records.length);
}
