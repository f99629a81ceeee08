import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Deps } from '../deps.ts';
import { databaseReadinessProbe } from '../db/readiness.ts';

/**
 * What a load balancer asks each listener (docs/operations.md, "Health checks"): whether the process
 * serves at all (liveness: no database, so a database outage never gets processes restarted), and
 * whether to send it requests (readiness). Neither reads a cookie, a session or a form, so neither
 * needs a CSRF token, and neither counts towards the logon rate limit (R2.4), which only the logon
 * counts. The answers say no more than the state: no version, no migration name, no error text.
 */
export const healthPaths = { live: '/healthz', ready: '/readyz' } as const;

/** The process's own part of readiness: once a stop was asked for (SIGTERM), it drains (src/main.ts). */
export interface Lifecycle {
  readonly stopping: boolean;
}

/** The lifecycle of an app built without one (tests, tools): it never stops. */
export const runningForever: Lifecycle = { stopping: false };

export type NotReadyReason = 'database' | 'migrations' | 'stopping';

const json = 'application/json; charset=utf-8';
/** A balancer asks every few seconds, on every listener: its checks are logged only when something is wrong. */
const quiet = { logLevel: 'warn' } as const;

export function healthRoutes(app: FastifyInstance, deps: Deps, lifecycle: Lifecycle): void {
  const probe = databaseReadinessProbe(deps.db);
  app.get(healthPaths.live, quiet, async (_request, reply) => reply.type(json).send({ live: true }));
  app.get(healthPaths.ready, quiet, async (_request, reply) => {
    if (lifecycle.stopping) return notReady(reply, 'stopping');
    const database = await probe();
    // A stop asked for while the database was asked wins: the balancer must drain this process.
    if (lifecycle.stopping) return notReady(reply, 'stopping');
    if (database !== 'ready') return notReady(reply, database);
    return reply.type(json).send({ ready: true });
  });
}

function notReady(reply: FastifyReply, reason: NotReadyReason): FastifyReply {
  return reply.code(503).type(json).send({ ready: false, reason });
}
