import type { FastifyInstance } from 'fastify';
import { daySeconds } from '../domain/tokyo-time.ts';

/**
 * The browser policy of the portal and of the operator console (R4.7): a strict CSP with no inline
 * script or style, HSTS, no framing, no referrer — and the other headers helmet's defaults send,
 * which the portal has always sent (test/web/security-header-set.test.ts holds the full set).
 *
 * Written out once and set as they are on every answer: the policy is the same for every request,
 * so nothing about it is built per request (decision 0029).
 */
const hstsMaxAgeSeconds = 2 * 365 * daySeconds;

const contentSecurityPolicy: Record<string, string[]> = {
  'default-src': ["'none'"],
  'script-src': ["'self'"],
  'style-src': ["'self'"],
  'img-src': ["'self'"],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
  'base-uri': ["'none'"],
  'connect-src': ["'self'"],
};

export const securityHeaders: Readonly<Record<string, string>> = Object.freeze({
  'content-security-policy': Object.entries(contentSecurityPolicy)
    .map(([directive, sources]) => `${directive} ${sources.join(' ')}`)
    .join(';'),
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'origin-agent-cluster': '?1',
  'referrer-policy': 'no-referrer',
  'strict-transport-security': `max-age=${hstsMaxAgeSeconds}; includeSubDomains`,
  'x-content-type-options': 'nosniff',
  'x-dns-prefetch-control': 'off',
  'x-download-options': 'noopen',
  'x-frame-options': 'DENY',
  'x-permitted-cross-domain-policies': 'none',
  // '0': the browsers' old XSS auditor could itself be abused; the CSP above is the protection.
  'x-xss-protection': '0',
});

/**
 * Sets the policy on every answer of `app`, from the first hook on: registered before any other
 * hook, so that an answer sent by a later hook (the console's allow-list, an error) carries it too.
 */
export function sendSecurityHeaders(app: FastifyInstance): void {
  app.addHook('onRequest', (_request, reply, done) => {
    reply.headers(securityHeaders);
    done();
  });
}
