import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Deps } from '../../deps.ts';
import type { LiveSession } from '../../access/sessions.ts';
import { resumeRequestSession } from '../../access/request-session.ts';

/**
 * The statement page and its download answer with their own status and content type, which a
 * registerPage render cannot set, so they admit the session themselves, the way every page does
 * (the cookie together with the connection's client certificate, R4.1): a live session at the
 * active stage passes. Anything else (no session, an ended one, a logon halfway) is sent to the
 * status page, whose page gate sends it on where it belongs and tells the person why (an ended
 * session has been recorded as ended with its reason, so the reason is found there again).
 */
export async function activeSession(deps: Deps, request: FastifyRequest, reply: FastifyReply): Promise<LiveSession | undefined> {
  const found = await resumeRequestSession(deps, request);
  if ('live' in found && found.live.session.stage === 'active') {
    request.live = found.live;
    return found.live;
  }
  await reply.redirect('/status', 303);
  return undefined;
}
