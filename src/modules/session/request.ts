import type { FastifyRequest } from 'fastify';
import type { Deps } from '../../deps.ts';
import { presentedFingerprint } from '../certificates/presented-source.ts';
import { sessionCookie } from '../../web/request-context.ts';
import { resumeSession, type SessionLookup } from './store.ts';

/**
 * The session of a request: its cookie, judged together with the client certificate presented on
 * this connection (R4.1: a session opened with a certificate is bound to it). Every route that
 * reads a session goes through here, so none can forget the certificate.
 */
export function resumeRequestSession(deps: Deps, request: FastifyRequest): Promise<SessionLookup> {
  return resumeSession(deps, request.cookies[sessionCookie], presentedFingerprint(deps, request));
}
