import assert from 'node:assert/strict';
import type { BulkRecord } from '../../db/schema-bulk.ts';
import { toCsv } from '../../audit/csv.ts';
import { readZengin } from '../../domain/zengin/read.ts';
import { writeZengin, zenginBatch } from '../../domain/zengin/write.ts';
import type { Translate } from '../../web/i18n/index.ts';
import type { MessageKey } from '../../web/i18n/index.ts';

/**
 * R8.4: a file's result to download. The CSV lists every record with what became of it (UTF-8 with a
 * byte order mark, so a spreadsheet reads the kana); the Zengin file holds the records that were
 * returned [振込不能], exactly as the company wrote them, under the header of their batch, so that
 * the company's software can read them back and pay them again once corrected.
 */
export function resultCsv(t: Translate, records: readonly BulkRecord[]): string {
  const head = ['recordNumber', 'bankCode', 'bankName', 'branchCode', 'branchName', 'accountType', 'accountNumber', 'name', 'amount', 'fee', 'result', 'reason'].map((name) =>
    t(`bulk.csv.${name}` as MessageKey),
  );
  const rows = records.map((r) => [
    String(r.record_number),
    r.bank_code,
    r.bank_name,
    r.branch_code,
    r.branch_name,
    r.account_type,
    r.account_number,
    r.name_kana,
    r.amount_yen.toString(),
    r.fee_yen.toString(),
    t(`bulk.record.${r.status}` as MessageKey),
    r.return_reason === null ? '' : t(`bulk.return.${r.return_reason}` as MessageKey),
  ]);
  return '\uFEFF' + toCsv([head, ...rows]);
}

/** The returned records as a Zengin file (CRLF), batch by batch as the original had them. */
export function returnedZengin(content: Uint8Array, returned: readonly BulkRecord[]): Uint8Array {
  const read = readZengin(content, { directory: null });
  assert.ok(read.valid && read.file, 'a stored file reads back as it was checked');
  const wanted = new Set(returned.map((r) => r.record_number));
  let next = 1;
  const batches = [];
  for (const batch of read.file.batches) {
    next++; // the header
    const kept = batch.records.filter(() => wanted.has(next++));
    next++; // the trailer
    if (kept.length > 0) batches.push(zenginBatch(batch.header, kept));
  }
  return writeZengin({ batches });
}
