import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../deps.ts';
import { transferEntryRoutes } from './routes-entry.ts';
import { transferItemRoutes } from './routes-items.ts';

/**
 * R8.2, R8.5, R8.6: entering a transfer and confirming it (./routes-entry.ts); the list, the items
 * waiting for the person and one transfer with its steps (./routes-items.ts).
 */
export function transfersRoutes(app: FastifyInstance, deps: Deps): void {
  transferEntryRoutes(app, deps);
  transferItemRoutes(app, deps);
}
