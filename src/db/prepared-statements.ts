import type { PostgresPool, PostgresPoolClient } from 'kysely';
import type pg from 'pg';

/**
 * Runs parameterised statements on pg as named prepared statements (docs/decisions/0010): the
 * server parses and plans a statement's text once per connection instead of on every run, which
 * for the CTE statements of a transfer was most of PostgreSQL's CPU. pg keeps, per connection,
 * the names it has prepared there and sends only Bind/Execute for them after the first run.
 *
 * A statement without parameters runs as before, on the simple protocol: a migration is several
 * commands in one text, which only that protocol accepts, and BEGIN/COMMIT gain nothing.
 *
 * The number of distinct texts that get a name is bounded per process (each is a plan held by every
 * connection that ran it): texts built with variable IN-lists or inline literals would otherwise
 * grow it without end. Past the bound, new texts run unnamed, as every statement did before.
 */
export const preparedStatementNamesMax = 400;

export class StatementNames {
  readonly #names = new Map<string, string>();
  readonly #max: number;

  constructor(max = preparedStatementNamesMax) {
    this.#max = max;
  }

  /**
   * The name of the text, or undefined when the bound is reached. Names are handed out in order
   * rather than hashed from the text, so two texts can never share one (pg refuses that).
   */
  nameOf(text: string): string | undefined {
    const known = this.#names.get(text);
    if (known !== undefined || this.#names.size >= this.#max) return known;
    const name = `s${this.#names.size + 1}`;
    this.#names.set(text, name);
    return name;
  }

  get size(): number {
    return this.#names.size;
  }
}

/**
 * SQLSTATEs with which the server ends a session instead of running what it was sent: an
 * administrator's pg_terminate_backend or a shutdown (57P01), a crash of another backend (57P02),
 * a server not yet accepting (57P03). A statement answered so did not commit.
 */
const sessionEndedCodes = new Set(['57P01', '57P02', '57P03']);

function sessionEndedBeforeRunning(error: unknown): boolean {
  return sessionEndedCodes.has((error as { code?: unknown })?.code as string) || error instanceof ConnectionLostBeforeRunning;
}

/** The statement was not sent: the connection checked out had already failed. */
class ConnectionLostBeforeRunning extends Error {
  constructor() {
    super('Connection terminated before the statement was sent');
  }
}

/**
 * One pg client as Kysely uses it between checkout and release. The server can end an idle pooled
 * connection at any moment (restart, failover, idle_session_timeout, pg_terminate_backend), and
 * the pool learns of it only when the socket's news is read: a request can be handed the dead
 * connection first. When the first statement after checkout is refused because the session was
 * ended, or finds the connection already failed, nothing ran (and no transaction is open yet), so
 * it runs again on another connection, which then serves the rest of this checkout. Any later
 * failure is the caller's, as before.
 */
class PooledConnection {
  readonly #pool: pg.Pool;
  readonly #names: StatementNames;
  readonly #lost: WeakSet<pg.Client>;
  #client: pg.PoolClient;
  #fresh = true;
  /** False once the client was given back for a failed one and no other could be had (the server refuses): nothing to release. */
  #holding = true;

  constructor(pool: pg.Pool, client: pg.PoolClient, names: StatementNames, lost: WeakSet<pg.Client>) {
    this.#pool = pool;
    this.#client = client;
    this.#names = names;
    this.#lost = lost;
  }

  checkedOut(client: pg.PoolClient): this {
    this.#client = client;
    this.#fresh = true;
    this.#holding = true;
    return this;
  }

  async query(text: string | object, values?: readonly unknown[]) {
    const fresh = this.#fresh;
    this.#fresh = false;
    // Every idle connection of the pool may have been ended together: try each at most once, then a new one.
    for (let triesLeft = this.#pool.totalCount; ; triesLeft--) {
      try {
        if (fresh && this.#lost.has(this.#client)) throw new ConnectionLostBeforeRunning();
        return await this.#run(text, values);
      } catch (error) {
        if (!fresh || triesLeft === 0 || !sessionEndedBeforeRunning(error)) throw error;
        this.#client.release(error as Error); // the pool destroys it instead of keeping it
        this.#holding = false;
        this.#client = await this.#pool.connect();
        this.#holding = true;
      }
    }
  }

  release(): void {
    if (this.#holding) this.#client.release();
    this.#holding = false;
  }

  #run(text: string | object, values?: readonly unknown[]) {
    if (typeof text !== 'string') return this.#client.query(text as never);
    const name = values !== undefined && values.length > 0 ? this.#names.nameOf(text) : undefined;
    return name === undefined
      ? this.#client.query(text, values as unknown[])
      : this.#client.query({ name, text, values: values as unknown[] });
  }
}

/** The pool as Kysely's PostgresDialect takes it, each client's parameterised statements named. */
export function withPreparedStatements(pool: pg.Pool, names = new StatementNames()): PostgresPool {
  // One wrapper per pg client, so Kysely (which keys its connections on the client) keeps reusing them.
  const wrappers = new WeakMap<pg.PoolClient, PooledConnection>();
  // The pool listens for the failure of an idle connection only: a connection that fails while a
  // request holds it (between two statements of a transaction, or before its first) emits the error
  // to nobody, and an error event without a listener ends the process. Here every connection has a
  // listener: the failure is noted, the holder's next statement fails (503, nothing committed), and
  // a connection found failed at checkout is replaced before its first statement.
  const lost = new WeakSet<pg.Client>();
  pool.on('connect', (client) => {
    client.on('error', () => lost.add(client));
  });
  return {
    async connect() {
      const client = await pool.connect();
      let wrapper = wrappers.get(client);
      if (wrapper === undefined) {
        wrapper = new PooledConnection(pool, client, names, lost);
        wrappers.set(client, wrapper);
      }
      return wrapper.checkedOut(client) as unknown as PostgresPoolClient;
    },
    end: () => pool.end(),
  };
}
