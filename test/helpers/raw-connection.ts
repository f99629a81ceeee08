import net from 'node:net';
import tls from 'node:tls';

/**
 * A client that speaks HTTP by hand over TCP or TLS, to be as slow, as large or as many as an
 * abusive one: it writes what it is told when it is told, and records what came back and when the
 * server closed the connection.
 */
export interface RawConnection {
  socket: net.Socket;
  /** Milliseconds from the connection's start (TCP connect, or the end of the handshake). */
  elapsed(): number;
  /** Everything the server sent, as text. */
  received(): string;
  /** Resolves when the server (or the network) closed the connection, with the time it took. */
  closed: Promise<number>;
  /** Whether the connection reached the point where HTTP can be sent (TCP connected, TLS handshaken). */
  opened: Promise<boolean>;
}

export function connect(port: number, options: { tls: boolean; localAddress?: string; host?: string }): RawConnection {
  const host = options.host ?? '127.0.0.1';
  const started = performance.now();
  let readyAt = started;
  const chunks: Buffer[] = [];
  const socket = options.tls
    ? tls.connect({ socket: net.connect({ host, port, localAddress: options.localAddress }), rejectUnauthorized: false, servername: 'localhost' })
    : net.connect({ host, port, localAddress: options.localAddress });
  const opened = new Promise<boolean>((resolve) => {
    socket.once(options.tls ? 'secureConnect' : 'connect', () => {
      readyAt = performance.now();
      resolve(true);
    });
    socket.once('close', () => resolve(false));
  });
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  // A reset by the server is how some refusals arrive; the close below reports it.
  socket.on('error', () => {});
  const closed = new Promise<number>((resolve) => socket.once('close', () => resolve(performance.now() - readyAt)));
  return {
    socket,
    elapsed: () => performance.now() - readyAt,
    received: () => Buffer.concat(chunks).toString('utf8'),
    closed,
    opened,
  };
}

/**
 * Writes `text` a piece at a time, `everyMs` apart, until it is written or the connection closed
 * (slowloris writes headers this way; a slow body the same).
 */
export async function drip(connection: RawConnection, text: string | Buffer, options: { everyMs: number; bytes?: number }): Promise<void> {
  const data = Buffer.isBuffer(text) ? text : Buffer.from(text);
  const step = options.bytes ?? 1;
  let closed = false;
  void connection.closed.then(() => (closed = true));
  for (let at = 0; at < data.length && !closed; at += step) {
    connection.socket.write(data.subarray(at, at + step));
    await new Promise((resolve) => setTimeout(resolve, options.everyMs));
  }
}

/** The status code of the first answer received, or undefined when none came. */
export function statusOf(received: string): number | undefined {
  const status = /^HTTP\/1\.1 (\d{3}) /.exec(received)?.[1];
  return status === undefined ? undefined : Number(status);
}
