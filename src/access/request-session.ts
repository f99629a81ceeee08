import type { FastifyRequest } from 'fastify';
import type { Deps } from '../deps.ts';
import { presentedFingerprint } from './presented-certificate.ts';
import { resumeSession, type SessionLookup } from './sessions.ts';

/** The cookie that carries a customer session's `id.secret` (Secure, HttpOnly, SameSite=Strict, host-only). */
export const sessionCookie = '__Host-sid';

/**
 * The session of a request: its cookie, judged together with the client certificate presented on
 * this connection (R4.1: a session opened with a certificate is bound to it). Every route that
 * reads a session goes through here, so none can forget the certificate.
 */
export function resumeRequestSession(deps: Deps, request: FastifyRequest): Promise<SessionLookup> {
  return resumeSession(deps, request.cookies[sessionCookie], presentedFingerprint(deps, request));
}
