import { createServer, type Server, type Socket } from 'node:net';
import { openDatabase, type Db } from '../../src/db/open.ts';

/**
 * Databases that fail as a real one fails, for the answers of a service whose database is out of
 * reach: a port nobody listens on (connection refused at once, as while PostgreSQL restarts), and
 * a server that accepts connections and never answers (a database that hangs).
 */
const host = '127.0.0.1';

async function listening(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return (server.address() as { port: number }).port;
}

/** A pool on a port that was free a moment ago: every connection is refused. */
export async function refusingDatabase(): Promise<Db> {
  const server = createServer();
  const port = await listening(server);
  await new Promise((resolve) => server.close(resolve));
  return openDatabase({ databaseUrl: `postgres://postgres@${host}:${port}/unreachable`, poolSize: 2 });
}

/**
 * A pool on a server that takes connections and says nothing; `accepted` counts the connections it
 * took. `connectionWaitMs`: the pool's bound on a connect (the service's default when not given).
 */
export async function silentDatabase(options: { connectionWaitMs?: number } = {}): Promise<{ db: Db; accepted(): number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  const server = createServer((socket) => {
    accepted++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const port = await listening(server);
  const db = await openDatabase({ databaseUrl: `postgres://postgres@${host}:${port}/silent`, poolSize: 2, connectionWaitMs: options.connectionWaitMs });
  return {
    db,
    accepted: () => accepted,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
      await db.destroy().catch(() => undefined);
    },
  };
}
