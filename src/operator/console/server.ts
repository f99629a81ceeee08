import type { TlsOptions } from 'node:tls';
import type { ServerOptions as HttpServerOptions } from 'node:http';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import fastifyCookie from '@fastify/cookie';
import fastifyFormbody from '@fastify/formbody';
import fastifyStatic from '@fastify/static';
import { fileURLToPath } from 'node:url';
import type { Deps } from '../../deps.ts';
import { loggerOptions } from '../../platform/logger.ts';
import { html } from '../../web/html.ts';
import { languageOf, pageContext } from '../../web/request-context.ts';
import { translator, type MessageKey } from '../../web/i18n/index.ts';
import { sendSecurityHeaders } from '../../web/security-headers.ts';
import { errorBody, installErrorPages } from '../../web/error-pages.ts';
import { allowListOf } from '../../access/allow-list.ts';
import { serverTlsOptions, type ServerTlsIdentity } from '../../platform/tls-policy.ts';
import { healthRoutes, runningForever, type Lifecycle } from '../../web/health.ts';
import { capConnectionsPerAddress, listenerLimits, nodeServerOptions, type ListenerLimits } from '../../platform/listener-limits.ts';
import { bareErrorHandlers } from '../../web/bare-error-page.ts';
import { fastifyLimitOptions } from '../../web/listener-options.ts';
import { closeAfterUnreadBodies } from '../../web/unread-body.ts';
import { consoleLayout } from './layout.ts';
import { consoleBase, consolePaths } from './paths.ts';
import { logonRoutes } from './routes/logon.ts';
import { contractRoutes } from './routes/contracts.ts';
import { applicationRoutes } from './routes/applications.ts';
import { exportRoutes } from './routes/export.ts';
import { passwordRoutes } from './routes/password.ts';
import { tokenRoutes } from './routes/tokens.ts';
import { queueRoutes } from './routes/queue.ts';
import { logonWatchRoutes } from './routes/logon-watch.ts';
import { noticeRoutes } from './routes/notices.ts';
import { mailRoutes } from './routes/mail.ts';

/**
 * The bank's operator console (DESIGN §1): a Fastify instance of its own, on its own listener,
 * with its own sessions and cookies, so that nothing of it is reachable from the customers'
 * address. Built here without listen(); src/main.ts starts it.
 */
const formBodyBytesMax = 16 * 1024;
const portalStaticDir = fileURLToPath(new URL('../../web/static/', import.meta.url));
const consoleStaticDir = fileURLToPath(new URL('./static/', import.meta.url));

export interface ConsoleOptions {
  https?: ServerTlsIdentity;
  logger?: boolean;
  /** Whether the process is stopping, for the readiness check (src/web/health.ts). */
  lifecycle?: Lifecycle;
  /** The listener's time and size bounds; the production ones unless a test measures smaller ones. */
  limits?: Partial<ListenerLimits>;
}

export async function buildConsole(deps: Deps, options: ConsoleOptions = {}): Promise<FastifyInstance> {
  const limits = { ...listenerLimits, ...options.limits };
  const server: FastifyServerOptions & { https?: TlsOptions; http?: HttpServerOptions } = {
    logger: options.logger === false ? false : loggerOptions(deps.config.logLevel),
    bodyLimit: formBodyBytesMax,
    trustProxy: false,
    requestIdHeader: false,
    genReqId: () => deps.random.bytes(8).toString('hex'),
    ...fastifyLimitOptions(limits),
    ...bareErrorHandlers(deps.config.bankName),
  };
  // R4.7: the portal's TLS policy (platform/tls-policy.ts), on the console's own certificate when it has one.
  if (options.https) server.https = { ...serverTlsOptions(options.https), ...nodeServerOptions(limits), handshakeTimeout: limits.tlsHandshakeTimeoutMs };
  const app = Fastify(server) as unknown as FastifyInstance;
  // No proxy is trusted on the console: every address is capped.
  capConnectionsPerAddress(app.server, limits.connectionsPerAddressMax);

  sendSecurityHeaders(app);
  closeAfterUnreadBodies(app);
  // The allow-list answers before anything else runs: no cookie is read, no body parsed, no page built.
  const allowed = allowListOf(deps.config.operatorAllowedIps);
  if (allowed) {
    app.addHook('onRequest', async (request, reply) => {
      if (allowed(request.ip)) return;
      reply.code(403).type('text/html; charset=utf-8').header('cache-control', 'no-store');
      return reply.send(refusedPage(deps));
    });
  }
  await app.register(fastifyCookie);
  await app.register(fastifyFormbody);
  await app.register(fastifyStatic, { root: portalStaticDir, prefix: consolePaths.static, decorateReply: false, cacheControl: true, maxAge: 3600_000, allowedPath: (path) => /^\/(site\.css|favicon\.svg)$/.test(path) });
  await app.register(fastifyStatic, { root: consoleStaticDir, prefix: `${consolePaths.static}console/`, decorateReply: false, cacheControl: true, maxAge: 3600_000 });

  app.decorateRequest('lang', 'ja');
  app.decorateRequest('staffLive', undefined);
  app.addHook('onRequest', async (request, reply) => {
    request.lang = languageOf(request, reply);
    // Pages hold customers' data and secrets shown once: never kept by a browser or a proxy.
    if (!request.url.startsWith(consolePaths.static)) reply.header('cache-control', 'no-store');
  });

  // Before the routes: a route takes the error handler its context has when it is added.
  installErrorPages(app, (request, message, code) => errorPage(deps, request, message, code));
  app.get('/', async (_request, reply) => reply.redirect(consolePaths.home, 303));
  app.get(consoleBase, async (_request, reply) => reply.redirect(consolePaths.contracts, 303));
  // Behind the allow-list like every path of the console: a balancer that checks it must be allowed.
  healthRoutes(app, deps, options.lifecycle ?? runningForever);
  logonRoutes(app, deps);
  contractRoutes(app, deps);
  queueRoutes(app, deps);
  logonWatchRoutes(app, deps);
  mailRoutes(app, deps);
  applicationRoutes(app, deps);
  exportRoutes(app, deps);
  passwordRoutes(app, deps);
  noticeRoutes(app, deps);
  await tokenRoutes(app, deps);
  return app;
}

function errorPage(deps: Deps, request: Parameters<typeof pageContext>[1], message: MessageKey, code?: string): string {
  const page = pageContext(deps, request);
  const { t } = page;
  return consoleLayout(page, 'error.title', errorBody(t, request.id, { message, code }, { href: consolePaths.home, label: 'operatorConsole.back' })).value;
}

/** The allow-list's answer: no cookie or language is read for an address that is not allowed. */
function refusedPage(deps: Deps): string {
  const ja = translator('ja');
  const en = translator('en');
  return html`<!doctype html>
<html lang="ja"><head><meta charset="utf-8"><title>403</title></head>
<body><p data-code="OPERATOR_ADDRESS_REFUSED">${ja('error.OPERATOR_ADDRESS_REFUSED')}</p><p lang="en">${en('error.OPERATOR_ADDRESS_REFUSED')}</p>
<p>${deps.config.bankName}</p></body></html>`.value;
}
