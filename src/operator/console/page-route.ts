import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Deps } from '../../deps.ts';
import type { Html } from '../../web/html.ts';
import type { FormState } from '../../web/form.ts';
import { admit, answerSubmission, sendPage, type SessionKind } from '../../web/page-admission.ts';
import { resumeStaffSession, staffSecondsLeft, type LiveStaffSession, type StaffStage } from '../../access/staff-sessions.ts';
import { staffPasswordChangeDue } from '../staff/password.ts';
import { clearStaffSessionCookie, setStaffCsrfCookie, staffCsrfCookie, staffSessionCookie } from './cookies.ts';
import type { ConsoleChrome } from './layout.ts';
import { consolePaths } from './paths.ts';

/**
 * The console's pages, admitted as the portal's are (web/page-admission.ts): every page states who
 * may open it (anyone, a member halfway through the logon, or a logged-on member), every form
 * carries a CSRF token, and an expected failure shows the same page again with its error and
 * nothing changed. Only the sessions differ: the staff's own table and cookies.
 */
export type ConsoleAccess = 'anonymous' | ConsoleStage;

/**
 * Where a member's session stands: its stage of the logon, or `password` for a logged-on member
 * whose password in force is one IT issued (staff-add, staff-reset). Such a member reaches the
 * password change and nothing else — every console page and form, GET and POST, is admitted
 * through this one decision, and a session at another stage is sent to its own page.
 */
export type ConsoleStage = StaffStage | 'password';

export function consoleStageOf(live: LiveStaffSession): ConsoleStage {
  if (live.session.stage === 'active' && staffPasswordChangeDue(live.staff)) return 'password';
  return live.session.stage;
}

/** Where a session at each stage belongs. */
export const consoleStageHome: Record<ConsoleStage, string> = {
  totp: consolePaths.totp,
  password: consolePaths.initialPassword,
  active: consolePaths.contracts,
};

export type ConsoleRequest<Access extends ConsoleAccess> = FastifyRequest & {
  staffLive: Access extends 'anonymous' ? undefined : LiveStaffSession;
};

declare module 'fastify' {
  interface FastifyRequest {
    staffLive: LiveStaffSession | undefined;
  }
}

const reasonsShown = new Set(['idle', 'absolute', 'superseded', 'stopped', 'expired']);

export interface ConsoleGet<Access extends ConsoleAccess> {
  path: string;
  access: Access;
  render(request: ConsoleRequest<Access>, state: FormState): Promise<Html> | Html;
}

export interface ConsolePost<Access extends ConsoleAccess> {
  path: string;
  access: Access;
  /** Returns where to go next (303), or a page to show in answer (a one-time display). */
  submit(request: ConsoleRequest<Access>, reply: FastifyReply): Promise<string | Html>;
  /** The page shown again, with the error, when the submission is refused. */
  render(request: ConsoleRequest<Access>, state: FormState): Promise<Html> | Html;
  echo?: readonly string[];
}

export function chromeOf(deps: Deps, live: LiveStaffSession): ConsoleChrome {
  return {
    csrfToken: live.session.csrf_token,
    secondsLeft: staffSecondsLeft(deps, live.session),
    // The menu and the member's name only once the logon is complete (not while the password is due).
    staff: consoleStageOf(live) === 'active' ? live.staff : undefined,
  };
}

/** The staff's sessions, as the console's pages admit them. */
export function staffSessions(deps: Deps): SessionKind<LiveStaffSession, ConsoleStage> {
  return {
    csrfCookie: staffCsrfCookie,
    setCsrfCookie: setStaffCsrfCookie,
    resume: (request) => resumeStaffSession(deps, request.cookies[staffSessionCookie]),
    stageOf: consoleStageOf,
    csrfTokenOf: (live) => live.session.csrf_token,
    stageHome: consoleStageHome,
    async sendToLogon(_request, reply, ended) {
      clearStaffSessionCookie(reply);
      const reason = ended && reasonsShown.has(ended) ? `?ended=${ended}` : '';
      await reply.redirect(`${consolePaths.logon}${reason}`, 303);
    },
    attach: (request, live) => {
      request.staffLive = live;
    },
  };
}

export function admitter(deps: Deps, access: ConsoleAccess) {
  const kind = staffSessions(deps);
  return (request: FastifyRequest, reply: FastifyReply): Promise<boolean> => admit(deps, kind, access, request, reply);
}

export function consoleGet<Access extends ConsoleAccess>(app: FastifyInstance, deps: Deps, route: ConsoleGet<Access>): void {
  const kind = staffSessions(deps);
  app.get(route.path, async (request, reply) => {
    if (!(await admit(deps, kind, route.access, request, reply))) return reply;
    return sendPage(reply, await route.render(request as ConsoleRequest<Access>, {}));
  });
}

export function consolePost<Access extends ConsoleAccess>(app: FastifyInstance, deps: Deps, route: ConsolePost<Access>): void {
  const kind = staffSessions(deps);
  app.post(route.path, async (request, reply) => {
    if (!(await admit(deps, kind, route.access, request, reply))) return reply;
    const page = request as ConsoleRequest<Access>;
    return answerSubmission(kind, request, reply, route.access === 'anonymous' ? undefined : request.staffLive, {
      submit: () => route.submit(page, reply),
      render: (state) => route.render(page, state),
      echo: route.echo,
    });
  });
}
