import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../deps.ts';

/** The certificates pages. */
export function certificatesRoutes(_app: FastifyInstance, _deps: Deps): void {}
