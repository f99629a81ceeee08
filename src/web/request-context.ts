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
  if (isLanguage(asked)) reply.setCookie(languageCookie, asked, { ...cookieBase, maxAge: 365 * daySeconds });
  return chosenLanguage(asked, request.cookies[languageCookie]);
}

/** A page's language: the one asked for in the address (`?lang=`), else the one the browser keeps, else Japanese. */
export function chosenLanguage(asked: unknown, stored: unknown): Language {
  if (isLanguage(asked)) return asked;
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
  return pageContextIn(deps, request.lang, pagePathOf(request.url));
}

/** A page's context by its language and path, for a page made without a Fastify request (src/web/early-refusal.ts). */
export function pageContextIn(deps: Deps, lang: Language, path: string): PageContext {
  return {
    t: translator(lang, { contact: `${deps.config.bankName} ${deps.config.bankContact}` }),
    lang,
    path,
    bankName: deps.config.bankName,
  };
}

/** The page's address without the language asked for in it, to which the language switch adds its own. */
export function pagePathOf(url: string): string {
  return url.replace(/([?&])lang=[^&]*&?/, '$1').replace(/[?&]$/, '');
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
