import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Deps } from '../deps.ts';
import type { SessionStage } from '../db/schema.ts';
import { AppError, isAppError } from '../errors.ts';
import { secretsEqual } from '../crypto/compare.ts';
import { randomToken } from '../platform/random.ts';
import type { LiveSession } from '../modules/session/store.ts';
import { resumeRequestSession } from '../modules/session/request.ts';
import type { Html } from './html.ts';
import type { FormState } from './form.ts';
import { echoValues } from './form-input.ts';
import { anonymousCsrfCookie, clearSessionCookie, setAnonymousCsrfCookie } from './request-context.ts';

/** Who may open a page: anyone, or a person whose session is at this stage of the logon. */
export type PageAccess = 'anonymous' | SessionStage;

export interface PageRoute<Access extends PageAccess> {
  path: string;
  access: Access;
  render(request: PageRequest<Access>, state: FormState): Promise<Html> | Html;
  /** Handles a POST; returns where to go next (303). An AppError shows the same page with the error. */
  submit?(request: PageRequest<Access>, reply: FastifyReply): Promise<string>;
  /** The text fields to show again after an error. */
  echo?: readonly string[];
}

export type PageRequest<Access extends PageAccess> = FastifyRequest & {
  live: Access extends 'anonymous' ? undefined : LiveSession;
  /** For anonymous pages: the double-submit token of this browser. */
  anonymousCsrf: string;
};

const stageHome: Record<SessionStage, string> = { grid: '/logon/grid', setup: '/setup', active: '/status', certificate: '/certificate/acquire' };
const reasonsShownAtLogon = new Set(['idle', 'absolute', 'superseded', 'stopped', 'credentials', 'expired', 'certificate', 'certificate_required']);

export function registerPage<Access extends PageAccess>(app: FastifyInstance, deps: Deps, route: PageRoute<Access>): void {
  const admit = async (request: FastifyRequest, reply: FastifyReply): Promise<boolean> => {
    const page = request as PageRequest<Access>;
    if (route.access === 'anonymous') {
      page.anonymousCsrf = request.cookies[anonymousCsrfCookie] ?? '';
      if (!/^[A-Za-z0-9_-]{32}$/.test(page.anonymousCsrf)) {
        page.anonymousCsrf = randomToken(deps.random, 24);
        setAnonymousCsrfCookie(reply, page.anonymousCsrf);
      }
      return true;
    }
    // R4.1: the session together with this connection's client certificate (bound sessions need it).
    const found = await resumeRequestSession(deps, request);
    if (!('live' in found)) {
      // A request of a session rotated at logon (a double submit of the grid form) may answer after
      // the winner set the new cookie: leave the cookie alone and go where the new session leads.
      if (found.ended === 'rotated' && route.path !== '/status') {
        await reply.redirect('/status', 303);
        return false;
      }
      clearSessionCookie(reply);
      const reason = found.ended && reasonsShownAtLogon.has(found.ended) ? `?ended=${found.ended}` : '';
      await reply.redirect(`/logon${reason}`, 303);
      return false;
    }
    if (found.live.session.stage !== route.access) {
      await reply.redirect(stageHome[found.live.session.stage], 303);
      return false;
    }
    request.live = found.live;
    return true;
  };

  const send = async (request: FastifyRequest, reply: FastifyReply, state: FormState) => {
    const page = await route.render(request as PageRequest<Access>, state);
    return reply.type('text/html; charset=utf-8').send(page.value);
  };

  app.get(route.path, async (request, reply) => {
    if (!(await admit(request, reply))) return reply;
    return send(request, reply, {});
  });

  if (!route.submit) return;
  const submit = route.submit;
  app.post(route.path, async (request, reply) => {
    if (!(await admit(request, reply))) return reply;
    try {
      checkCsrf(request as PageRequest<Access>, route.access);
      const next = await submit(request as PageRequest<Access>, reply);
      return reply.redirect(next, 303);
    } catch (error) {
      if (!isAppError(error)) throw error;
      reply.code(error.status);
      return send(request, reply, { error, values: echoValues(request.body, route.echo ?? []) });
    }
  });
}

/**
 * Every form carries a token (the session's, or for anonymous pages a double-submit cookie), on top
 * of SameSite=Strict cookies: a form posted from another site fails here.
 */
function checkCsrf(request: PageRequest<PageAccess>, access: PageAccess): void {
  const sent = (request.body as Record<string, unknown> | undefined)?._csrf;
  const expected = access === 'anonymous' ? request.cookies[anonymousCsrfCookie] : request.live?.session.csrf_token;
  if (typeof sent !== 'string' || !expected || !secretsEqual(sent, expected)) throw new AppError('CSRF_INVALID');
}
