import type { PGlite } from '@electric-sql/pglite';

/**
 * Lets Kysely's PostgresDialect run on PGlite. PGlite has a single session, so the pool hands it to
 * one holder at a time: without the mutex two concurrent transactions would interleave their
 * statements on that one session.
 */
export function pglitePool(pglite: PGlite) {
  let tail: Promise<void> = Promise.resolve();

  const client = {
    async query(sql: string, parameters: readonly unknown[]) {
      // Migrations are several statements in one text, which only the simple protocol (exec) accepts.
      const result =
        // exec returns one result per statement; a statement text has at least one.
        parameters.length === 0 ? (await pglite.exec(sql)).at(-1)! : await pglite.query(sql, parameters as unknown[]);
      return {
        rows: result.rows,
        rowCount: result.affectedRows ?? result.rows.length,
        command: (/^\s*(\w+)/.exec(sql)?.[1] ?? '').toUpperCase(),
      };
    },
    release() {},
  };

  return {
    async connect() {
      let release!: () => void;
      const previous = tail;
      tail = new Promise<void>((resolve) => (release = resolve));
      await previous;
      return { ...client, release };
    },
    async end() {
      await tail;
      await pglite.close();
    },
  };
}
