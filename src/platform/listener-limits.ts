import type { ServerOptions as HttpServerOptions } from 'node:http';
import { isIPv6, type Server, type Socket } from 'node:net';

/**
 * How long and how much one client may hold of a listener: every listener of the service (the
 * portal, the certificate logon, the operator console, the plain-HTTP redirect) takes these, so that
 * a slow or abusive client ties up a bounded share of it — a connection that sends its headers a
 * byte at a time (slowloris), a body that trickles in, headers or bodies larger than any browser
 * sends, or many connections from one address. The figures and how they were measured are in
 * docs/operations.md ("Slow and abusive clients") and docs/reliability/abuse.md.
 */

/**
 * The request line and headers must have arrived within this time. A browser sends them in one or
 * two packets; a client still sending them after 10 s is holding the connection open on purpose.
 */
export const headersTimeoutMs = 10_000;

/**
 * The whole request, body included. The largest body is a bulk transfer file (BULK_FILE_BYTES_MAX,
 * 4 MB by default): over a slow 1 Mbit/s line it takes about 35 s, so two minutes leave room for a
 * larger configured file or a slower line, and a body that trickles in is cut off.
 */
export const requestTimeoutMs = 120_000;

/**
 * A connection with no traffic either way for this long is closed (Fastify's connectionTimeout):
 * no request of the service waits this long, the longest being a secret's wait for its busy
 * attempts (ATTEMPTS_BUSY_WAIT_MS, seconds).
 */
export const socketIdleTimeoutMs = 60_000;

/**
 * An idle keep-alive connection is closed after this long: enough for a page's styles, scripts and
 * next click, short enough not to hold sockets for nobody. Behind a load balancer that reuses
 * connections, its own idle timeout must be shorter than this.
 */
export const keepAliveTimeoutMs = 5_000;

/** A TLS handshake not finished within this time is abandoned (Node's default is two minutes). */
export const tlsHandshakeTimeoutMs = 10_000;

/**
 * The request line and all headers together. The largest a browser sends here is a few cookies;
 * behind the bank's proxy, the client certificate header (a URL-encoded PEM, 2–5 kB). Larger is
 * answered 431 before anything else runs.
 */
export const headerBytesMax = 16 * 1024;

/**
 * How often Node looks for requests past headersTimeoutMs or requestTimeoutMs: a slow request is
 * closed at most this much after its bound. Checking every open connection once a second costs
 * nothing measurable.
 */
export const connectionsCheckingIntervalMs = 1_000;

/**
 * Open connections from one client address at once; more are closed as soon as they connect, before
 * a TLS handshake. A browser opens up to 6 per host, and a company's office often reaches the bank
 * from one NAT address: 128 serves some twenty browsers at their busiest, while a single address
 * cannot hold the listener's sockets. An IPv6 client has its /64 to itself, so the addresses of one
 * /64 count together. The bank's own proxies (TRUSTED_PROXIES) carry everyone and are not capped.
 */
export const connectionsPerAddressMax = 128;

/** One listener's limits: the constants above, or smaller ones in a test that measures them. */
export interface ListenerLimits {
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  socketIdleTimeoutMs: number;
  keepAliveTimeoutMs: number;
  tlsHandshakeTimeoutMs: number;
  headerBytesMax: number;
  connectionsCheckingIntervalMs: number;
  connectionsPerAddressMax: number;
}

export const listenerLimits: ListenerLimits = {
  headersTimeoutMs,
  requestTimeoutMs,
  socketIdleTimeoutMs,
  keepAliveTimeoutMs,
  tlsHandshakeTimeoutMs,
  headerBytesMax,
  connectionsCheckingIntervalMs,
  connectionsPerAddressMax,
};

/** The options Node's HTTP (and HTTPS) server takes at its creation. */
export function nodeServerOptions(limits: ListenerLimits): HttpServerOptions {
  return {
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    maxHeaderSize: limits.headerBytesMax,
    connectionsCheckingInterval: limits.connectionsCheckingIntervalMs,
  };
}

/** The address whose connections count together: an IPv4 address (mapped or not), or an IPv6 address's /64. */
export function connectionAddressKey(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1]!;
  if (!isIPv6(address)) return address;
  const [head = '', tail] = address.split('::');
  const front = head === '' ? [] : head.split(':');
  const back = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = [...front, ...Array<string>(Math.max(0, 8 - front.length - back.length)).fill('0'), ...back];
  return `${groups.slice(0, 4).map((group) => group.toLowerCase().replace(/^0+(?=.)/, '')).join(':')}::/64`;
}

/**
 * Closes a connection as soon as it opens when its address already holds `max` of the listener's
 * connections. Runs before the TLS handshake, so a refused connection costs no key exchange.
 * `exempt`: addresses not capped (the bank's proxies).
 */
export function capConnectionsPerAddress(server: Server, max: number, exempt: (address: string) => boolean = () => false): void {
  const open = new Map<string, number>();
  server.prependListener('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? '';
    if (exempt(address)) return;
    const key = connectionAddressKey(address);
    const count = open.get(key) ?? 0;
    if (count >= max) {
      socket.destroy();
      return;
    }
    open.set(key, count + 1);
    socket.once('close', () => {
      const left = (open.get(key) ?? 1) - 1;
      if (left > 0) open.set(key, left);
      else open.delete(key);
    });
  });
}
