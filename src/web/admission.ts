import type { FastifyInstance } from 'fastify';
import type { Deps } from '../deps.ts';
import { AppError } from '../errors.ts';
import type { AdmissionGate } from '../platform/admission.ts';
import { replyJsonFailure } from './error-status.ts';
import { pageContext } from './request-context.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route answers JSON (a script reads it), refusals included: an overload refusal is JSON there too. */
    answersJson?: boolean;
  }
}

/**
 * Every request of the listener passes the process's admission gate (decision 0027) before its
 * route runs, except the paths in `exempt` (the health checks: a balancer must always hear from an
 * overloaded process, and they cost no more than a refusal would). The gate is passed after the body
 * was read and parsed within its bounds (preHandler), so a slow client holds no place while it
 * sends, and a refusal leaves the connection usable. A refused request is answered at once,
 * SERVICE_OVERLOADED (503, Retry-After) in the page's language, HTML or JSON as its route answers,
 * without a session, the database or the audit trail: the cheapest answer the service has.
 */
export function admitRequests(app: FastifyInstance, deps: Deps, gate: AdmissionGate, exempt: readonly string[]): void {
  const exemptPaths = new Set(exempt);
  app.addHook('preHandler', async (request, reply) => {
    if (exemptPaths.has(request.routeOptions.url ?? '')) return;
    // A client that leaves while its request waits is not answered; its place, if it gets one, goes on at once.
    let gone = false;
    const leave = () => (gone = true);
    reply.raw.once('close', leave);
    const release = await gate.enter();
    reply.raw.removeListener('close', leave);
    if (release && !gone) {
      // Once the answer is sent, or the connection is lost while the route runs.
      reply.raw.once('close', release);
      return;
    }
    release?.();
    const refusal = new AppError('SERVICE_OVERLOADED');
    if (!request.routeOptions.config.answersJson) throw refusal;
    return replyJsonFailure(reply, pageContext(deps, request).t, refusal);
  });
}
