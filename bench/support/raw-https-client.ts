import { connect, type TLSSocket } from 'node:tls';

/**
 * One keep-alive HTTPS/1.1 connection that sends prepared requests one at a time and reads just
 * enough of each answer to know its status and where it ends. A load generator that shares the
 * machine with the service must cost little per request: no header objects, no body decoding.
 * The service's certificate is self-signed for the run, so it is not verified.
 */
export interface Answer {
  status: number;
  /** The service asked for the connection to be closed after this answer. */
  closes: boolean;
  /** The answer said when to try again (Retry-After). */
  retryAfter: boolean;
}

const headerEnd = Buffer.from('\r\n\r\n');
const chunkedEnd = Buffer.from('0\r\n\r\n');

/**
 * How long before the server's stated keep-alive timeout an idle connection stops being reused.
 * A request sent on a connection the server is closing as idle is lost ("closed before the
 * answer"), and a busy client sees the server's close late: HTTP clients such as undici stop
 * reusing a connection this long before the server's hint, and so does this one.
 */
export const keepAliveMarginMs = 1_000;

export class RawHttpsConnection {
  readonly #socket: TLSSocket;
  #ready: Promise<void>;
  #buffer: Buffer = Buffer.alloc(0);
  #waiting: { resolve(answer: Answer): void; reject(error: Error): void } | undefined;
  #closed = false;
  /** When the last answer ended, and how long the server said it keeps an idle connection (Keep-Alive: timeout=…). */
  #idleSince = 0;
  #keepAliveMs: number | undefined;

  constructor(port: number, host = '127.0.0.1') {
    this.#socket = connect({ port, host, rejectUnauthorized: false, servername: 'localhost' });
    this.#ready = new Promise((resolve, reject) => {
      this.#socket.once('secureConnect', () => resolve());
      this.#socket.once('error', reject);
    });
    this.#ready.catch(() => {});
    this.#socket.on('data', (chunk: Buffer) => {
      this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
      this.#readAnswer();
    });
    const lost = (error?: Error) => {
      this.#closed = true;
      const waiting = this.#waiting;
      this.#waiting = undefined;
      waiting?.reject(error ?? new Error('connection closed before the answer'));
    };
    this.#socket.on('error', lost);
    this.#socket.on('close', () => lost());
  }

  /** Whether another request may be sent on it (it is open and not waiting for an answer). */
  get usable(): boolean {
    return !this.#closed && this.#waiting === undefined;
  }

  /** Usable, and idle for less than the server keeps it open less the margin: another request may be sent on it now. */
  reusableAt(now: number): boolean {
    return this.usable && (this.#keepAliveMs === undefined || now - this.#idleSince < this.#keepAliveMs - keepAliveMarginMs);
  }

  get closed(): boolean {
    return this.#closed;
  }

  async send(request: Buffer): Promise<Answer> {
    await this.#ready;
    if (this.#closed) throw new Error('connection closed');
    return new Promise<Answer>((resolve, reject) => {
      this.#waiting = { resolve, reject };
      this.#socket.write(request);
    });
  }

  close(): void {
    this.#closed = true;
    this.#socket.destroy();
  }

  #readAnswer(): void {
    const end = this.#buffer.indexOf(headerEnd);
    if (end < 0 || !this.#waiting) return;
    const head = this.#buffer.subarray(0, end).toString('latin1');
    const status = Number(head.slice(9, 12));
    const length = /\r\ncontent-length: *(\d+)/i.exec(head);
    const closes = /\r\nconnection: *close/i.test(head);
    const retryAfter = /\r\nretry-after: *\d+/i.test(head);
    const keepAlive = /\r\nkeep-alive: *timeout=(\d+)/i.exec(head);
    let total: number;
    if (length) {
      total = end + 4 + Number(length[1]);
      if (this.#buffer.length < total) return;
    } else {
      // Chunked: the service's pages are sent whole, so the last chunk is in view once it arrives.
      const last = this.#buffer.indexOf(chunkedEnd, end + 4);
      if (last < 0) return;
      total = last + chunkedEnd.length;
    }
    this.#buffer = this.#buffer.subarray(total);
    const waiting = this.#waiting;
    this.#waiting = undefined;
    this.#idleSince = performance.now();
    if (keepAlive) this.#keepAliveMs = Number(keepAlive[1]) * 1000;
    if (closes) this.close();
    waiting.resolve({ status, closes, retryAfter });
  }
}

/** A GET as a browser sends it, prepared once. */
export function getRequest(path: string, headers: Record<string, string>): Buffer {
  const lines = [`GET ${path} HTTP/1.1`, ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`)];
  return Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
}
