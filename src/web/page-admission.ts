import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Deps } from '../deps.ts';
import { AppError, isAppError } from '../errors.ts';
import { secretsEqual } from '../crypto/compare.ts';
import { randomToken } from '../platform/random.ts';
import type { Html } from './html.ts';
import type { FormState } from './form.ts';
import { echoValues, sentValue } from './form-input.ts';
import { replyStatusOf } from './error-status.ts';

/**
 * How the portal and the bank's console admit a request to a page, one way for both: a page states
 * who may open it (anyone, or a session at one stage of its logon); a request without a live session
 * is sent to the logon with the reason its session ended; a session at another stage is sent to its
 * own page; every form carries a CSRF token — the session's, or for anonymous pages a double-submit
 * cookie — on top of SameSite=Strict cookies, so a form posted from another site fails.
 * The portal and the console differ only in what `SessionKind` says: their own cookies, session
 * tables, stages and pages.
 */
export interface SessionKind<Live, Stage extends string> {
  /** The double-submit cookie of anonymous pages. */
  csrfCookie: string;
  setCsrfCookie(reply: FastifyReply, token: string): void;
  resume(request: FastifyRequest): Promise<{ live: Live } | { ended: string | undefined }>;
  stageOf(live: Live): Stage;
  csrfTokenOf(live: Live): string;
  /** Where a session at each stage belongs. */
  stageHome: Record<Stage, string>;
  /** A request whose session did not resume: clear the cookie and send the person to the logon. */
  sendToLogon(request: FastifyRequest, reply: FastifyReply, ended: string | undefined): Promise<void>;
  /** Keeps the live session on the request for the page. */
  attach(request: FastifyRequest, live: Live): void;
}

/** For anonymous pages: the double-submit token of this browser, set when it has none. */
declare module 'fastify' {
  interface FastifyRequest {
    anonymousCsrf: string;
  }
}

const anonymousTokenPattern = /^[A-Za-z0-9_-]{32}$/;

/** Whether the request may open a page of `access`; when not, the answer (a redirect) is sent. */
export async function admit<Live, Stage extends string>(
  deps: Deps,
  kind: SessionKind<Live, Stage>,
  access: 'anonymous' | Stage,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<boolean> {
  if (access === 'anonymous') {
    request.anonymousCsrf = request.cookies[kind.csrfCookie] ?? '';
    if (!anonymousTokenPattern.test(request.anonymousCsrf)) {
      request.anonymousCsrf = randomToken(deps.random, 24);
      kind.setCsrfCookie(reply, request.anonymousCsrf);
    }
    return true;
  }
  const found = await kind.resume(request);
  if (!('live' in found)) {
    await kind.sendToLogon(request, reply, found.ended);
    return false;
  }
  const stage = kind.stageOf(found.live);
  if (stage !== access) {
    await reply.redirect(kind.stageHome[stage], 303);
    return false;
  }
  kind.attach(request, found.live);
  return true;
}

export function checkCsrf<Live, Stage extends string>(kind: SessionKind<Live, Stage>, request: FastifyRequest, live: Live | undefined): void {
  const sent = sentValue(request.body, '_csrf');
  const expected = live === undefined ? request.cookies[kind.csrfCookie] : kind.csrfTokenOf(live);
  if (typeof sent !== 'string' || !expected || !secretsEqual(sent, expected)) throw new AppError('CSRF_INVALID');
}

export function sendPage(reply: FastifyReply, page: Html): FastifyReply {
  return reply.type('text/html; charset=utf-8').send(page.value);
}

/**
 * A form's POST: the CSRF check, then the submission; its answer is where to go next (303) or a page
 * to show; an expected failure (AppError) shows the same page again with the error and the text
 * fields typed, and changes nothing.
 */
export async function answerSubmission<Live, Stage extends string>(
  kind: SessionKind<Live, Stage>,
  request: FastifyRequest,
  reply: FastifyReply,
  live: Live | undefined,
  page: {
    submit(): Promise<string | Html>;
    render(state: FormState): Promise<Html> | Html;
    echo?: readonly string[];
  },
): Promise<FastifyReply> {
  try {
    checkCsrf(kind, request, live);
    const next = await page.submit();
    if (typeof next === 'string') return reply.redirect(next, 303);
    return sendPage(reply, next);
  } catch (error) {
    if (!isAppError(error)) throw error;
    replyStatusOf(reply, error);
    return sendPage(reply, await page.render({ error, values: echoValues(request.body, page.echo ?? []) }));
  }
}
