import 'reflect-metadata';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import fc from 'fast-check';
import { readZengin } from '../../src/domain/zengin/read.ts';
import { writeZengin } from '../../src/domain/zengin/write.ts';
import { zenginReasons } from '../../src/domain/zengin/problems.ts';
import { readPskc } from '../../src/auth/pskc/read.ts';
import { PskcRefusal, pskcReasons } from '../../src/auth/pskc/refusal.ts';
import { verifyCertificateRequest } from '../../src/pki/x509.ts';
import { CsvSyntaxError, fromCsv, toCsv, type CsvField } from '../../src/audit/csv.ts';
import { auditRowsFromCsv, auditRowsFromJson, auditRowsToCsv, auditRowsToJson, ExportFormatError, type AuditExportRow } from '../../src/audit/export-format.ts';
import { catalogues } from '../../src/web/i18n/index.ts';
import { fixturesDir, validTransferFile } from '../zengin/support.ts';
import { makeCertificateRequest } from '../certificates/csr.ts';
import { fuzzParameters, hostileText, invalidUtf8 } from '../helpers/fuzz.ts';

/**
 * The parsers of what customers, their software and the bank's vendors send, fed anything: Zengin
 * transfer files (R8.4), PSKC token files (R6.2), PKCS#10 certificate requests (R4.3), and the audit
 * trail's CSV and JSON exports (R9.1). Each answers with its own verdict — the problems it found,
 * its own refusal — and never with another exception, however the input is broken. `npm run fuzz`
 * runs each with many more cases (test/helpers/fuzz.ts).
 */

/** Bytes broken the ways files get broken: a byte changed, bytes cut out, put in, a part repeated, an end cut off. */
function mutated(seeds: readonly Uint8Array[]): fc.Arbitrary<Uint8Array> {
  const edit = fc.oneof(
    fc.record({ kind: fc.constant('set' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
    fc.record({ kind: fc.constant('cut' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 130 }) }),
    fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.oneof(fc.uint8Array({ minLength: 1, maxLength: 8 }), invalidUtf8.map((b) => new Uint8Array(b)), fc.constantFrom(...['\r\n', '\n', '\r', '\x1a', '\x00', ' '].map((s) => new Uint8Array(Buffer.from(s, 'latin1'))))) }),
    fc.record({ kind: fc.constant('repeat' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 242 }) }),
    fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  );
  return fc.tuple(fc.constantFrom(...seeds), fc.array(edit, { minLength: 1, maxLength: 4 })).map(([seed, edits]) => {
    let bytes = Buffer.from(seed);
    for (const e of edits) {
      const at = bytes.length === 0 ? 0 : e.at % (bytes.length + 1);
      if (e.kind === 'set' && bytes.length > 0) bytes[at % bytes.length] = e.byte;
      if (e.kind === 'cut') bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + e.length)]);
      if (e.kind === 'insert') bytes = Buffer.concat([bytes.subarray(0, at), e.bytes, bytes.subarray(at)]);
      if (e.kind === 'repeat') bytes = Buffer.concat([bytes.subarray(0, at + e.length), bytes.subarray(at)]);
      if (e.kind === 'truncate') bytes = bytes.subarray(0, at);
    }
    return new Uint8Array(bytes);
  });
}

const zenginSeeds = [
  ...readdirSync(fixturesDir).filter((name) => name.endsWith('.txt')).map((name) => new Uint8Array(readFileSync(fixturesDir + name))),
  writeZengin(validTransferFile(), { framing: 'crlf' }),
  writeZengin(validTransferFile(), { framing: 'none' }),
];

test('R8.4: the Zengin reader answers any bytes with its verdict and named problems, never an exception', () => {
  const bytes = fc.oneof(mutated(zenginSeeds), fc.uint8Array({ maxLength: 600 }), hostileText().map((text) => new Uint8Array(Buffer.from(text, 'utf8'))));
  fc.assert(
    fc.property(bytes, fc.boolean(), (input, strict) => {
      const result = readZengin(input, { strict, ownBank: { code: '0999', branchCodes: ['001'] } });
      assert.equal(result.valid, result.errors.length === 0, 'valid exactly when no error was found');
      assert.equal(result.file !== undefined, result.valid, 'the values of a valid file, and only of one');
      for (const problem of [...result.errors, ...result.warnings]) {
        assert.ok((zenginReasons as readonly string[]).includes(problem.reason), `a known reason: ${problem.reason}`);
        assert.ok(problem.record === null || (Number.isInteger(problem.record) && problem.record >= 1 && problem.record <= Math.max(result.recordCount, 1)), `a record of the file: ${problem.record}`);
        for (const language of ['ja', 'en'] as const) assert.ok(`zengin.reason.${problem.reason}` in catalogues[language], `${language} message for ${problem.reason}`);
      }
      // A file read as valid is written back to the same values (the writer's own property, checked on what the reader accepts).
      if (result.valid) assert.deepEqual(readZengin(writeZengin(result.file!, { framing: 'crlf' }), { strict, ownBank: { code: '0999', branchCodes: ['001'] } }).file, result.file);
    }),
    fuzzParameters(400),
  );
});

const pskcDir = new URL('../tokens/fixtures/pskc/', import.meta.url);
const pskcSeeds = readdirSync(pskcDir).filter((name) => name.endsWith('.pskcxml')).map((name) => readFileSync(new URL(name, pskcDir), 'utf8'));

/** XML broken the ways a vendor's or an attacker's file can be: markup cut or doubled, entities, nesting, namespaces. */
const pskcText = fc.oneof(
  mutated(pskcSeeds.map((text) => new Uint8Array(Buffer.from(text)))).map((bytes) => Buffer.from(bytes).toString('utf8')),
  fc.tuple(fc.constantFrom(...pskcSeeds), fc.nat(), fc.constantFrom(
    '<!DOCTYPE x [<!ENTITY a "aaaa">]>', '&a;', '&#0;', '&#xD800;', '&lt;&gt;&amp;', '<![CDATA[x]]>', '<?pi x?>', '<!-- c -->', '</pskc:Key>', '<pskc:Key>',
    '<x xmlns="urn:other">', ' Version="2.0"', ' xmlns:pskc="urn:ietf:params:xml:ns:keyprov:pskc"', '<pskc:Secret><pskc:PlainValue>!!!</pskc:PlainValue></pskc:Secret>',
    '<a>'.repeat(300), 'x'.repeat(5000), '\u0000', '\ufeff', '\ud800',
  )).map(([text, at, piece]) => text.slice(0, at % (text.length + 1)) + piece + text.slice(at % (text.length + 1))),
  hostileText(),
);

test('R6.2: the PSKC reader answers any text with tokens or its named refusal, never another exception', () => {
  const keys = fc.record({ transportKey: fc.option(fc.uint8Array({ minLength: 0, maxLength: 40 }).map((b) => Buffer.from(b)), { nil: undefined }), password: fc.option(fc.string({ maxLength: 20 }), { nil: undefined }) });
  fc.assert(
    fc.property(pskcText, keys, (text, given) => {
      try {
        const found = readPskc(text, given);
        assert.ok(Array.isArray(found));
      } catch (error) {
        assert.ok(error instanceof PskcRefusal, `a PSKC refusal, not ${(error as Error)?.constructor?.name}: ${(error as Error)?.message}`);
        assert.ok((pskcReasons as readonly string[]).includes(error.reason), error.reason);
      }
    }),
    fuzzParameters(300),
  );
});

test('R4.3: a certificate request that is not a well-formed, self-signed PKCS#10 is refused with its problem, never an exception', async () => {
  const { pem } = await makeCertificateRequest({ commonName: '12345678903-master01' });
  const der = Buffer.from(pem.replace(/-----[A-Z ]+-----|\s/g, ''), 'base64');
  const asPem = (bytes: Uint8Array, label = 'CERTIFICATE REQUEST') => `-----BEGIN ${label}-----\n${Buffer.from(bytes).toString('base64').replace(/(.{64})/g, '$1\n')}\n-----END ${label}-----\n`;
  const request = fc.oneof(
    // The DER changed, cut or lengthened, wrapped again as PEM: what the ASN.1 parser and the signature check see.
    mutated([new Uint8Array(der)]).map((bytes) => asPem(bytes)),
    mutated([new Uint8Array(der)]).map((bytes) => asPem(bytes, 'NEW CERTIFICATE REQUEST')),
    // The PEM text itself broken: labels, base64, line ends.
    mutated([new Uint8Array(Buffer.from(pem))]).map((bytes) => Buffer.from(bytes).toString('latin1')),
    fc.uint8Array({ maxLength: 300 }).map((bytes) => asPem(bytes)),
    hostileText(),
  );
  await fc.assert(
    fc.asyncProperty(request, async (text) => {
      const verdict = await verifyCertificateRequest(text);
      if (!verdict.ok) assert.ok(['malformed', 'signature', 'key_type'].includes(verdict.problem), verdict.problem);
      else assert.equal(typeof verdict.subjectCommonName, 'string');
    }),
    fuzzParameters(200),
  );
});

const csvField: fc.Arbitrary<CsvField> = fc.oneof(fc.constant(null), fc.constant(''), hostileText(), fc.constantFrom('=1+1', "'quoted", '"', 'a,b', 'a\r\nb', '+', '-', '@', '\t'));

test('R9.1: the CSV reader reads back exactly what the CSV writer wrote, whatever the text', () => {
  fc.assert(
    fc.property(fc.array(fc.array(csvField, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 5 }), (rows) => {
      assert.deepEqual(fromCsv(toCsv(rows)), rows);
    }),
    fuzzParameters(400),
  );
});

/** Two chained audit records as an export holds them (their hashes are not checked by the format's reader). */
function exportedRows(): AuditExportRow[] {
  const at = new Date('2026-04-01T00:00:00.000Z');
  const base = { chain: '12345678903', contractId: '12345678903', userRef: 7, actor: 'user:12345678903:master01', outcome: 'success', reason: null, ip: '203.0.113.10', userAgent: 'Mozilla/5.0', prevHash: 'a'.repeat(64), hash: 'b'.repeat(64), linkScheme: 2 as const, contentHash: 'c'.repeat(64) };
  return [
    { ...base, id: 1n, seq: 1n, at, action: 'logon.success', details: { method: 'grid' } },
    { ...base, id: 2n, seq: 2n, at: new Date(at.getTime() + 1000), action: 'transfer.register', details: { amountYen: '12345', note: '=HYPERLINK("x")' } },
  ];
}

test('R9.1: the audit export readers answer any CSV or JSON with records or their own format error, never another exception', () => {
  const csv = auditRowsToCsv(exportedRows());
  const json = JSON.stringify(auditRowsToJson(exportedRows()));
  const text = fc.oneof(
    mutated([new Uint8Array(Buffer.from(csv))]).map((bytes) => Buffer.from(bytes).toString('utf8')),
    fc.array(fc.array(csvField, { maxLength: 19 }), { maxLength: 3 }).map((rows) => toCsv(rows)),
    hostileText(),
  );
  const jsonValue = fc.oneof(
    mutated([new Uint8Array(Buffer.from(json))]).map((bytes) => Buffer.from(bytes).toString('utf8')),
    fc.jsonValue().map((value) => JSON.stringify(value)),
    fc.array(fc.dictionary(fc.constantFrom('id', 'chain', 'seq', 'at', 'atJst', 'contractId', 'userRef', 'actor', 'action', 'outcome', 'details', 'prevHash', 'hash', 'linkScheme', 'contentHash', '__proto__'), fc.jsonValue({ maxDepth: 2 })), { maxLength: 3 }).map((value) => JSON.stringify(value)),
  );
  const ownErrors = (error: unknown) => error instanceof ExportFormatError || error instanceof CsvSyntaxError;
  fc.assert(
    fc.property(text, (input) => {
      try {
        auditRowsFromCsv(input);
      } catch (error) {
        assert.ok(ownErrors(error), `a format error, not ${(error as Error)?.constructor?.name}: ${(error as Error)?.message}`);
      }
    }),
    fuzzParameters(300),
  );
  fc.assert(
    fc.property(jsonValue, (input) => {
      let value: unknown;
      try {
        value = JSON.parse(input);
      } catch {
        return; // not JSON: the command refuses it before this reader (src/audit/cli.ts)
      }
      try {
        auditRowsFromJson(value);
      } catch (error) {
        assert.ok(ownErrors(error), `a format error, not ${(error as Error)?.constructor?.name}: ${(error as Error)?.message}`);
      }
    }),
    fuzzParameters(300),
  );
});
