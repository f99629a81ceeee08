import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { Db } from '../../src/db/open.ts';
import type { Client } from './client.ts';
import { assertNoStackTrace } from './http-app.ts';
import { assertNothingChangedBut, databaseDigest } from './database-digest.ts';
import {
  brokenPercent,
  contentTypeVariant,
  formFieldValue,
  fuzzParameters,
  fuzzRuns,
  hostileText,
  invalidUtf8,
  jsonFieldValue,
  secretFieldValue,
  strangeFieldName,
  type SentField,
} from './fuzz.ts';

/**
 * Fuzzing a form through the application (Fastify's `inject`): the form's page is read as a
 * browser reads it (its CSRF token and hidden values), the values a person types are added, and
 * each case breaks the submission in one way — fields, types, the CSRF token, the encoding, the
 * content type, the size. Every answer must be a page (or the JSON error) with an error code and no
 * stack trace, never a 5xx; and a refusal changes nothing in the database but the audit trail's
 * record of it.
 */

export type Fields = Record<string, string | string[]>;

export interface FormTarget {
  /** The route as registered (`/transfers/:id/approve`), which the coverage check compares. */
  route: string;
  /** The person's browser, logged on at the stage the form needs (or anonymous). */
  client: Client;
  /** Headers every request carries besides the cookies (a proxy's client certificate header). */
  headers?: Record<string, string>;
  /** The page that shows the form. */
  page: string;
  /** The form's action on that page; by default the route itself. */
  action?: string;
  /**
   * When the page does not show this form at the person's step (a step form posted out of turn):
   * the form of the page whose values and CSRF token are sent to `action` instead.
   */
  formOf?: string;
  /** What a person types into the form, added to the page's own values. */
  typed?: Fields | (() => Fields);
  /** Fields whose well-formed wrong value is counted against the person: only the right value or a malformed one is sent. */
  secrets?: readonly string[];
  /** The form whose page a refusal shows, when it is not this one (a step page showing its current step). */
  shows?: string;
  /**
   * Fields that name the form's subject (a sealed draft): when one is broken there is nothing to show
   * the form for, and the page says so with its code instead.
   */
  subject?: readonly string[];
  /** The form posts a file (multipart/form-data). */
  upload?: { field: string; filename: string; content: () => Buffer };
  /** The answer is JSON (`{code, message}`), not a page. */
  json?: boolean;
  /** The form answers with a redirect whatever happens (the log-off): where it leads when it did its work. */
  redirects?: { done: string };
  /** After a case was accepted: put back what the form needs to be sent again (a new session, a new draft). */
  accepted?: (sent: Record<string, unknown>) => Promise<void> | void;
}

/** A case: one way of breaking the submission. */
type FormCase =
  | { kind: 'fields'; changes: [string, SentField][]; strange?: [string, string] }
  | { kind: 'json'; changes: [string, unknown][]; csrf: 'right' | 'missing' | 'number' }
  | { kind: 'csrf'; csrf: 'missing' | 'empty' | 'wrong' | 'twice' | 'other-and-right' | 'array-json' }
  | { kind: 'bytes'; field: string; bytes: Buffer; percent: boolean }
  | { kind: 'percent'; field: string; text: string }
  | { kind: 'content-type'; contentType: string | undefined }
  | { kind: 'oversized'; bytes: number }
  | { kind: 'truncated-json' }
  | { kind: 'path'; segment: number; text: string };

interface PageForm {
  action: string;
  fields: Fields;
}

/** The forms of a page, with the values a browser would send untouched: hidden and prefilled inputs, selected options, checked boxes. */
export function formsOf(page: string): PageForm[] {
  const forms: PageForm[] = [];
  for (const match of page.matchAll(/<form\b[^>]*\bmethod="post"[^>]*\baction="([^"]*)"[^>]*>([\s\S]*?)<\/form>/g)) {
    const fields: Fields = {};
    const add = (name: string, value: string) => {
      const before = fields[name];
      fields[name] = before === undefined ? value : [...(Array.isArray(before) ? before : [before]), value];
    };
    const body = match[2]!;
    for (const input of body.matchAll(/<input\b([^>]*)>/g)) {
      const attributes = input[1]!;
      const name = attribute(attributes, 'name');
      if (name === undefined) continue;
      const type = attribute(attributes, 'type') ?? 'text';
      if ((type === 'checkbox' || type === 'radio') && !/\schecked\b/.test(attributes)) continue;
      if (type === 'file' || type === 'submit') continue;
      add(name, attribute(attributes, 'value') ?? (type === 'checkbox' ? 'on' : ''));
    }
    for (const select of body.matchAll(/<select\b([^>]*)>([\s\S]*?)<\/select>/g)) {
      const name = attribute(select[1]!, 'name');
      if (name === undefined) continue;
      const options = [...select[2]!.matchAll(/<option\b([^>]*)>/g)].map((o) => o[1]!);
      const chosen = options.find((o) => /\sselected\b/.test(o)) ?? options[0];
      if (chosen !== undefined) add(name, attribute(chosen, 'value') ?? '');
    }
    for (const area of body.matchAll(/<textarea\b([^>]*)>([\s\S]*?)<\/textarea>/g)) {
      const name = attribute(area[1]!, 'name');
      if (name !== undefined) add(name, unescapeHtml(area[2]!));
    }
    for (const button of body.matchAll(/<button\b([^>]*)>/g)) {
      // The first named submit button is the one a person presses.
      const name = attribute(button[1]!, 'name');
      if (name !== undefined && fields[name] === undefined) add(name, attribute(button[1]!, 'value') ?? '');
    }
    forms.push({ action: unescapeHtml(match[1]!), fields });
  }
  return forms;
}

function attribute(attributes: string, name: string): string | undefined {
  const found = new RegExp(`(?:^|\\s)${name}="([^"]*)"`).exec(attributes);
  return found ? unescapeHtml(found[1]!) : undefined;
}

function unescapeHtml(text: string): string {
  return text.replace(/&(?:amp|lt|gt|quot|#39|#x27);/g, (entity) => ({ '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'", '&#x27;': "'" })[entity]!);
}

/** The URL-encoded body of fields as a browser writes it; a list is the name repeated. */
function urlEncoded(fields: Record<string, SentField>): string {
  const body = new URLSearchParams();
  for (const [name, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) body.append(name, v);
  }
  return body.toString();
}

function multipart(fields: Record<string, SentField>, file: { field: string; filename: string; content: Buffer } | undefined, boundary: string): Buffer {
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) {
      parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name.replace(/"/g, '%22')}"\r\n\r\n${v}\r\n`));
    }
  }
  if (file) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${file.field}"; filename="${file.filename.replace(/"/g, '%22')}"\r\nContent-Type: application/octet-stream\r\n\r\n`));
    parts.push(file.content, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(parts);
}

/** The cases of a form, built on the fields its page shows. */
function caseArbitrary(fields: Fields, target: FormTarget): fc.Arbitrary<FormCase> {
  const names = Object.keys(fields).filter((name) => name !== '_csrf');
  const secrets = new Set(target.secrets ?? []);
  const valueOf = (name: string) => {
    const value = fields[name];
    return Array.isArray(value) ? value[0] : value;
  };
  const change = (name: string): fc.Arbitrary<[string, SentField]> =>
    (secrets.has(name) ? secretFieldValue(valueOf(name) ?? '') : formFieldValue(valueOf(name))).map((value) => [name, value] as [string, SentField]);
  const someFields = names.length === 0
    ? fc.constant([] as [string, SentField][])
    : fc.uniqueArray(fc.constantFrom(...names), { minLength: 1, maxLength: Math.min(3, names.length) }).chain((chosen) => fc.tuple(...chosen.map(change)).map((pairs) => [...pairs]));
  // Secrets keep to the right value or a malformed one in every kind of case (see secretFieldValue).
  const openNames = names.filter((name) => !secrets.has(name));
  const anyField = fc.constantFrom(...(openNames.length > 0 ? openNames : ['_none']));
  const jsonChanges: fc.Arbitrary<[string, unknown][]> = openNames.length === 0
    ? fc.constant([])
    : fc.uniqueArray(fc.constantFrom(...openNames), { minLength: 1, maxLength: 2 }).chain((chosen) => fc.tuple(...chosen.map((n) => jsonFieldValue.map((v): [string, unknown] => [n, v]))).map((pairs) => [...pairs]));
  const cases: fc.WeightedArbitrary<FormCase>[] = [
    { weight: 8, arbitrary: fc.record({ changes: someFields, strange: fc.option(fc.tuple(strangeFieldName, hostileText()), { nil: undefined }) }).map((c): FormCase => ({ kind: 'fields', ...c })) },
    { weight: 2, arbitrary: fc.record({ changes: jsonChanges, csrf: fc.constantFrom<'right' | 'missing' | 'number'>('right', 'right', 'missing', 'number') }).map((c): FormCase => ({ kind: 'json', ...c })) },
    { weight: 2, arbitrary: fc.constantFrom('missing', 'empty', 'wrong', 'twice', 'other-and-right', 'array-json').map((csrf): FormCase => ({ kind: 'csrf', csrf: csrf as 'missing' })) },
    { weight: 1, arbitrary: fc.record({ field: anyField, bytes: invalidUtf8, percent: fc.boolean() }).map((c): FormCase => ({ kind: 'bytes', ...c })) },
    { weight: 1, arbitrary: fc.record({ field: anyField, text: brokenPercent }).map((c): FormCase => ({ kind: 'percent', ...c })) },
    { weight: 1, arbitrary: contentTypeVariant.map((contentType): FormCase => ({ kind: 'content-type', contentType })) },
    { weight: 1, arbitrary: fc.constantFrom(17 * 1024, 600 * 1024).map((bytes): FormCase => ({ kind: 'oversized', bytes })) },
    { weight: 1, arbitrary: fc.constant<FormCase>({ kind: 'truncated-json' }) },
  ];
  // A path naming its subject (`/users/:userId/suspend`): the subject's segment replaced by any text.
  const parameters = target.route.split('/').flatMap((part, index) => (part.startsWith(':') ? [index] : []));
  if (parameters.length > 0) {
    const text = fc.oneof(hostileText().map(percentEncoded), brokenPercent, fc.constantFrom('0', '-1', '99999999999999999999', '1e3', '0x10', '%2e%2e', '..', '%2F', 'a'.repeat(300)));
    cases.push({ weight: 2, arbitrary: fc.record({ segment: fc.constantFrom(...parameters), text }).map((c): FormCase => ({ kind: 'path', ...c })) });
  }
  return fc.oneof(...cases);
}

interface Request {
  payload: string | Buffer;
  /** The values sent, as the form's reader will see them when the body parses. */
  values?: Record<string, unknown>;
  contentType: string | undefined;
  /** The body is one the form's parser reads (so the form itself answers, not the parser's refusal). */
  parses: boolean;
}

/** The request a case sends: the form's fields (as the page gives them, with what is typed) broken the case's way. */
function requestFor(target: FormTarget, fields: Fields, csrf: string, c: FormCase, otherCsrf: string): Request {
  const base: Record<string, SentField> = { ...fields, _csrf: csrf };
  const boundary = '----fuzz7MA4YWxkTrZu0gW';
  const file = target.upload ? { field: target.upload.field, filename: target.upload.filename, content: target.upload.content() } : undefined;
  const form = (values: Record<string, SentField>): Request =>
    target.upload
      ? { payload: multipart(values, file, boundary), contentType: `multipart/form-data; boundary=${boundary}`, parses: true }
      : target.json
        ? { payload: JSON.stringify(values), contentType: 'application/json', parses: true }
        : { payload: urlEncoded(values), contentType: 'application/x-www-form-urlencoded', parses: true };
  switch (c.kind) {
    case 'fields': {
      const values = { ...base };
      for (const [name, value] of c.changes) values[name] = value;
      if (c.strange) values[c.strange[0]] = c.strange[1];
      return { ...form(values), values };
    }
    case 'json': {
      const values: Record<string, unknown> = { ...base };
      for (const [name, value] of c.changes) values[name] = value;
      if (c.csrf === 'missing') delete values._csrf;
      if (c.csrf === 'number') values._csrf = 12345;
      const payload = JSON.stringify(values);
      // Fastify's JSON parser refuses prototype keys itself (a 400 page before the form reads anything).
      return { payload, contentType: 'application/json', parses: !target.upload && !/"(?:__proto__|constructor)":/.test(payload), values };
    }
    case 'csrf': {
      const values = { ...base };
      if (c.csrf === 'missing') delete values._csrf;
      if (c.csrf === 'empty') values._csrf = '';
      if (c.csrf === 'wrong') values._csrf = `${csrf.slice(0, -2)}AA`;
      if (c.csrf === 'twice') values._csrf = [csrf, csrf];
      if (c.csrf === 'other-and-right') values._csrf = [otherCsrf, csrf];
      if (c.csrf === 'array-json') return { payload: JSON.stringify({ ...fields, _csrf: [csrf] }), contentType: 'application/json', parses: !target.upload };
      return form(values);
    }
    case 'bytes':
    case 'percent': {
      if (target.upload || target.json) return form(base);
      const marker = 'FUZZMARKER';
      const text = urlEncoded({ ...base, [c.field]: marker });
      const [before, after] = text.split(marker) as [string, string];
      const middle = c.kind === 'percent' ? Buffer.from(c.text) : c.percent ? Buffer.from([...c.bytes].map((b) => `%${b.toString(16).padStart(2, '0').toUpperCase()}`).join('')) : c.bytes;
      return { payload: Buffer.concat([Buffer.from(before), middle, Buffer.from(after ?? '')]), contentType: 'application/x-www-form-urlencoded', parses: true };
    }
    case 'content-type': {
      const { payload } = form(base);
      return { payload, contentType: c.contentType, parses: false };
    }
    case 'oversized':
      // Over the form's body bound (an upload refuses the field over its own, smaller bound).
      return { ...form({ ...base, padding: 'a'.repeat(c.bytes) }), parses: false };
    case 'truncated-json':
      return { payload: JSON.stringify(base).slice(0, -3), contentType: 'application/json', parses: false };
    case 'path':
      return { ...form(base), parses: false };
  }
}

/** Every byte of the text's UTF-8 percent-encoded (a lone surrogate becomes U+FFFD's bytes, as a browser sends it). */
export function percentEncoded(text: string): string {
  return [...Buffer.from(text, 'utf8')].map((byte) => `%${byte.toString(16).padStart(2, '0').toUpperCase()}`).join('');
}

/** A path with one of its segments (a subject's id) replaced by other text. */
export function withSegment(path: string, segment: number, text: string): string {
  const parts = path.split('/');
  parts[segment] = text === '' ? '%20' : text;
  return parts.join('/');
}

/** The error code an answer shows: a page's data-code, or the JSON error's code. */
export function codeOf(response: LightMyRequestResponse): string | undefined {
  const type = String(response.headers['content-type'] ?? '');
  if (type.startsWith('application/json')) {
    try {
      const code = (JSON.parse(response.body) as { code?: unknown }).code;
      return typeof code === 'string' ? code : undefined;
    } catch {
      return undefined;
    }
  }
  return /data-code="([A-Z0-9_]+)"/.exec(response.body)?.[1];
}

export interface FuzzReport {
  route: string;
  cases: number;
  /** Cases answered by the form itself with a refusal (past the CSRF check and the body parser). */
  validated: number;
  accepted: number;
  codes: Record<string, number>;
}

/** Sends `runs` cases to a form and checks every answer (see the top of this file). */
export async function fuzzForm(db: Db, target: FormTarget, runs: number): Promise<FuzzReport> {
  const report: FuzzReport = { route: target.route, cases: 0, validated: 0, accepted: 0, codes: {} };
  // Read at every case: an accepted case may have moved the form to a new subject.
  const actionOf = () => target.action ?? target.route;
  let form = await readForm(target, actionOf());
  let digest = await databaseDigest(db);
  const otherCsrf = 'A'.repeat(43);

  await fc.assert(
    fc.asyncProperty(caseArbitrary(form.fields, target), async (c) => {
      const action = actionOf();
      const label = `${target.route} (${action}) case ${JSON.stringify(c).slice(0, 400)}`;
      const typed = typeof target.typed === 'function' ? target.typed() : (target.typed ?? {});
      const fields = { ...form.fields, ...typed };
      delete fields._csrf;
      const request = requestFor(target, fields, form.csrf, c, otherCsrf);
      const response = await send(target.client.app, target.client, c.kind === 'path' ? withSegment(action, c.segment, c.text) : action, request, target.headers);
      report.cases++;
      const after = await databaseDigest(db);
      assert.ok(response.statusCode < 500, `${label}: no 5xx (got ${response.statusCode}: ${codeOf(response) ?? response.body.slice(0, 200)})`);
      assertNoStackTrace(response);
      if (response.statusCode >= 300 && response.statusCode < 400) {
        const location = String(response.headers.location ?? '');
        assert.match(location, /^\/(?![/\\])/, `${label}: a redirect stays on the site`);
      }
      if (target.redirects && response.statusCode < 400) {
        assert.equal(response.statusCode, 303, `${label}: a redirect`);
        if (response.headers.location !== target.redirects.done) {
          await assertNothingChangedBut(db, digest, after, `${label}: a refused request (to ${response.headers.location})`);
          digest = after;
          return;
        }
      }
      if (response.statusCode < 400) {
        report.accepted++;
        target.client.remember(response);
        if (target.accepted) await target.accepted(request.values ?? fields);
        form = await readForm(target, actionOf());
        digest = await databaseDigest(db);
        return;
      }
      const code = codeOf(response);
      assert.ok(code, `${label}: the refusal names its error code (got ${response.statusCode}: ${response.body.slice(0, 300)})`);
      report.codes[code] = (report.codes[code] ?? 0) + 1;
      const type = String(response.headers['content-type'] ?? '');
      assert.ok(target.json ? type.startsWith('application/json') || type.startsWith('text/html') : type.startsWith('text/html'), `${label}: an HTML page${target.json ? ' or JSON' : ''} (got ${type})`);
      const broken = c.kind === 'fields' || c.kind === 'json' ? c.changes.map(([name]) => name) : c.kind === 'bytes' || c.kind === 'percent' ? [c.field] : [];
      const subjectBroken = broken.some((name) => target.subject?.includes(name));
      if (request.parses && !subjectBroken && !target.json && !target.redirects && code !== 'NOT_FOUND' && code !== 'BODY_TOO_LARGE') {
        const shows = target.shows ?? action;
        assert.ok(response.body.includes(`<form method="post" action="${escapeAttribute(shows)}"`), `${label}: the form's page is shown again (${code})`);
        report.validated += code === 'CSRF_INVALID' ? 0 : 1;
      }
      await assertNothingChangedBut(db, digest, after, `${label}: a refusal (${code})`);
      digest = after;
    }),
    fuzzParameters(runs, { endOnFailure: true }),
  );
  return report;
}

function escapeAttribute(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

async function readForm(target: FormTarget, action: string): Promise<{ fields: Fields; csrf: string }> {
  const page = await target.client.get(target.page);
  assert.equal(page.statusCode, 200, `${target.page}: the form's page opens (got ${page.statusCode} ${page.headers.location ?? ''})`);
  const shown = target.formOf ?? action;
  const form = formsOf(page.body).find((f) => f.action === shown);
  assert.ok(form, `${target.page}: a form posting to ${shown} (forms: ${formsOf(page.body).map((f) => f.action).join(', ')})`);
  const csrf = form.fields._csrf;
  assert.equal(typeof csrf, 'string', `${action}: the form carries its CSRF token`);
  return { fields: form.fields, csrf: csrf as string };
}

async function send(app: FastifyInstance, client: Client, url: string, request: Request, extra: Record<string, string> = {}): Promise<LightMyRequestResponse> {
  const headers: Record<string, string> = { ...extra, cookie: [...client.cookies].map(([name, value]) => `${name}=${value}`).join('; ') };
  if (request.contentType !== undefined) headers['content-type'] = request.contentType;
  return app.inject({ method: 'POST', url, headers, payload: request.payload, remoteAddress: client.ip });
}

/**
 * A form's fuzz, set up just before it runs: the person and session it needs are made then, so that
 * the clock moved by another form's cases (a resend cooldown, a token's time step) ends no session.
 */
export interface FormFuzz {
  route: string;
  setup(): Promise<FormTarget>;
}

/** Fuzzes each form in turn; the reports, for `FUZZ_REPORT=1` to print. */
export async function fuzzForms(db: Db, forms: readonly FormFuzz[], runs: number): Promise<FuzzReport[]> {
  const reports: FuzzReport[] = [];
  for (const form of forms) {
    const started = performance.now();
    const target = await form.setup();
    const setupMs = Math.round(performance.now() - started);
    assert.equal(target.route, form.route);
    const report = await fuzzForm(db, target, runs);
    assert.equal(report.cases, fuzzRuns(runs), `${form.route}: every case ran`);
    if (process.env.FUZZ_REPORT) process.stdout.write(`${JSON.stringify({ ...report, setupMs, fuzzMs: Math.round(performance.now() - started) - setupMs })}\n`);
    reports.push(report);
  }
  return reports;
}
