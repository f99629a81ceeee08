import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../deps.ts';

/** The transfers pages. */
export function transfersRoutes(_app: FastifyInstance, _deps: Deps): void {}
