import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../deps.ts';

/** The payees pages. */
export function payeesRoutes(_app: FastifyInstance, _deps: Deps): void {}
