import { createConnection, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP relay between a service and its PostgreSQL server that fails the way the server does when
 * it restarts, without restarting the server (which other work shares): `refuse` stops accepting
 * connections for a while (connection refused, as while the server is down), `cut` drops every
 * connection at once (as a network cut or a crash: the pool's connections fail mid-statement). The
 * server's own end of a restart, FATAL 57P01 to every session, is pg_terminate_backend.
 */
export interface DatabaseProxy {
  /** The URL the service is given: `databaseUrl` with the relay's host and port. */
  url(databaseUrl: string): string;
  /** Connections relayed at this moment. */
  readonly open: number;
  /** Ends every relayed connection abruptly (RST to the service); returns how many. */
  cut(): number;
  /** Stops accepting connections; `accept` starts again on the same port. */
  refuse(): Promise<void>;
  accept(): Promise<void>;
  close(): Promise<void>;
}

const host = '127.0.0.1';

export async function startDatabaseProxy(serverUrl: string): Promise<DatabaseProxy> {
  const upstream = new URL(serverUrl);
  const pairs = new Set<[Socket, Socket]>();
  const relay = (client: Socket) => {
    const database = createConnection({ host: upstream.hostname, port: Number(upstream.port || 5432) });
    const pair: [Socket, Socket] = [client, database];
    pairs.add(pair);
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      database.destroy();
    };
    client.on('error', end).on('close', end);
    database.on('error', end).on('close', end);
    client.pipe(database);
    database.pipe(client);
  };
  // A listener per period of accepting: closing one stops accepting at once, whatever it relays.
  let server: Server | undefined;
  let port = 0;
  const listen = async () => {
    if (server) return;
    const next = createServer(relay);
    await new Promise<void>((resolve, reject) => next.once('error', reject).listen(port, host, () => resolve()));
    port = (next.address() as { port: number }).port;
    server = next;
  };
  const stopListening = () => {
    server?.close();
    server = undefined;
  };
  const cut = () => {
    const count = pairs.size;
    for (const [client, database] of pairs) {
      client.resetAndDestroy();
      database.destroy();
    }
    pairs.clear();
    return count;
  };
  await listen();

  return {
    url(databaseUrl) {
      const url = new URL(databaseUrl);
      url.hostname = host;
      url.port = String(port);
      return url.toString();
    },
    get open() {
      return pairs.size;
    },
    cut,
    async refuse() {
      stopListening();
    },
    accept: listen,
    async close() {
      stopListening();
      cut();
    },
  };
}
