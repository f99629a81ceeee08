import type { FastifyHelmetOptions } from '@fastify/helmet';
import { daySeconds } from '../domain/tokyo-time.ts';

/**
 * The browser policy of the portal and of the operator console (R4.7): a strict CSP with no inline
 * script or style, HSTS, no framing, no referrer.
 */
const hstsMaxAgeSeconds = 2 * 365 * daySeconds;

export const securityHeaderOptions: FastifyHelmetOptions = {
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
