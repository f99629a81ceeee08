import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../deps.ts';

/** The accounts pages. */
export function accountsRoutes(_app: FastifyInstance, _deps: Deps): void {}
