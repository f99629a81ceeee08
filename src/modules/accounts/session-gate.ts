import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Deps } from '../../deps.ts';
import type { LiveSession } from '../../access/sessions.ts';
import { admit } from '../../web/page-admission.ts';
import { customerSessions, type PageRequest } from '../../web/page-route.ts';

/**
 * The statement page and the downloads answer with their own status and content type, which a
 * registerPage render cannot set, so they admit the session themselves through the same admission
 * as every page (the cookie with the connection's client certificate, R4.1; where the session
 * stands, access/page-stage.ts): a session standing at the active stage passes; one held at a step
 * (the setup, the OTP address, the token) is sent to it, and one that ended to the logon with why.
 */
export async function activeSession(deps: Deps, request: FastifyRequest, reply: FastifyReply): Promise<LiveSession | undefined> {
  if (!(await admit(deps, customerSessions(deps), 'active', request, reply))) return undefined;
  return (request as PageRequest<'active'>).live;
}
