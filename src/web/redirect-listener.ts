import { createServer, type Server } from 'node:http';
import { bareErrorHandlers } from './bare-error-page.ts';
import { capConnectionsPerAddress, listenerLimits, nodeServerOptions, type ListenerLimits } from '../platform/listener-limits.ts';

/**
 * R4.7: the plain-HTTP listener (HTTP_REDIRECT_PORT) answers every request with a redirect to the
 * same path under PUBLIC_URL, and nothing else. It takes the listeners' bounds like the others: a
 * slow or abusive client holds it no longer than the portal. A request target that is not a path
 * (an absolute URL, `*`) is sent to the portal's root.
 */
export function redirectListener(publicUrl: string, bankName: string, limits: ListenerLimits = listenerLimits): Server {
  const server = createServer(nodeServerOptions(limits), (request, response) => {
    const path = request.url?.startsWith('/') ? request.url : '/';
    response.writeHead(308, { location: `${publicUrl}${path}`, 'content-length': '0' }).end();
  });
  server.setTimeout(limits.socketIdleTimeoutMs);
  // Headers too large, too slow, not HTTP: the portal's bare page, not Node's empty answer.
  server.on('clientError', bareErrorHandlers(bankName).clientErrorHandler!);
  capConnectionsPerAddress(server, limits.connectionsPerAddressMax);
  return server;
}
