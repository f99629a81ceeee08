import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Deps } from '../deps.ts';
import { daySeconds } from '../domain/tokyo-time.ts';
import { sentValue } from './form-input.ts';
import { isLanguage, translator, type Language } from './i18n/index.ts';
import type { PageContext, SessionChrome } from './layout.ts';
import type { LiveSession } from '../access/sessions.ts';
import { pageStageOf } from '../access/page-stage.ts';
import { secondsLeft } from '../access/sessions.ts';
import { sessionCookie } from '../access/request-session.ts';
import type { RequestContext } from '../access/request-context.ts';
import { menuFactsOf } from './menu-facts.ts';

export const anonymousCsrfCookie = '__Host-csrf';
export const languageCookie = '__Host-lang';

const cookieBase = { path: '/', secure: true, httpOnly: true, sameSite: 'strict' } as const;

declare module 'fastify' {
  interface FastifyRequest {
    lang: Language;
    live: LiveSession | undefined;
    /** R4.1: the request reached the certificate listener (the only one where a client certificate counts). */
    certificateListener: boolean;
  }
}

export function languageOf(request: FastifyRequest, reply: FastifyReply): Language {
  const asked = sentValue(request.query, 'lang');
  if (isLanguage(asked)) {
    reply.setCookie(languageCookie, asked, { ...cookieBase, maxAge: 365 * daySeconds });
    return asked;
  }
  const stored = request.cookies[languageCookie];
  return isLanguage(stored) ? stored : 'ja';
}

export function setSessionCookie(reply: FastifyReply, token: string): void {
  reply.setCookie(sessionCookie, token, cookieBase);
}

export function clearSessionCookie(reply: FastifyReply): void {
  reply.clearCookie(sessionCookie, cookieBase);
}

export function setAnonymousCsrfCookie(reply: FastifyReply, token: string): void {
  reply.setCookie(anonymousCsrfCookie, token, cookieBase);
}

export function pageContext(deps: Deps, request: FastifyRequest): PageContext {
  const path = request.url.replace(/([?&])lang=[^&]*&?/, '$1').replace(/[?&]$/, '');
  return {
    t: translator(request.lang, { contact: `${deps.config.bankName} ${deps.config.bankContact}` }),
    lang: request.lang,
    path,
    bankName: deps.config.bankName,
  };
}

export function sessionChrome(deps: Deps, live: LiveSession): SessionChrome {
  const pending = live.session.stage === 'grid';
  // A person held at a step (the setup, R1.3; the OTP address, R5.1; the token activation, R6.3)
  // sees no menu: nothing else is open to them.
  const menu = pageStageOf(live) === 'active';
  return {
    csrfToken: live.session.csrf_token,
    idleSeconds: pending ? secondsLeft(deps, live.session) : deps.config.sessionIdleSeconds,
    menu,
    userAdmin: menu && live.mayAdminister,
    master: menu && live.user.role === 'master',
    facts: menu ? menuFactsOf(live) : undefined,
    idleWarning: !pending,
  };
}

export function requestContext(request: FastifyRequest): RequestContext {
  const userAgent = request.headers['user-agent'];
  return { ip: request.ip, userAgent: typeof userAgent === 'string' ? userAgent : undefined };
}
