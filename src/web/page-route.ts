import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Deps } from '../deps.ts';
import type { LiveSession } from '../access/sessions.ts';
import { pageStageOf, type PageStage } from '../access/page-stage.ts';
import { resumeRequestSession } from '../access/request-session.ts';
import type { Html } from './html.ts';
import type { FormState } from './form.ts';
import { admit, answerSubmission, sendPage, type SessionKind } from './page-admission.ts';
import { loadMenuFacts } from './menu-facts.ts';
import { anonymousCsrfCookie, clearSessionCookie, setAnonymousCsrfCookie } from './request-context.ts';

/** Who may open a page: anyone, or a person whose session stands at this stage. */
export type PageAccess = 'anonymous' | PageStage;

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
};

const reasonsShownAtLogon = new Set(['idle', 'absolute', 'superseded', 'stopped', 'credentials', 'expired', 'certificate', 'certificate_required']);

/** The customers' sessions, as the portal's pages admit them. */
export function customerSessions(deps: Deps): SessionKind<LiveSession, PageStage> {
  return {
    csrfCookie: anonymousCsrfCookie,
    setCsrfCookie: setAnonymousCsrfCookie,
    // R4.1: the session together with this connection's client certificate (bound sessions need it).
    resume: (request) => resumeRequestSession(deps, request),
    stageOf: pageStageOf,
    csrfTokenOf: (live) => live.session.csrf_token,
    stageHome: { grid: '/logon/grid', setup: '/setup', active: '/status', certificate: '/certificate/acquire', otp_address: '/otp-address', token: '/token-activation' },
    async sendToLogon(request, reply, ended) {
      // A request of a session rotated at logon (a double submit of the grid form) may answer after
      // the winner set the new cookie: leave the cookie alone and go where the new session leads.
      if (ended === 'rotated' && request.routeOptions.url !== '/status') {
        await reply.redirect('/status', 303);
        return;
      }
      clearSessionCookie(reply);
      const reason = ended && reasonsShownAtLogon.has(ended) ? `?ended=${ended}` : '';
      await reply.redirect(`/logon${reason}`, 303);
    },
    attach: (request, live) => {
      request.live = live;
    },
  };
}

export function registerPage<Access extends PageAccess>(app: FastifyInstance, deps: Deps, route: PageRoute<Access>): void {
  const kind = customerSessions(deps);
  const page = (request: FastifyRequest) => request as PageRequest<Access>;

  app.get(route.path, async (request, reply) => {
    if (!(await admit(deps, kind, route.access, request, reply))) return reply;
    await loadMenuFacts(app, deps, request.live);
    return sendPage(reply, await route.render(page(request), {}));
  });

  const submit = route.submit;
  if (!submit) return;
  app.post(route.path, async (request, reply) => {
    if (!(await admit(deps, kind, route.access, request, reply))) return reply;
    await loadMenuFacts(app, deps, request.live);
    return answerSubmission(kind, request, reply, route.access === 'anonymous' ? undefined : request.live, {
      submit: () => submit(page(request), reply),
      render: (state) => route.render(page(request), state),
      echo: route.echo,
    });
  });
}
