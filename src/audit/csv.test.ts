import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CsvSyntaxError, fromCsv, toCsv } from './csv.ts';

test('fields with a comma, a quote or a line break are quoted with quotes doubled, lines end in CRLF (RFC 4180)', () => {
  assert.equal(toCsv([['a,b', 'say "hi"', 'two\nlines', 'cr\rlf', 'plain', '日本語,カンマ']]), '"a,b","say ""hi""","two\nlines","cr\rlf",plain,"日本語,カンマ"\r\n');
  assert.equal(toCsv([['x'], ['y']]), 'x\r\ny\r\n');
});

test('null and the empty string stay apart: an empty field and a quoted empty one', () => {
  const text = toCsv([[null, '', 'x']]);
  assert.equal(text, ',"",x\r\n');
  assert.deepEqual(fromCsv(text), [[null, '', 'x']]);
});

test('a text a spreadsheet would run as a formula is written behind an apostrophe, and read back as it was', () => {
  const risky = ['=HYPERLINK("http://evil.example")', '+1', '-2', '@SUM(A1)', '\tx', '\rx', "'quoted", "''"];
  const text = toCsv([risky]);
  for (const field of text.replace(/\r\n$/, '').split(/,(?=(?:[^"]*"[^"]*")*[^"]*$)/)) {
    assert.match(field, /^"?'/, `${field} starts with an apostrophe`);
  }
  assert.deepEqual(fromCsv(text), [risky]);
});

test('whatever the text, writing then reading gives it back', () => {
  const field = fc.oneof(fc.constant(null), fc.string({ unit: 'grapheme' }), fc.constantFrom('', ',', '"', '\r\n', "'", '=1', '山田, "太郎"\n'));
  fc.assert(
    fc.property(fc.array(fc.array(field, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 5 }), (rows) => {
      // A row of one null is an empty line, which CSV cannot tell from no field at all.
      fc.pre(rows.every((row) => !(row.length === 1 && row[0] === null)));
      assert.deepEqual(fromCsv(toCsv(rows)), rows);
    }),
  );
});

test('reading accepts LF line ends and a byte order mark, and refuses broken quoting', () => {
  assert.deepEqual(fromCsv('\uFEFFa,b\nc,"d\r\ne"\n'), [['a', 'b'], ['c', 'd\r\ne']]);
  assert.throws(() => fromCsv('a,"b\r\n'), CsvSyntaxError);
  assert.throws(() => fromCsv('a,"b"c\r\n'), CsvSyntaxError);
  assert.throws(() => fromCsv('a,b"c\r\n'), CsvSyntaxError);
});

test('a first field that starts with U+FEFF is read back with it, not taken for the byte order mark', () => {
  // Found by the parser fuzz (test/fuzz/parsers.property.test.ts): the reader dropped it.
  const rows = [['\uFEFFagent', 'x'], ['\uFEFF', null]];
  assert.deepEqual(fromCsv(toCsv(rows)), rows);
});
