import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Db } from '../../src/db/open.ts';
import type { Client } from './client.ts';
import { assertNoStackTrace } from './http-app.ts';
import { assertNothingChangedBut, databaseDigest } from './database-digest.ts';
import { codeOf, percentEncoded, withSegment, type FuzzReport } from './form-fuzz.ts';
import { brokenPercent, fuzzParameters, hostileText } from './fuzz.ts';

/** Query parameter names the pages read (and some they do not). */
const queryNames = ['done', 'again', 'key', 'ended', 'user', 'tested', 'template', 'stops', 'show', 'serial', 'saved', 'q', 'posted', 'paid', 'page', 'lang', 'kind', 'draft', 'contract', 'from', 'to', 'month', 'encoding', 'status', 'bankCode', 'branchCode', 'typed', 'lookup', 'id', '__proto__', 'constructor', 'a[b]'];

/**
 * A page (GET) asked with any query string, and for a path naming a subject any text in its place:
 * no 5xx, no stack trace, a refusal names its code, and asking changes nothing in the database.
 */
export async function fuzzPage(db: Db, client: Client, page: { route: string; path: string; headers?: Record<string, string> }, runs: number): Promise<FuzzReport> {
  const report: FuzzReport = { route: page.route, cases: 0, validated: 0, accepted: 0, codes: {} };
  const parameters = page.route.split('/').flatMap((part, index) => (part.startsWith(':') ? [index] : []));
  const pair = fc.tuple(fc.constantFrom(...queryNames), fc.oneof(hostileText().map(percentEncoded), brokenPercent, fc.constantFrom('', '1', '-1', '2026-02-30', '99999999999999999999')));
  const query = fc.array(pair, { minLength: 1, maxLength: 4 }).map((pairs) => pairs.map(([name, value]) => `${encodeURIComponent(name)}=${value}`).join('&'));
  const path = parameters.length === 0
    ? fc.constant(page.path)
    : fc.oneof(
        { weight: 3, arbitrary: fc.constant(page.path) },
        { weight: 1, arbitrary: fc.record({ segment: fc.constantFrom(...parameters), text: fc.oneof(hostileText().map(percentEncoded), brokenPercent) }).map(({ segment, text }) => withSegment(page.path, segment, text)) },
      );
  let digest = await databaseDigest(db);
  await fc.assert(
    fc.asyncProperty(path, query, async (at, asked) => {
      const url = `${at.split('?')[0]}?${asked}`;
      const label = `GET ${url}`;
      const headers: Record<string, string> = { ...page.headers, cookie: [...client.cookies].map(([name, value]) => `${name}=${value}`).join('; ') };
      const response = await client.app.inject({ method: 'GET', url, headers, remoteAddress: client.ip });
      report.cases++;
      assert.ok(response.statusCode < 500, `${label}: no 5xx (got ${response.statusCode}: ${codeOf(response) ?? response.body.slice(0, 200)})`);
      assertNoStackTrace(response);
      if (response.statusCode >= 300 && response.statusCode < 400) assert.match(String(response.headers.location ?? ''), /^\/(?![/\\])/, `${label}: a redirect stays on the site`);
      if (response.statusCode >= 400) {
        const code = codeOf(response);
        assert.ok(code, `${label}: the refusal names its error code (got ${response.statusCode}: ${response.body.slice(0, 300)})`);
        report.codes[code] = (report.codes[code] ?? 0) + 1;
      } else report.accepted++;
      const after = await databaseDigest(db);
      // What a page shows may be recorded (an export of the audit trail is, R9.1); nothing else changes.
      await assertNothingChangedBut(db, digest, after, label, 'any');
      digest = after;
    }),
    fuzzParameters(runs, { endOnFailure: true }),
  );
  if (process.env.FUZZ_REPORT) process.stdout.write(`${JSON.stringify(report)}\n`);
  return report;
}
