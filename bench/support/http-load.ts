import { RawHttpsConnection, type Answer } from './raw-https-client.ts';

/**
 * Two ways to load a service over HTTPS with keep-alive connections, counting every answer:
 * - closed loop: `connections` clients, each sending its next request when the last is answered
 *   (the throughput a number of busy users gets, which stops growing at the service's capacity);
 * - open loop: requests arrive at a fixed rate whatever the service does, each on an idle
 *   connection or a new one (as many independent users would), so a service that falls behind
 *   sees its backlog grow instead of its clients slowing down. Latency is counted from when each
 *   request was due, so a request that waited for the client is not flattered.
 * autocannon's rate option is not an open loop: each connection sends its quota of the second
 * back to back from the second's start and then waits, which bunches arrivals and throttles them
 * to the service's own pace.
 */

/** A request no answer came to in this time is counted as timed out (autocannon's default bound). */
export const answerTimeoutMs = 10_000;

export class Tally {
  /** Milliseconds of each 2xx answer, of each 503, by when the request was due. */
  readonly served: number[] = [];
  readonly refused: number[] = [];
  /** Answers of any other status, by status. */
  readonly other = new Map<number, number>();
  /** 503s that did not say when to try again (Retry-After): a refusal must. */
  refusedWithoutRetryAfter = 0;
  /** Connections that failed under a request (reset, closed before the answer). */
  errors = 0;
  timeouts = 0;
  /** Requests that found no connection to go on (open loop, connectionsMax reached): not sent. */
  notSent = 0;
  /** 2xx answers that arrived inside the measured window. */
  servedInWindow = 0;

  record({ status, retryAfter }: Answer, ms: number, inWindow: boolean): void {
    if (status === 503 && !retryAfter) this.refusedWithoutRetryAfter++;
    if (status >= 200 && status < 300) {
      this.served.push(ms);
      if (inWindow) this.servedInWindow++;
    } else if (status === 503) this.refused.push(ms);
    else this.other.set(status, (this.other.get(status) ?? 0) + 1);
  }

  get otherCount(): number {
    return [...this.other.values()].reduce((sum, n) => sum + n, 0);
  }

  /** One tally of several runs' answers. */
  static merged(tallies: readonly Tally[]): Tally {
    const all = new Tally();
    for (const tally of tallies) {
      all.served.push(...tally.served);
      all.refused.push(...tally.refused);
      for (const [status, count] of tally.other) all.other.set(status, (all.other.get(status) ?? 0) + count);
      all.refusedWithoutRetryAfter += tally.refusedWithoutRetryAfter;
      all.errors += tally.errors;
      all.timeouts += tally.timeouts;
      all.notSent += tally.notSent;
      all.servedInWindow += tally.servedInWindow;
    }
    return all;
  }
}

/** Keep-alive connections to one port, reused while they stay open. */
export class ConnectionPool {
  readonly #port: number;
  readonly #idle: RawHttpsConnection[] = [];
  readonly #all = new Set<RawHttpsConnection>();
  readonly max: number;

  constructor(port: number, max: number) {
    this.#port = port;
    this.max = max;
  }

  get open(): number {
    for (const connection of this.#all) if (connection.closed) this.#all.delete(connection);
    return this.#all.size;
  }

  /**
   * An idle open connection, a new one while under `max`, or undefined. A connection idle at `now`
   * for nearly as long as the server keeps one is closed here instead of reused (keepAliveMarginMs).
   */
  take(now = performance.now()): RawHttpsConnection | undefined {
    while (this.#idle.length > 0) {
      const connection = this.#idle.pop()!;
      if (connection.reusableAt(now)) return connection;
      connection.close();
      this.#all.delete(connection);
    }
    if (this.open >= this.max) return undefined;
    const connection = new RawHttpsConnection(this.#port);
    this.#all.add(connection);
    return connection;
  }

  give(connection: RawHttpsConnection): void {
    if (connection.usable) this.#idle.push(connection);
    else this.#all.delete(connection);
  }

  close(): void {
    for (const connection of this.#all) connection.close();
    this.#all.clear();
    this.#idle.length = 0;
  }
}

/** Sends one request on a connection of the pool; records its answer, its timeout or its error. */
async function sendOne(pool: ConnectionPool, connection: RawHttpsConnection, request: Buffer, due: number, windowEnd: number, tally: Tally): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), answerTimeoutMs)));
  try {
    const answer = await Promise.race([connection.send(request), timedOut]);
    if (answer === 'timeout') {
      tally.timeouts++;
      connection.close();
      return;
    }
    const done = performance.now();
    tally.record(answer, done - due, done <= windowEnd);
  } catch {
    tally.errors++;
  } finally {
    clearTimeout(timer);
    pool.give(connection);
  }
}

/** `connections` clients back to back for `seconds`; the 2xx answers per second within the window. */
export async function closedLoop(pool: ConnectionPool, connections: number, seconds: number, nextRequest: () => Buffer): Promise<{ tally: Tally; seconds: number; servedPerSecond: number }> {
  const tally = new Tally();
  const start = performance.now();
  const end = start + seconds * 1000;
  const client = async () => {
    while (performance.now() < end) {
      const connection = pool.take();
      if (!connection) throw new Error('closed loop: more clients than the pool allows');
      await sendOne(pool, connection, nextRequest(), performance.now(), end, tally);
    }
  };
  await Promise.all(Array.from({ length: connections }, client));
  return { tally, seconds, servedPerSecond: tally.servedInWindow / seconds };
}

/** Requests due at `rate` per second for `seconds`; waits for every answer (or its timeout). */
export async function openLoop(pool: ConnectionPool, rate: number, seconds: number, nextRequest: () => Buffer): Promise<{ tally: Tally; seconds: number; offered: number; servedPerSecond: number }> {
  const tally = new Tally();
  const start = performance.now();
  const end = start + seconds * 1000;
  const total = Math.round(rate * seconds);
  const sending: Promise<void>[] = [];
  let next = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      for (; next < total && start + (next * 1000) / rate <= now; next++) {
        const connection = pool.take();
        if (!connection) {
          tally.notSent++;
          continue;
        }
        sending.push(sendOne(pool, connection, nextRequest(), start + (next * 1000) / rate, end, tally));
      }
      if (next >= total) resolve();
      else setTimeout(tick, 1);
    };
    tick();
  });
  await Promise.all(sending);
  return { tally, seconds, offered: total / seconds, servedPerSecond: tally.servedInWindow / seconds };
}
