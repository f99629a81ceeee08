import type { TlsOptions } from 'node:tls';
import type { ServerOptions as HttpServerOptions } from 'node:http';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import fastifyCookie from '@fastify/cookie';
import fastifyFormbody from '@fastify/formbody';
import fastifyStatic from '@fastify/static';
import { fileURLToPath } from 'node:url';
import type { Deps } from './deps.ts';
import { loggerOptions } from './platform/logger.ts';
import { sendSecurityHeaders } from './web/security-headers.ts';
import { errorBody, installErrorPages } from './web/error-pages.ts';
import { layout, type PageContext } from './web/layout.ts';
import { languageOf, pageContext, pageContextIn } from './web/request-context.ts';
import { logonRoutes } from './modules/logon/routes.ts';
import { setupRoutes } from './modules/setup/routes.ts';
import { settingsRoutes } from './modules/settings/routes.ts';
import { otpAddressRoutes } from './modules/otp-address/routes.ts';
import { tokenActivationRoutes } from './modules/token-activation/routes.ts';
import { statusRoutes } from './modules/status/routes.ts';
import { usersRoutes } from './modules/users/routes.ts';
import { userSecurityRoutes } from './modules/user-security/routes.ts';
import { securityPageRoutes } from './modules/security-page/routes.ts';
import { accountsRoutes } from './modules/accounts/routes.ts';
import { contractSettingsRoutes } from './modules/contract-settings/routes.ts';
import { payeesRoutes } from './modules/payees/routes.ts';
import { transfersRoutes } from './modules/transfers/routes.ts';
import { certificatesRoutes } from './modules/certificates/routes.ts';
import { certificateAcquireRoutes } from './modules/certificate-acquire/routes.ts';
import { payEasyRoutes } from './modules/pay-easy/routes.ts';
import { bulkRoutes } from './modules/bulk/routes.ts';
import { approvalsRoutes } from './modules/approvals/routes.ts';
import { menuFacts } from './modules/approvals/menu-facts.ts';
import { setMenuFactsSource } from './web/menu-facts.ts';
import { serverTlsOptions, type ServerTlsIdentity } from './platform/tls-policy.ts';
import { healthPaths, healthRoutes, runningForever, type Lifecycle } from './web/health.ts';
import type { PaymentCollector } from './modules/pay-easy/collector/collector.ts';
import type { Language, MessageKey } from './web/i18n/index.ts';
import { capConnectionsPerAddress, listenerLimits, nodeServerOptions, type ListenerLimits } from './platform/listener-limits.ts';
import { bareErrorHandlers } from './web/bare-error-page.ts';
import { fastifyLimitOptions } from './web/listener-options.ts';
import { closeAfterUnreadBodies } from './web/unread-body.ts';
import { allowListOf } from './access/allow-list.ts';
import { admissionGate, type AdmissionGate } from './platform/admission.ts';
import { admitRequests } from './web/admission.ts';
import { refuseEarlyWhenFull } from './web/early-refusal.ts';

/** Forms are small; a larger body is refused (413) before it is parsed. The file uploads have their own bound. */
const formBodyBytesMax = 16 * 1024;
const staticDir = fileURLToPath(new URL('./web/static/', import.meta.url));

export interface AppOptions {
  https?: ServerTlsIdentity;
  logger?: boolean;
  /**
   * R4.1: this instance is the certificate listener. With client certificates taken from TLS it asks
   * for one in the handshake, naming the bank's CA (`ca`) so that the browser offers the right one.
   */
  clientCertificates?: { ca: string };
  /** R8.3: the link to the billers of Pay-easy; the built-in collector answers from its registry when none is given. */
  paymentCollector?: PaymentCollector;
  /** Whether the process is stopping, for the readiness check (src/web/health.ts); never, when not given. */
  lifecycle?: Lifecycle;
  /** The listener's time and size bounds; the production ones unless a test measures smaller ones. */
  limits?: Partial<ListenerLimits>;
  /**
   * Decision 0027: the process's admission gate, shared by the listeners of one process
   * (src/main.ts); without it the app has its own, by the configuration.
   */
  admission?: AdmissionGate;
}

/** The customer portal: plugins and modules, no listen(). */
export async function buildApp(deps: Deps, options: AppOptions = {}): Promise<FastifyInstance> {
  const limits = { ...listenerLimits, ...options.limits };
  const server: FastifyServerOptions & { https?: TlsOptions; http?: HttpServerOptions } = {
    logger: options.logger === false ? false : loggerOptions(deps.config.logLevel),
    bodyLimit: formBodyBytesMax,
    // Behind a proxy, the client's address comes from X-Forwarded-For set by the configured proxies only.
    trustProxy: deps.config.trustedProxies ?? false,
    requestIdHeader: false,
    genReqId: () => deps.random.bytes(8).toString('hex'),
    ...fastifyLimitOptions(limits),
    ...bareErrorHandlers(deps.config.bankName),
  };
  // R4.7: the service's one TLS policy (platform/tls-policy.ts) on both customer listeners.
  if (options.https) server.https = { ...serverTlsOptions(options.https, handshakeOptions(deps, options)), ...nodeServerOptions(limits), handshakeTimeout: limits.tlsHandshakeTimeoutMs };
  const app = Fastify(server) as unknown as FastifyInstance;
  // The bank's proxies carry every customer's connections: they are not capped per address.
  capConnectionsPerAddress(app.server, limits.connectionsPerAddressMax, allowListOf(deps.config.trustedProxies));

  sendSecurityHeaders(app);
  closeAfterUnreadBodies(app);
  await app.register(fastifyCookie);
  await app.register(fastifyFormbody);
  await app.register(fastifyStatic, { root: staticDir, prefix: '/static/', decorateReply: false, cacheControl: true, maxAge: 3600_000 });

  app.decorateRequest('lang', 'ja');
  app.decorateRequest('live', undefined);
  app.decorateRequest('certificateListener', false);
  const certificateListener = options.clientCertificates !== undefined;
  app.addHook('onRequest', async (request, reply) => {
    request.certificateListener = certificateListener;
    request.lang = languageOf(request, reply);
    // Pages hold personal and account data: never kept by a browser or a proxy.
    if (!request.url.startsWith('/static/')) reply.header('cache-control', 'no-store');
  });
  const gate = options.admission ?? processAdmissionGate(deps);
  admitRequests(app, deps, gate, Object.values(healthPaths));
  refuseEarlyWhenFull(app.server, gate, Object.values(healthPaths), (lang, path) => overloadRefusalPage(deps, lang, path), app.log);

  // The menu shows only what the person may use, and the count waiting for them.
  setMenuFactsSource(app, menuFacts);
  healthRoutes(app, deps, options.lifecycle ?? runningForever);
  logonRoutes(app, deps, { certificateListener });
  setupRoutes(app, deps);
  statusRoutes(app, deps);
  settingsRoutes(app, deps);
  otpAddressRoutes(app, deps);
  tokenActivationRoutes(app, deps);
  usersRoutes(app, deps);
  userSecurityRoutes(app, deps);
  securityPageRoutes(app, deps);
  accountsRoutes(app, deps);
  contractSettingsRoutes(app, deps);
  payeesRoutes(app, deps);
  transfersRoutes(app, deps);
  payEasyRoutes(app, deps, options.paymentCollector);
  bulkRoutes(app, deps);
  approvalsRoutes(app, deps);
  certificatesRoutes(app, deps);
  certificateAcquireRoutes(app, deps);

  installErrorPages(app, (request, message, code) => errorPage(deps, request, message, code));

  return app;
}

/** Decision 0027: the gate of a process by its configuration (REQUESTS_IN_FLIGHT_MAX, REQUESTS_QUEUED_MAX, REQUEST_QUEUE_WAIT_MS). */
export function processAdmissionGate(deps: Deps): AdmissionGate {
  const { requestsInFlightMax, requestsQueuedMax, requestQueueWaitMs } = deps.config;
  return admissionGate({ inFlightMax: requestsInFlightMax, queuedMax: requestsQueuedMax, queueWaitMs: requestQueueWaitMs });
}

/**
 * The ordinary listener never asks for a client certificate (a browser would otherwise prompt on
 * every page). The certificate listener asks for one but lets the handshake succeed without it or
 * with one it does not trust: the service then judges the certificate itself and answers with a
 * page that says what is wrong, instead of a connection failure the person cannot read.
 */
function handshakeOptions(deps: Deps, options: AppOptions): TlsOptions {
  if (!options.clientCertificates || deps.config.clientCertSource !== 'tls') return {};
  return { requestCert: true, rejectUnauthorized: false, ca: options.clientCertificates.ca };
}

function errorPage(deps: Deps, request: Parameters<typeof pageContext>[1], message: MessageKey, code?: string): string {
  return portalErrorPage(pageContext(deps, request), request.id, message, code);
}

/** The page of an overload refusal answered before Fastify (src/web/early-refusal.ts): no request id, as nothing logs it. */
function overloadRefusalPage(deps: Deps, lang: Language, path: string): string {
  return portalErrorPage(pageContextIn(deps, lang, path), undefined, 'error.SERVICE_OVERLOADED', 'SERVICE_OVERLOADED');
}

function portalErrorPage(page: PageContext, requestId: string | undefined, message: MessageKey, code?: string): string {
  return layout(page, 'error.title', errorBody(page.t, requestId, { message, code }, { href: '/logon', label: 'error.backToLogon' })).value;
}
