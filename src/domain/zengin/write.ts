import {
  dataFieldsFor,
  dataKinds,
  endFields,
  headerFields,
  recordBytes,
  trailerFields,
  type FieldSpec,
  type ZenginBatch,
  type ZenginDataRecord,
  type ZenginFile,
  type ZenginHeader,
} from './fields.ts';
import { jisX0201Byte } from './jis-x0201.ts';
import { eofMarkByte, separatorBytes, type ZenginLayout } from './layout.ts';

export interface ZenginWriteOptions extends Partial<ZenginLayout> {}

/** A value the record format cannot hold (too long, not a JIS X 0201 character, not digits). */
export class ZenginWriteError extends Error {}

const space = 0x20;

function encodeField(spec: FieldSpec, value: unknown, where: string): number[] {
  const fail = (why: string): never => {
    throw new ZenginWriteError(`${where} ${spec.name}: ${why}`);
  };
  if (spec.kind === 'filler') return new Array<number>(spec.width).fill(space);
  if (spec.name === 'dataKind') return [...String(value)].map((c) => c.charCodeAt(0));
  let text: string;
  if (spec.kind === 'numeric' || spec.kind === 'date') {
    const raw = typeof value === 'bigint' || typeof value === 'number' ? value.toString() : value;
    if (typeof raw !== 'string') return fail('missing');
    if (raw === '' && spec.blank) return new Array<number>(spec.width).fill(space);
    if (!/^\d+$/.test(raw)) return fail(`"${raw}" is not digits`);
    if (raw.length > spec.width) return fail(`"${raw}" is longer than ${spec.width} digits`);
    // Numbers are right-aligned with zeros, as the format has them.
    text = raw.padStart(spec.width, '0');
  } else {
    if (typeof value !== 'string') return fail('missing');
    text = value;
  }
  const bytes: number[] = [];
  for (const char of text) {
    const byte = jisX0201Byte(char);
    if (byte === undefined) return fail(`"${char}" has no single-byte Shift_JIS form`);
    bytes.push(byte);
  }
  if (bytes.length > spec.width) fail(`"${text}" is longer than ${spec.width} characters`);
  while (bytes.length < spec.width) bytes.push(space);
  return bytes;
}

function encodeRecord(table: FieldSpec[], values: Record<string, unknown>, where: string): number[] {
  const out = table.flatMap((spec) => encodeField(spec, values[spec.name], where));
  if (out.length !== recordBytes) throw new ZenginWriteError(`${where}: ${out.length} bytes`);
  return out;
}

/** A batch of these records, with its trailer counted and summed. */
export function zenginBatch(header: ZenginHeader, records: ZenginDataRecord[]): ZenginBatch {
  return { header, records, trailer: { recordCount: records.length, totalAmount: records.reduce((sum, r) => sum + r.amount, 0n) } };
}

/**
 * R8.4: a Zengin file as bytes (Shift_JIS, JIS X 0201 only): each batch's header, records and
 * trailer, then the end record. CRLF after every record unless told otherwise. The trailer is
 * written as given (zenginBatch counts one); the values are the reader's to judge.
 */
export function writeZengin(file: ZenginFile, options: ZenginWriteOptions = {}): Uint8Array {
  const framing = options.framing ?? 'crlf';
  const finalSeparator = framing !== 'none' && (options.finalSeparator ?? true);
  if (framing === 'none' && options.trimmed) throw new ZenginWriteError('records without separators cannot be trimmed');
  const records: number[][] = [];
  file.batches.forEach((batch, index) => {
    const where = `batch ${index + 1}`;
    records.push(encodeRecord(headerFields, { ...batch.header, dataKind: dataKinds.header }, `${where} header`));
    const table = dataFieldsFor(batch.header.typeCode);
    batch.records.forEach((record, n) => records.push(encodeRecord(table, { ...record, dataKind: dataKinds.data }, `${where} record ${n + 1}`)));
    records.push(encodeRecord(trailerFields, { ...batch.trailer, dataKind: dataKinds.trailer }, `${where} trailer`));
  });
  records.push(encodeRecord(endFields, { dataKind: dataKinds.end }, 'end'));

  const separator = separatorBytes[framing];
  const out: number[] = [];
  records.forEach((record, index) => {
    let end = record.length;
    if (options.trimmed) while (end > 1 && record[end - 1] === space) end--;
    for (let i = 0; i < end; i++) out.push(record[i]!);
    if (index < records.length - 1 || finalSeparator) out.push(...separator);
  });
  if (options.eofMark) out.push(eofMarkByte);
  return Uint8Array.from(out);
}
