import pg from 'pg';

/**
 * Every statement this process sends to PostgreSQL while a capture runs, with the values of its
 * first run: heard at pg's client, below Kysely and the prepared-statement wrapper
 * (src/db/prepared-statements.ts), so that what is captured is exactly what the server was sent.
 */
export interface CapturedStatement {
  text: string;
  values: unknown[];
  /** What the test was doing when the statement ran (a route, a use case). */
  during: string;
}

type Query = (this: pg.Client, ...args: unknown[]) => unknown;

export class StatementCapture {
  readonly #statements = new Map<string, CapturedStatement>();
  #during = '';
  #paused = false;
  #original: Query | undefined;

  start(): void {
    const original = pg.Client.prototype.query as unknown as Query;
    this.#original = original;
    const capture = this;
    (pg.Client.prototype as unknown as { query: Query }).query = function (this: pg.Client, ...args: unknown[]) {
      capture.#hear(args[0], args[1]);
      return original.apply(this, args);
    };
  }

  stop(): void {
    if (this.#original) (pg.Client.prototype as unknown as { query: Query }).query = this.#original;
    this.#original = undefined;
  }

  /** Runs `work`, labelling the statements it sends. */
  async during<T>(label: string, work: () => Promise<T>): Promise<T> {
    this.#during = label;
    try {
      return await work();
    } finally {
      this.#during = '';
    }
  }

  /** Runs `work` unheard: the test's own reads (a code from the outbox, as a person reads mail) are not the service's. */
  async outside<T>(work: () => Promise<T>): Promise<T> {
    this.#paused = true;
    try {
      return await work();
    } finally {
      this.#paused = false;
    }
  }

  get statements(): CapturedStatement[] {
    return [...this.#statements.values()];
  }

  #hear(first: unknown, second: unknown): void {
    const config = typeof first === 'string' ? { text: first, values: second } : (first as { text?: unknown; values?: unknown } | undefined);
    if (this.#paused || typeof config?.text !== 'string') return;
    if (!this.#statements.has(config.text)) {
      this.#statements.set(config.text, { text: config.text, values: Array.isArray(config.values) ? [...config.values] : [], during: this.#during });
    }
  }
}
