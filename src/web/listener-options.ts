import type { ServerOptions as HttpServerOptions } from 'node:http';
import type { FastifyServerOptions } from 'fastify';
import { nodeServerOptions, type ListenerLimits } from '../platform/listener-limits.ts';

/**
 * A listener's limits as Fastify takes them: the socket's idle bound (connectionTimeout), the
 * keep-alive and whole-request bounds it sets on Node's server, and the options Node's server is
 * made with (headers' time and size, how often the bounds are checked) for a plain-HTTP listener;
 * a TLS listener gets the same in its `https` options.
 */
export function fastifyLimitOptions(limits: ListenerLimits): Pick<FastifyServerOptions, 'connectionTimeout' | 'keepAliveTimeout' | 'requestTimeout'> & { http: HttpServerOptions } {
  return {
    connectionTimeout: limits.socketIdleTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    http: nodeServerOptions(limits),
  };
}
