import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Encoding from 'encoding-japanese';
import { isZenginKana, nonZenginCharacters, toZenginKana } from '../../src/domain/zengin-kana.ts';

/**
 * Names in Zengin files written by other programs (../shared/fixtures/zengin, read as they are):
 * every name a strict check accepts must pass our conversion unchanged, and the one character the
 * fixtures' README says a strict check must flag (ｰ in a devture payee name) is flagged.
 */
const fixturesDir = fileURLToPath(new URL('../../../shared/fixtures/zengin/', import.meta.url));
const recordFiles = readdirSync(fixturesDir).filter((name) => name.endsWith('.txt') && !name.endsWith('.expected.txt'));

/** Name fields by record type: header (1) originator, bank, branch; data (2) bank, branch, payee. */
const nameFields: Record<string, [start: number, length: number][]> = {
  '1': [[14, 40], [62, 15], [80, 15]],
  '2': [[5, 15], [23, 15], [50, 30]],
};

function namesOf(file: string): string[] {
  const text = Encoding.convert(readFileSync(fixturesDir + file), { to: 'UNICODE', from: 'SJIS', type: 'string' });
  // LF, CRLF or CR only between records, as the README lists; half-width kana are one byte each.
  return text
    .split(/\r\n|\r|\n/)
    .flatMap((record) => (nameFields[record[0] ?? ''] ?? []).map(([start, length]) => record.slice(start, start + length).trimEnd()))
    .filter((name) => name !== '');
}

test('the fixtures hold names to check (the reading of the files works)', () => {
  assert.ok(recordFiles.length >= 5, recordFiles.join(', '));
  const names = recordFiles.flatMap(namesOf);
  assert.ok(names.length >= 30, `${names.length} names`);
  assert.ok(names.includes('ｶ)ｾﾞﾝｷﾞﾝ'), 'the company abbreviation of devture-multi-transaction');
  assert.ok(names.includes('ﾐﾂﾋﾞｼﾄｳｷﾖｳUFJ'), 'Latin letters in a bank name');
});

for (const file of recordFiles) {
  test(`every valid name in ${file} passes the conversion unchanged`, () => {
    for (const name of namesOf(file).filter((n) => nonZenginCharacters(n).length === 0)) {
      assert.ok(isZenginKana(name, 40), name);
      assert.deepEqual(toZenginKana(name, 40), { ok: true, kana: name });
    }
  });
}

test('the devture payee name with ｰ (0xB0) is flagged by the strict check and converted to "-"', () => {
  for (const file of ['devture-single-transaction.txt', 'devture-multi-transaction.txt']) {
    const flagged = namesOf(file).filter((name) => nonZenginCharacters(name).length > 0);
    assert.deepEqual(flagged, ['ﾃｽﾄｰ.ｶﾌﾞｼｷｶﾞｲｼﾔ'], file);
    assert.deepEqual(nonZenginCharacters(flagged[0]!), ['ｰ']);
    assert.deepEqual(toZenginKana(flagged[0]!), { ok: true, kana: 'ﾃｽﾄ-.ｶﾌﾞｼｷｶﾞｲｼﾔ' });
  }
  const elsewhere = recordFiles.filter((f) => !f.startsWith('devture-') || f === 'devture-empty.txt').flatMap(namesOf);
  assert.deepEqual(elsewhere.filter((name) => nonZenginCharacters(name).length > 0), []);
});

test('the names of zengin4j’s golden decoding pass the conversion unchanged', () => {
  const expected = readFileSync(fixturesDir + 'zengin4j-sougou-furikomi.expected.txt', 'utf8');
  const names = [...expected.matchAll(/^\s+\w*Name\s+\[\d+\+\d+\] (.+)$/gm)].map((m) => m[1]!.trimEnd()).filter((n) => n !== '(empty)');
  assert.ok(names.length >= 5, `${names.length} names`);
  for (const name of names) assert.deepEqual(toZenginKana(name, 40), { ok: true, kana: name });
});
