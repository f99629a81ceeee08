import type { FastifyHelmetOptions } from '@fastify/helmet';

/**
 * The browser policy of the console: the portal's, word for word (strict CSP with no inline script
 * or style, HSTS, no framing, no referrer). A test compares the headers of both listeners, so the
 * two cannot drift apart unnoticed.
 */
const hstsMaxAgeSeconds = 2 * 365 * 86_400;

export const consoleHelmetOptions: FastifyHelmetOptions = {
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      defaultSrc: ["'none'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
      baseUri: ["'none'"],
      connectSrc: ["'self'"],
    },
  },
  strictTransportSecurity: { maxAge: hstsMaxAgeSeconds, includeSubDomains: true },
  referrerPolicy: { policy: 'no-referrer' },
  frameguard: { action: 'deny' },
  crossOriginEmbedderPolicy: false,
};
