import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../deps.ts';

/** Routes of the user-security area (administration issue). */
export function userSecurityRoutes(_app: FastifyInstance, _deps: Deps): void {}
