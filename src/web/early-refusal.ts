import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { FastifyBaseLogger } from 'fastify';
import { fastifyCookie } from '@fastify/cookie';
import { AppError } from '../errors.ts';
import type { AdmissionGate } from '../platform/admission.ts';
import { escapeHtml } from './html.ts';
import { languages, type Language } from './i18n/index.ts';
import { chosenLanguage, languageCookie, pagePathOf } from './request-context.ts';
import { securityHeaders } from './security-headers.ts';

/** The overload refusal's page in one language for one path (the language switch links to the path). */
export type RefusalPageRenderer = (lang: Language, path: string) => string;

type RequestListener = (request: IncomingMessage, response: ServerResponse) => void;

/**
 * Decision 0033: under a lasting overload most of what arrives is refused, and a refusal made in
 * Fastify's lifecycle — its request and reply, the hooks, the error handler, a page rendered —
 * cost about twice a health check, so at twice the saturating load the refusals took a fifth of
 * the machine from the pages being served. A request without a body that finds every place taken
 * and the queue full (`turnsAway`, the refusal on arrival of decision 0027) is answered here,
 * before Fastify sees it: the same 503 with Retry-After, the same headers, the same page in the
 * request's language with its path in the language switch, from parts made once per language.
 *
 * The request id is left out of that page: the request is not logged one by one (at the rate
 * refusals come, their log would cost more than they do); a warning counts them instead, at most
 * one every `refusalsReportedEveryMs` while they last. A language asked for in the
 * address is used but not kept in a cookie (a refusal changes nothing). A request with a body (a
 * form sent, an upload) and the exempt paths (health checks) go through Fastify, where the gate
 * is met after the body is read (src/web/admission.ts); so do all requests while the gate has room.
 */
export function refuseEarlyWhenFull(server: Server, gate: AdmissionGate, exempt: readonly string[], renderPage: RefusalPageRenderer, log: FastifyBaseLogger): void {
  const exemptPaths = new Set(exempt);
  const refusal = new AppError('SERVICE_OVERLOADED');
  const headers: Record<string, string> = {
    ...securityHeaders,
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    ...(refusal.retryAfterSeconds === undefined ? {} : { 'retry-after': String(refusal.retryAfterSeconds) }),
  };
  const pages = pagesAroundPath(renderPage);
  const noteRefusal = refusalReporter(log, gate, refusalsReportedEveryMs);

  const [fastifyListener, ...others] = server.listeners('request') as RequestListener[];
  if (!fastifyListener || others.length > 0) throw new Error('refuseEarlyWhenFull: the server must have exactly one request listener');
  server.removeListener('request', fastifyListener);
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    if (hasNoBody(request) && !exemptPaths.has(pathOnly(request.url)) && gate.turnsAway()) {
      const url = request.url ?? '/';
      const path = pagePathOf(url);
      const page = pages.get(pageKey(languageOfRaw(request, url), path))!;
      const body = Buffer.from(page.before + escapeHtml(path) + page.after, 'utf8');
      response.writeHead(refusal.status, { ...headers, 'content-length': String(body.length) });
      response.end(body);
      noteRefusal();
      return;
    }
    fastifyListener(request, response);
  });
}

/** How often, at most, the refusals made early are counted in the log while they last. */
export const refusalsReportedEveryMs = 10_000;

/**
 * Counts refusals and logs their number once `everyMs` after the first one not yet logged: an
 * overload is seen in the log as one warning per interval, with the gate's figures.
 */
export function refusalReporter(log: Pick<FastifyBaseLogger, 'warn'>, gate: AdmissionGate, everyMs: number): () => void {
  let unreported = 0;
  let timer: NodeJS.Timeout | undefined;
  const report = () => {
    log.warn({ refusedEarly: unreported, everyMs, gate: gate.figures() }, 'overloaded: requests refused before they were worked on (503, Retry-After)');
    unreported = 0;
    timer = undefined;
  };
  return () => {
    unreported++;
    // Not kept alive for it: a process that stops may leave the last count unlogged.
    timer ??= setTimeout(report, everyMs).unref();
  };
}

/** Marks where the path goes; it cannot come from a request (a control character is never in an accepted URL). */
const pathMark = '/\u0001path\u0001';

/** The page differs by language and by whether its path has a query (the language switch adds `?lang=` or `&lang=`). */
const pageKey = (lang: Language, path: string) => `${lang}${path.includes('?') ? '?' : ''}`;

/** Each kind of page split around its (escaped) path, checked to hold it exactly once. */
function pagesAroundPath(renderPage: RefusalPageRenderer): Map<string, { before: string; after: string }> {
  const pages = new Map<string, { before: string; after: string }>();
  for (const lang of languages) {
    for (const mark of [pathMark, `${pathMark}?q`]) {
      const parts = renderPage(lang, mark).split(escapeHtml(mark));
      if (parts.length !== 2) throw new Error(`refuseEarlyWhenFull: the refusal page must hold its path once, found ${parts.length - 1}`);
      pages.set(pageKey(lang, mark), { before: parts[0]!, after: parts[1]! });
    }
  }
  return pages;
}

/** A request that declares no body (no length above zero, no chunked transfer), as a GET or HEAD sends. */
function hasNoBody(request: IncomingMessage): boolean {
  const length = request.headers['content-length'];
  return request.headers['transfer-encoding'] === undefined && (length === undefined || length === '0');
}

function pathOnly(url: string | undefined): string {
  const query = url?.indexOf('?') ?? -1;
  return query < 0 ? (url ?? '/') : url!.slice(0, query);
}

/** The language by the portal's rule (`chosenLanguage`): a `lang` sent once in the address, else the cookie. */
function languageOfRaw(request: IncomingMessage, url: string): Language {
  const query = url.indexOf('?');
  const asked = query < 0 ? [] : new URLSearchParams(url.slice(query + 1)).getAll('lang');
  const cookies = request.headers.cookie ? fastifyCookie.parse(request.headers.cookie) : {};
  return chosenLanguage(asked.length === 1 ? asked[0] : undefined, cookies[languageCookie]);
}
