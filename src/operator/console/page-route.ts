import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Deps } from '../../deps.ts';
import { AppError, isAppError } from '../../errors.ts';
import { secretsEqual } from '../../crypto/compare.ts';
import { randomToken } from '../../platform/random.ts';
import type { Html } from '../../web/html.ts';
import type { FormState } from '../../web/form.ts';
import { echoValues } from '../../web/form-input.ts';
import { resumeStaffSession, staffSecondsLeft, type LiveStaffSession, type StaffStage } from '../staff/sessions.ts';
import { clearStaffSessionCookie, setStaffCsrfCookie, staffCsrfCookie, staffSessionCookie } from './cookies.ts';
import type { ConsoleChrome } from './layout.ts';
import { consolePaths } from './paths.ts';

/**
 * The console's counterpart of the portal's registerPage: every page states who may open it (anyone,
 * a member halfway through the logon, or a logged-on member), every form carries a CSRF token, and
 * an expected failure shows the same page again with its error and nothing changed.
 */
export type ConsoleAccess = 'anonymous' | StaffStage;

export type ConsoleRequest<Access extends ConsoleAccess> = FastifyRequest & {
  staffLive: Access extends 'anonymous' ? undefined : LiveStaffSession;
  /** For anonymous pages: this browser's double-submit token. */
  anonymousCsrf: string;
};

declare module 'fastify' {
  interface FastifyRequest {
    staffLive: LiveStaffSession | undefined;
  }
}

const stageHome: Record<StaffStage, string> = { totp: consolePaths.totp, active: consolePaths.contracts };
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
    staff: live.session.stage === 'active' ? live.staff : undefined,
  };
}

export function admitter(deps: Deps, access: ConsoleAccess) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<boolean> => {
    const page = request as ConsoleRequest<ConsoleAccess>;
    if (access === 'anonymous') {
      page.anonymousCsrf = request.cookies[staffCsrfCookie] ?? '';
      if (!/^[A-Za-z0-9_-]{32}$/.test(page.anonymousCsrf)) {
        page.anonymousCsrf = randomToken(deps.random, 24);
        setStaffCsrfCookie(reply, page.anonymousCsrf);
      }
      return true;
    }
    const found = await resumeStaffSession(deps, request.cookies[staffSessionCookie]);
    if (!('live' in found)) {
      clearStaffSessionCookie(reply);
      const reason = found.ended && reasonsShown.has(found.ended) ? `?ended=${found.ended}` : '';
      await reply.redirect(`${consolePaths.logon}${reason}`, 303);
      return false;
    }
    if (found.live.session.stage !== access) {
      await reply.redirect(stageHome[found.live.session.stage], 303);
      return false;
    }
    request.staffLive = found.live;
    return true;
  };
}

function checkCsrf(request: ConsoleRequest<ConsoleAccess>, access: ConsoleAccess): void {
  const sent = (request.body as Record<string, unknown> | undefined)?._csrf;
  const expected = access === 'anonymous' ? request.cookies[staffCsrfCookie] : request.staffLive?.session.csrf_token;
  if (typeof sent !== 'string' || !expected || !secretsEqual(sent, expected)) throw new AppError('CSRF_INVALID');
}

async function send(reply: FastifyReply, page: Html | Promise<Html>) {
  return reply.type('text/html; charset=utf-8').send((await page).value);
}

export function consoleGet<Access extends ConsoleAccess>(app: FastifyInstance, deps: Deps, route: ConsoleGet<Access>): void {
  const admit = admitter(deps, route.access);
  app.get(route.path, async (request, reply) => {
    if (!(await admit(request, reply))) return reply;
    return send(reply, route.render(request as ConsoleRequest<Access>, {}));
  });
}

export function consolePost<Access extends ConsoleAccess>(app: FastifyInstance, deps: Deps, route: ConsolePost<Access>): void {
  const admit = admitter(deps, route.access);
  app.post(route.path, async (request, reply) => {
    if (!(await admit(request, reply))) return reply;
    const page = request as ConsoleRequest<Access>;
    try {
      checkCsrf(page, route.access);
      const next = await route.submit(page, reply);
      if (typeof next === 'string') return reply.redirect(next, 303);
      return send(reply, next);
    } catch (error) {
      if (!isAppError(error)) throw error;
      reply.code(error.status);
      return send(reply, route.render(page, { error, values: echoValues(request.body, route.echo ?? []) }));
    }
  });
}
