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

/** The pool as Kysely's PostgresDialect takes it, each client's parameterised statements named. */
export function withPreparedStatements(pool: pg.Pool, names = new StatementNames()): PostgresPool {
  // One wrapper per pg client, so Kysely (which keys its connections on the client) keeps reusing them.
  const wrappers = new WeakMap<pg.PoolClient, PostgresPoolClient>();
  const wrap = (client: pg.PoolClient): PostgresPoolClient => ({
    query(text: string | object, values?: readonly unknown[]) {
      if (typeof text !== 'string') return client.query(text as never);
      const name = values !== undefined && values.length > 0 ? names.nameOf(text) : undefined;
      return (name === undefined ? client.query(text, values as unknown[]) : client.query({ name, text, values: values as unknown[] })) as never;
    },
    release: () => client.release(),
  }) as unknown as PostgresPoolClient;
  return {
    async connect() {
      const client = await pool.connect();
      let wrapper = wrappers.get(client);
      if (wrapper === undefined) {
        wrapper = wrap(client);
        wrappers.set(client, wrapper);
      }
      return wrapper;
    },
    end: () => pool.end(),
  };
}
