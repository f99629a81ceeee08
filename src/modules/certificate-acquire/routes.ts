import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../deps.ts';

/** The certificate-acquire pages. */
export function certificateAcquireRoutes(_app: FastifyInstance, _deps: Deps): void {}
