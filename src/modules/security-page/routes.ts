import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../deps.ts';

/** Routes of the security-page area (administration issue). */
export function securityPageRoutes(_app: FastifyInstance, _deps: Deps): void {}
