/**
 * CSV as RFC 4180 writes it (CRLF line ends, fields with a comma, quote or line break in double
 * quotes, quotes doubled), with two conventions an audit export needs to read back exactly:
 *
 * - null is an empty unquoted field and the empty string a quoted one (`""`), as PostgreSQL's
 *   COPY … CSV does, so "no user agent" and "an empty user agent" stay apart;
 * - a text that a spreadsheet would run as a formula (starting with = + - @, a tab or a carriage
 *   return) is written with a leading apostrophe (OWASP's advice on CSV injection: a user agent or
 *   a name in the trail is the customer's or an attacker's text). A text already starting with an
 *   apostrophe gets one more, so reading drops exactly one and gives the text back.
 */
export type CsvField = string | null;

const formulaStart = /^[=+\-@\t\r']/;
// A field starting with U+FEFF is quoted: unquoted at the start of the file, the reader would take it
// for the byte order mark and drop it.
const needsQuotes = /[",\r\n]|^\uFEFF/;

function writeField(field: CsvField): string {
  if (field === null) return '';
  if (field === '') return '""';
  const text = formulaStart.test(field) ? `'${field}` : field;
  return needsQuotes.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function toCsv(rows: readonly (readonly CsvField[])[]): string {
  return rows.map((row) => row.map(writeField).join(',') + '\r\n').join('');
}

export class CsvSyntaxError extends Error {}

/** Reads what toCsv writes; also accepts LF line ends and a leading byte order mark. */
export function fromCsv(text: string): CsvField[][] {
  const rows: CsvField[][] = [];
  let row: CsvField[] = [];
  let line = 1;
  let i = text.startsWith('\uFEFF') ? 1 : 0;
  const unprefixed = (field: string) => (field.startsWith("'") ? field.slice(1) : field);
  if (i >= text.length) return rows;
  for (;;) {
    let field: CsvField;
    if (text[i] === '"') {
      let value = '';
      i++;
      for (;;) {
        const quote = text.indexOf('"', i);
        if (quote < 0) throw new CsvSyntaxError(`line ${line}: a quoted field is not closed`);
        value += text.slice(i, quote);
        for (const c of text.slice(i, quote)) if (c === '\n') line++;
        i = quote + 1;
        if (text[i] !== '"') break;
        value += '"';
        i++;
      }
      field = unprefixed(value);
      if (i < text.length && text[i] !== ',' && text[i] !== '\r' && text[i] !== '\n') {
        throw new CsvSyntaxError(`line ${line}: text after a closing quote`);
      }
    } else {
      let end = i;
      while (end < text.length && text[end] !== ',' && text[end] !== '\r' && text[end] !== '\n') end++;
      const raw = text.slice(i, end);
      if (raw.includes('"')) throw new CsvSyntaxError(`line ${line}: a quote inside an unquoted field`);
      field = raw === '' ? null : unprefixed(raw);
      i = end;
    }
    row.push(field);
    if (text[i] === ',') {
      i++;
      continue;
    }
    rows.push(row);
    row = [];
    if (text[i] === '\r') i++;
    if (text[i] === '\n') i++;
    line++;
    if (i >= text.length) return rows;
  }
}
