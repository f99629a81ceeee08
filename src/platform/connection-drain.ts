import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { Server as NetServer, type Socket } from 'node:net';
import { Server as TlsServer } from 'node:tls';

/**
 * How long, after SIGTERM, requests in flight may take to finish. A request still running then is
 * cut off; none of the service's requests takes near this long, but a database that hangs could.
 */
export const drainWaitMs = 10_000;

/**
 * The whole graceful stop (src/main.ts): the drain, then the background jobs' rounds in progress
 * and the pool's connections. A stop that takes longer ends the process with exit status 1.
 */
export const stopWaitMs = drainWaitMs + 5_000;

/**
 * How long a keep-alive connection may stay idle once the process drains (counted from the stop, or
 * from its last answer) before it is closed. Closing an idle connection the moment the stop begins
 * would race with a request its client (a browser, a load balancer) is writing onto it at that
 * moment, which would be reset, unanswered: a client that is sending gets its next answer with
 * `Connection: close` within this time instead, and a balancer has seen /readyz say "stopping" (or
 * its connections refused) and sends nothing more here.
 */
export const drainIdleGraceMs = 1_000;

/** How often the drain looks at its connections. */
const drainLookMs = 20;

/** What a drain met and did: the figures of a graceful stop (docs/reliability/database-and-shutdown.md). */
export interface DrainFigures {
  /** Requests being answered when the drain began. */
  inFlight: number;
  /** Requests answered after the drain began (those in flight, and those that came on open connections). */
  answered: number;
  /** Idle keep-alive connections closed after the grace. */
  idleClosed: number;
  /** Requests cut off at `drainWaitMs`: zero unless something hung. */
  cut: number;
  ms: number;
}

export interface DrainableServer {
  /**
   * Stops accepting connections at once; answers every request already sent, each answer with
   * `Connection: close` so that the client moves on; closes connections left idle; resolves once
   * none is left, or at `waitMs`, cutting off what still runs.
   */
  drain(options?: { waitMs?: number; idleGraceMs?: number }): Promise<DrainFigures>;
}

interface Connection {
  responses: Set<ServerResponse>;
  idleSince: number;
}

/**
 * Follows the connections and requests of an HTTP or HTTPS server from now on, so that it can be
 * drained. Call before the server listens.
 */
export function drainable(server: Server): DrainableServer {
  const connections = new Map<Socket, Connection>();
  let draining = false;
  let answered = 0;
  // Over TLS, requests arrive on the TLS socket, which exists once the handshake is done.
  server.on(server instanceof TlsServer ? 'secureConnection' : 'connection', (socket: Socket) => {
    connections.set(socket, { responses: new Set(), idleSince: performance.now() });
    socket.once('close', () => connections.delete(socket));
  });
  // Before the application's own listener, so that the header is there whatever it answers.
  server.prependListener('request', (request: IncomingMessage, response: ServerResponse) => {
    const connection = connections.get(request.socket);
    if (draining) response.setHeader('connection', 'close');
    if (!connection) return;
    connection.responses.add(response);
    response.once('close', () => {
      connection.responses.delete(response);
      connection.idleSince = performance.now();
      if (draining && response.writableFinished) answered++;
    });
  });

  return {
    async drain(options = {}) {
      const waitMs = options.waitMs ?? drainWaitMs;
      const idleGraceMs = options.idleGraceMs ?? drainIdleGraceMs;
      const started = performance.now();
      draining = true;
      let inFlight = 0;
      for (const connection of connections.values()) {
        for (const response of connection.responses) {
          inFlight++;
          if (!response.headersSent) response.setHeader('connection', 'close');
        }
      }
      // Not server.close(): an HTTP server's close also ends every idle keep-alive connection at
      // once, which races with requests being written onto them (drainIdleGraceMs). The listening
      // socket alone is closed here; the connections are ended below. Its callback comes once no
      // connection is left, counting those still in their TLS handshake, which may yet send a request.
      let closed = false;
      NetServer.prototype.close.call(server, () => (closed = true));
      let idleClosed = 0;
      const ending = new Set<Socket>();
      while (!closed && performance.now() - started < waitMs) {
        const now = performance.now();
        for (const [socket, connection] of connections) {
          const idleSince = Math.max(connection.idleSince, started);
          if (connection.responses.size === 0 && now - idleSince >= idleGraceMs && !ending.has(socket)) {
            ending.add(socket);
            idleClosed++;
            socket.destroySoon();
          }
        }
        await new Promise((resolve) => setTimeout(resolve, drainLookMs));
      }
      let cut = 0;
      if (!closed) {
        for (const [socket, connection] of connections) {
          cut += connection.responses.size;
          socket.destroy();
        }
        server.closeAllConnections();
      }
      return { inFlight, answered, idleClosed, cut, ms: Math.round(performance.now() - started) };
    },
  };
}
