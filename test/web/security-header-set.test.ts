import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { appForFile } from '../helpers/http-app.ts';
import { startConsole } from '../operator/console-support.ts';

const t = appForFile();

/**
 * The browser policy every answer carries, header for header, as the portal has sent it since the
 * policy was set (R4.7; src/web/security-headers.ts): an answer that gains, loses or changes any
 * of these breaks the test, whichever way the headers are produced.
 */
const policyHeaders = {
  'content-security-policy':
    "default-src 'none';script-src 'self';style-src 'self';img-src 'self';form-action 'self';frame-ancestors 'none';base-uri 'none';connect-src 'self'",
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'origin-agent-cluster': '?1',
  'referrer-policy': 'no-referrer',
  'strict-transport-security': 'max-age=63072000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'x-dns-prefetch-control': 'off',
  'x-download-options': 'noopen',
  'x-frame-options': 'DENY',
  'x-permitted-cross-domain-policies': 'none',
  'x-xss-protection': '0',
};

/** Headers that describe the one answer (its body, its cookies, where it leads, its caching), not the policy. */
const answerHeaders = new Set([
  'content-type',
  'content-length',
  'content-language',
  'date',
  'connection',
  'keep-alive',
  'transfer-encoding',
  'set-cookie',
  'location',
  'cache-control',
  'retry-after',
  'etag',
  'last-modified',
  'accept-ranges',
  'vary',
]);

function policyOf(response: LightMyRequestResponse): Record<string, unknown> {
  return Object.fromEntries(Object.entries(response.headers).filter(([name]) => !answerHeaders.has(name)));
}

test('R4.7: every kind of answer of the portal and of the operator console carries exactly the same security headers', async () => {
  const form = { 'content-type': 'application/x-www-form-urlencoded' };
  const portal: [string, LightMyRequestResponse][] = [
    ['page', await t.app.inject({ method: 'GET', url: '/logon' })],
    ['redirect', await t.app.inject({ method: 'GET', url: '/' })],
    ['refused form', await t.app.inject({ method: 'POST', url: '/logon', headers: form, payload: 'contractId=1&userId=x&password=y' })],
    ['not found', await t.app.inject({ method: 'GET', url: '/no-such-page' })],
    ['oversized body', await t.app.inject({ method: 'POST', url: '/logon', headers: form, payload: 'password=' + 'a'.repeat(17 * 1024) })],
    ['malformed body', await t.app.inject({ method: 'POST', url: '/logon', headers: { 'content-type': 'application/json' }, payload: '{"contractId":' })],
    ['static asset', await t.app.inject({ method: 'GET', url: '/static/site.css' })],
  ];
  const console = await startConsole(t.db);
  after(() => console.app.close());
  const operator: [string, LightMyRequestResponse][] = [
    ['console page', await console.app.inject({ method: 'GET', url: '/operator/logon' })],
    ['console redirect', await console.app.inject({ method: 'GET', url: '/operator/contracts' })],
    ['console not found', await console.app.inject({ method: 'GET', url: '/operator/no-such-page' })],
  ];
  for (const [label, response] of [...portal, ...operator]) {
    assert.deepEqual(policyOf(response), policyHeaders, label);
  }
});
