import { isoWithJstOffset } from '../domain/tokyo-time.ts';
import { canonicalJson, type ChainedContent, type LinkScheme } from './chain.ts';
import { CsvSyntaxError, fromCsv, toCsv, type CsvField } from './csv.ts';

/**
 * An exported audit record (R9.1) and its two file forms, CSV and JSON. Both carry every hashed
 * field exactly, with the record's number, the previous record's hash, its own hash, its link
 * scheme and content hash (./chain.ts), so a file can be checked by itself (verifyExportedRows)
 * and against the stored chain, and both read back into the same rows.
 *
 * Format version 2 (decision 0026) added the link scheme and the content hash: the CSV's last two
 * columns, the JSON's `linkScheme` and `contentHash`. A file of version 1, written before, has
 * neither, and its records read as scheme 1, which every record then was.
 */
/** A record as exported: the chained content (./chain.ts) with its row id and its own hashes. */
export interface AuditExportRow extends Omit<ChainedContent, 'details'> {
  id: bigint;
  hash: string;
  linkScheme: LinkScheme;
  contentHash: string | null;
  details: Record<string, unknown>;
}

export class ExportFormatError extends Error {}

/** The header of format version 1, read still; a file of it holds records of scheme 1 only. */
const auditCsvHeaderVersion1 = [
  'id',
  'chain',
  'seq',
  'at_utc',
  'at_jst',
  'contract_id',
  'user_ref',
  'actor',
  'action',
  'outcome',
  'reason',
  'ip',
  'user_agent',
  'details',
  'prev_hash',
  'hash',
] as const;

export const auditCsvHeader = [...auditCsvHeaderVersion1, 'link_scheme', 'content_hash'] as const;

/** A header row, then one row per record; times in ISO 8601, UTC and Japan time; details as canonical JSON. */
export function auditRowsToCsv(rows: readonly AuditExportRow[]): string {
  return toCsv([
    auditCsvHeader,
    ...rows.map((row) => [
      row.id.toString(),
      row.chain,
      row.seq.toString(),
      row.at.toISOString(),
      isoWithJstOffset(row.at),
      row.contractId,
      row.userRef === null ? null : String(row.userRef),
      row.actor,
      row.action,
      row.outcome,
      row.reason,
      row.ip,
      row.userAgent,
      canonicalJson(row.details),
      row.prevHash,
      row.hash,
      String(row.linkScheme),
      row.contentHash,
    ]),
  ]);
}

export function auditRowsFromCsv(text: string): AuditExportRow[] {
  let table: CsvField[][];
  try {
    table = fromCsv(text);
  } catch (error) {
    if (error instanceof CsvSyntaxError) throw new ExportFormatError(`not a CSV file: ${error.message}`);
    throw error;
  }
  const [header, ...records] = table;
  const columns = [auditCsvHeader, auditCsvHeaderVersion1].find((known) => header?.join(',') === known.join(','));
  if (!columns) throw new ExportFormatError(`the first row is not the audit export header (${auditCsvHeader.join(',')})`);
  return records.map((fields, index) => {
    const line = `row ${index + 1}`;
    if (fields.length !== columns.length) throw new ExportFormatError(`${line}: ${fields.length} fields, not ${columns.length}`);
    const field = Object.fromEntries(columns.map((name, i) => [name, fields[i] ?? null])) as Record<(typeof auditCsvHeaderVersion1)[number], CsvField> &
      Partial<Record<(typeof auditCsvHeader)[number], CsvField>>;
    const linkScheme = field.link_scheme === undefined ? {} : { linkScheme: field.link_scheme === null ? null : Number(field.link_scheme), contentHash: field.content_hash };
    const row = readRow(line, {
      id: field.id,
      chain: field.chain,
      seq: field.seq,
      at: field.at_utc,
      contractId: field.contract_id,
      userRef: field.user_ref === null ? null : Number(field.user_ref),
      actor: field.actor,
      action: field.action,
      outcome: field.outcome,
      reason: field.reason,
      ip: field.ip,
      userAgent: field.user_agent,
      details: parseJson(line, field.details),
      prevHash: field.prev_hash,
      hash: field.hash,
      ...linkScheme,
    });
    if (field.at_jst !== isoWithJstOffset(row.at)) throw new ExportFormatError(`${line}: at_jst is not the same moment as at_utc`);
    return row;
  });
}

/** The JSON form of a row: numbers that may exceed 2^53 as decimal text, times as ISO 8601. */
export interface AuditExportJson {
  id: string;
  chain: string;
  seq: string;
  at: string;
  atJst: string;
  contractId: string | null;
  userRef: number | null;
  actor: string;
  action: string;
  outcome: string;
  reason: string | null;
  ip: string | null;
  userAgent: string | null;
  details: Record<string, unknown>;
  prevHash: string;
  hash: string;
  linkScheme: LinkScheme;
  contentHash: string | null;
}

export function auditRowsToJson(rows: readonly AuditExportRow[]): AuditExportJson[] {
  return rows.map((row) => ({
    id: row.id.toString(),
    chain: row.chain,
    seq: row.seq.toString(),
    at: row.at.toISOString(),
    atJst: isoWithJstOffset(row.at),
    contractId: row.contractId,
    userRef: row.userRef,
    actor: row.actor,
    action: row.action,
    outcome: row.outcome,
    reason: row.reason,
    ip: row.ip,
    userAgent: row.userAgent,
    details: row.details,
    prevHash: row.prevHash,
    hash: row.hash,
    linkScheme: row.linkScheme,
    contentHash: row.contentHash,
  }));
}

export function auditRowsFromJson(value: unknown): AuditExportRow[] {
  if (!Array.isArray(value)) throw new ExportFormatError('not an audit export: a JSON array of records was expected');
  return value.map((item: unknown, index) => {
    const line = `record ${index + 1}`;
    if (item === null || typeof item !== 'object') throw new ExportFormatError(`${line}: not an object`);
    const row = readRow(line, item as Record<string, unknown>);
    if ((item as { atJst?: unknown }).atJst !== isoWithJstOffset(row.at)) throw new ExportFormatError(`${line}: atJst is not the same moment as at`);
    return row;
  });
}

function parseJson(line: string, text: CsvField): unknown {
  try {
    return JSON.parse(text ?? '');
  } catch {
    throw new ExportFormatError(`${line}: details is not JSON`);
  }
}

/** Checks each field's type and form; what the values say is for the hash to judge. */
function readRow(line: string, raw: Record<string, unknown>): AuditExportRow {
  const bad = (name: string, want: string) => new ExportFormatError(`${line}: ${name} must be ${want}`);
  const text = (name: string): string => {
    const value = raw[name];
    if (typeof value !== 'string') throw bad(name, 'text');
    return value;
  };
  const optionalText = (name: string): string | null => (raw[name] === null ? null : text(name));
  const whole = (name: string): bigint => {
    const value = text(name);
    if (!/^[0-9]{1,19}$/.test(value)) throw bad(name, 'a whole number');
    return BigInt(value);
  };
  const at = new Date(text('at'));
  if (Number.isNaN(at.getTime()) || at.toISOString() !== raw.at) throw bad('the time', 'ISO 8601 UTC with milliseconds (as exported)');
  const userRef = raw.userRef;
  if (userRef !== null && !Number.isSafeInteger(userRef)) throw bad('user_ref', 'a whole number or empty');
  const details = raw.details;
  if (details === null || typeof details !== 'object' || Array.isArray(details)) throw bad('details', 'a JSON object');
  // A record of format version 1 has neither field, and is of scheme 1.
  const version1 = !Object.hasOwn(raw, 'linkScheme');
  if (version1 && Object.hasOwn(raw, 'contentHash')) throw bad('contentHash', 'given with linkScheme');
  const linkScheme = version1 ? 1 : raw.linkScheme;
  if (linkScheme !== 1 && linkScheme !== 2) throw bad('link_scheme', '1 or 2');
  return {
    id: whole('id'),
    chain: text('chain'),
    seq: whole('seq'),
    prevHash: text('prevHash'),
    hash: text('hash'),
    linkScheme,
    contentHash: version1 ? null : optionalText('contentHash'),
    at,
    contractId: optionalText('contractId'),
    userRef: userRef as number | null,
    actor: text('actor'),
    action: text('action'),
    outcome: text('outcome'),
    reason: optionalText('reason'),
    ip: optionalText('ip'),
    userAgent: optionalText('userAgent'),
    details: details as Record<string, unknown>,
  };
}
