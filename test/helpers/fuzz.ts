import fc from 'fast-check';

/**
 * The generators every fuzz test shares: hostile text for any field, the shapes a browser (or
 * something pretending to be one) can give a field, and how many cases a property runs.
 *
 * `npm test` runs each property with its small default; `npm run fuzz` (scripts/fuzz.ts) sets
 * FUZZ_FACTOR to run the same properties many times longer, and FUZZ_SEED replays a failed run.
 */

/** The multiplier of every property's default number of cases (1 in `npm test`). */
export function fuzzFactor(): number {
  const factor = Number(process.env.FUZZ_FACTOR ?? '1');
  return Number.isFinite(factor) && factor >= 1 ? Math.floor(factor) : 1;
}

/** A property's number of cases: its default in `npm test`, times FUZZ_FACTOR under `npm run fuzz`. */
export function fuzzRuns(defaultRuns: number): number {
  return defaultRuns * fuzzFactor();
}

/** fast-check's parameters for a property: its runs, and FUZZ_SEED when a failed run is replayed. */
export function fuzzParameters<T>(defaultRuns: number, extra: fc.Parameters<T> = {}): fc.Parameters<T> {
  const seed = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);
  return { numRuns: fuzzRuns(defaultRuns), ...(seed === undefined ? {} : { seed }), ...extra };
}

/** Characters no field of a form holds: C0 and C1 controls, format characters, separators, non-characters. */
export const controlCharacter = fc.constantFrom(
  '\u0000', '\u0001', '\u0007', '\b', '\t', '\n', '\r', '\u000b', '\u000c', '\u001b', '\u007f',
  '\u0085', '\u009f', '\u00ad', '\u200b', '\u200e', '\u202e', '\u2028', '\u2029', '\u2066', '\ufeff', '\ufffe', '\uffff',
);

/**
 * Control and format characters (Unicode Cc, Cf), which no secret holds: the project refuses them in
 * a secret before it is evaluated or counted (src/web/form-input.ts). Separators and non-characters
 * are not among them: a secret holding one is simply wrong, and counted like any wrong one.
 */
export const controlOrFormatCharacter = fc.constantFrom('\u0000', '\u0007', '\t', '\n', '\r', '\u001b', '\u007f', '\u0085', '\u00ad', '\u200b', '\u202e', '\ufeff');

/** Half of a surrogate pair alone: not text in any encoding, though JSON and JavaScript carry it. */
export const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => String.fromCharCode(code));

/** Text that has broken parsers and queries elsewhere: injections, numbers at the edges, dates that do not exist. */
export const trickyText = fc.constantFrom(
  "' OR '1'='1", "'; DROP TABLE users; --", '<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', '&lt;&amp;',
  '../../../../etc/passwd', '..\\..\\windows\\win.ini', 'C:\\con', '%00', '%', '%%', '%E0%A4%A', '%C0%AF',
  '${7*7}', '{{7*7}}', '#{7*7}', '__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty',
  'NaN', 'Infinity', '-Infinity', '-0', '0', '-1', '1e309', '1e-7', '0x1F', '0b101', '0o17', '1_000', '1,000', '1.5', '.5',
  '9007199254740993', '99999999999999999999', '-9223372036854775809', '9223372036854775808',
  '１２３４', 'ｱｲｳｴｵ', 'ｶﾞｷﾞ', 'ア', '山田商事', '髙橋', '𠮷野家', '😀', '👨‍👩‍👧', 'e\u0301', 'Ω', 'ǅ', 'ß', 'İ',
  '\\', '"', "'", '`', ',', ';', '|', '&', '=', '+', '#', '?', '/', ' ', '　', '\u00a0', '',
  '2026-02-30', '2026-13-01', '0000-00-00', '9999-12-31', '2026-4-1', '2026/04/01', '20260401', '12:60', '24:00', '-00:01',
  'null', 'undefined', 'true', 'false', '[]', '{}', '[object Object]',
  'a@b', '@example.jp', 'a@b@c.jp', 'x'.repeat(65) + '@example.jp', 'user@[127.0.0.1]', 'user@xn--', '"a b"@example.jp',
);

/** Long values: over every field's bound, some near the body limit (16 kB forms). */
export const longText = fc
  .tuple(fc.constantFrom('a', '1', 'ｱ', '山', '😀', 'a1', '\u0000'), fc.constantFrom(33, 129, 257, 1025, 4097, 7000))
  .map(([unit, count]) => unit.repeat(count));

/** The valid value broken a little: a character in it replaced, one added, doubled, spaced, made full-width. */
export function nearValid(valid: string): fc.Arbitrary<string> {
  const at = fc.nat({ max: Math.max(valid.length, 1) });
  const character = fc.oneof(controlCharacter, loneSurrogate, fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }), fc.constantFrom('-', ' ', '０', 'A', 'ｱ', '.', '0'));
  return fc.oneof(
    fc.tuple(at, character).map(([i, c]) => valid.slice(0, i) + c + valid.slice(i + 1)),
    fc.tuple(at, character).map(([i, c]) => valid.slice(0, i) + c + valid.slice(i)),
    fc.constant(valid + valid),
    fc.constant(` ${valid} `),
    fc.constant(valid.slice(0, -1)),
    fc.constant(valid.toUpperCase()),
    fc.constant(valid.replace(/[!-~]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0))),
    fc.constant(`-${valid}`),
  );
}

/** Any text a field may be sent: random code points, graphemes, the tricky list, long values, near-valid ones. */
export function hostileText(valid?: string): fc.Arbitrary<string> {
  const choices = [
    { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 24 }) },
    { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 24 }) },
    { weight: 1, arbitrary: fc.string({ unit: fc.oneof(controlCharacter, loneSurrogate, fc.constantFrom('a', '1')), maxLength: 8 }) },
    { weight: 3, arbitrary: trickyText },
    { weight: 1, arbitrary: longText },
  ];
  if (valid !== undefined && valid !== '') choices.push({ weight: 4, arbitrary: nearValid(valid) });
  return fc.oneof(...choices);
}

/** What a form field can be sent as in a URL-encoded body: one value, the name repeated, or nothing. */
export type SentField = string | string[] | undefined;

export function formFieldValue(valid?: string): fc.Arbitrary<SentField> {
  return fc.oneof(
    { weight: 6, arbitrary: hostileText(valid) },
    { weight: 1, arbitrary: fc.array(hostileText(valid), { minLength: 2, maxLength: 3 }) },
    { weight: 1, arbitrary: fc.constant<SentField>(valid === undefined ? ['a', 'b'] : [valid, valid]) },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );
}

/**
 * A secret's field (a password, a grid answer, a one-time code): the right value, or one no reader
 * takes as a secret at all. A well-formed wrong secret is counted against the person (R2.3), which
 * the lockout tests cover; here it would stop the person after seven cases.
 */
export function secretFieldValue(right: string): fc.Arbitrary<SentField> {
  return fc.oneof(
    { weight: 2, arbitrary: fc.constant(right) },
    { weight: 2, arbitrary: fc.tuple(controlOrFormatCharacter, fc.boolean()).map(([c, front]) => (front ? c + right : right + c)) },
    { weight: 1, arbitrary: fc.constant('') },
    { weight: 1, arbitrary: fc.constant(right + 'a'.repeat(200)) },
    { weight: 1, arbitrary: fc.constant<SentField>([right, right]) },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );
}

/** A JSON value where a form expects text: numbers, booleans, null, objects (with prototype keys), lists. */
export const jsonFieldValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string({ maxLength: 8 }), { maxLength: 3 }),
  fc.dictionary(fc.constantFrom('toString', 'valueOf', 'length', 'a', '0'), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 2 }),
  fc.jsonValue({ maxDepth: 3 }),
  fc.string({ unit: 'binary', maxLength: 12 }),
);

/** Field names nobody's form has, some of which name what an object inherits. */
export const strangeFieldName = fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'a[b]', 'a.b', '', ' ', '\u0000', '_csrf[]', 'x'.repeat(300));

/** Bytes that are not UTF-8: lone continuation bytes, overlong forms, surrogates, truncated sequences, NUL. */
export const invalidUtf8 = fc.constantFrom(
  Buffer.from([0xff]), Buffer.from([0xfe, 0xff]), Buffer.from([0x80]), Buffer.from([0xc0, 0xaf]), Buffer.from([0xe0, 0x80, 0xaf]),
  Buffer.from([0xed, 0xa0, 0x80]), Buffer.from([0xf4, 0x90, 0x80, 0x80]), Buffer.from([0xe3, 0x81]), Buffer.from([0x00]),
  Buffer.from([0x82, 0xa0]) /* Shift_JIS あ */, Buffer.from([0xa4, 0xa2]) /* EUC-JP あ */,
);

/** Percent-encodings a URL-decoder may choke on. */
export const brokenPercent = fc.constantFrom('%', '%G0', '%E0%A4%A', '%C0%AF', '%FF', '%ED%A0%80', '%00', '%u3042', '%%41', '%2', '+%2B+');

/** Content types a browser, a script or an attacker may declare for a form's body. */
export const contentTypeVariant = fc.constantFrom(
  undefined,
  '',
  'text/plain',
  'text/html',
  'application/xml',
  'application/octet-stream',
  'application/x-www-form-urlencoded; charset=shift_jis',
  'application/x-www-form-urlencoded; charset=utf-16le',
  'APPLICATION/X-WWW-FORM-URLENCODED',
  'application/x-www-form-urlencoded, application/json',
  'application/json; charset=iso-8859-1',
  'application/json;',
  'multipart/form-data',
  'multipart/form-data; boundary=',
  'multipart/form-data; boundary=x',
  'application/x-www-form-urlencoded;;;',
  ';',
  'x/x/x',
);
