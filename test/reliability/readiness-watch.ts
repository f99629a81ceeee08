import { setTimeout as delay } from 'node:timers/promises';
import { HttpsClient } from '../helpers/https-client.ts';

export interface ReadinessSample {
  /** performance.now() when the answer came. */
  at: number;
  ready: boolean;
  /** 'database' | 'migrations' | 'stopping' as /readyz says, or 'unreachable' when the process did not answer. */
  reason?: string;
}

/**
 * Asks a process's /readyz over and over, each time on a new connection, as a load balancer's health
 * check does, and keeps what it said when.
 */
export class ReadinessWatch {
  readonly base: string;
  readonly samples: ReadinessSample[] = [];
  readonly #client = new HttpsClient();
  #running = false;
  #loop: Promise<void> = Promise.resolve();

  constructor(base: string) {
    this.base = base;
  }

  start(everyMs: number): this {
    this.#running = true;
    this.#loop = (async () => {
      while (this.#running) {
        this.samples.push(await this.ask());
        await delay(everyMs);
      }
    })();
    return this;
  }

  async stop(): Promise<void> {
    this.#running = false;
    await this.#loop;
    this.#client.close();
  }

  async ask(): Promise<ReadinessSample> {
    try {
      const answer = await this.#client.get(this.base, '/readyz');
      const body = JSON.parse(answer.body) as { ready?: boolean; reason?: string };
      return { at: performance.now(), ready: answer.status === 200 && body.ready === true, reason: body.reason };
    } catch {
      return { at: performance.now(), ready: false, reason: 'unreachable' };
    }
  }

  /** The last thing /readyz said (false before it was first asked). */
  get ready(): boolean {
    return this.samples.at(-1)?.ready ?? false;
  }

  /** Milliseconds from `since` until /readyz first said ready, waiting up to `waitMs`; undefined if it never did. */
  async readyAfter(since: number, waitMs: number): Promise<number | undefined> {
    const deadline = performance.now() + waitMs;
    for (;;) {
      const sample = this.samples.find((s) => s.at > since && s.ready);
      if (sample) return sample.at - since;
      if (performance.now() > deadline) return undefined;
      await delay(10);
    }
  }

  /** How many answers between `from` and `to` said not ready for `reason`. */
  count(reason: string, from: number, to: number): number {
    return this.samples.filter((s) => s.at >= from && s.at <= to && !s.ready && s.reason === reason).length;
  }
}
