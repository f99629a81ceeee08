import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../deps.ts';

/** Routes of the users area (administration issue). */
export function usersRoutes(_app: FastifyInstance, _deps: Deps): void {}
