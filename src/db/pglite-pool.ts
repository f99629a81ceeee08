import type { PGlite } from '@electric-sql/pglite';
import { EmbeddedDatabaseFailed, isStorageFailure } from './storage-failure.ts';

/**
 * Whether an error of PGlite leaves its one session unfit for use: a write the disk refused (after
 * which PGlite 0.5 spins for ever on the next statement other than ROLLBACK, blocking the whole
 * process, and a later error can leave the backend's state corrupt), the WebAssembly instance
 * aborted, or its file system failed. A PostgreSQL error of the statement (a constraint, a bad
 * value) leaves it fit.
 */
function leavesSessionUnfit(error: unknown): boolean {
  return isStorageFailure(error) || error instanceof WebAssembly.RuntimeError || (error as { name?: unknown } | null)?.name === 'ErrnoError';
}

/**
 * Lets Kysely's PostgresDialect run on PGlite. PGlite has a single session, so the pool hands it to
 * one holder at a time: without the mutex two concurrent transactions would interleave their
 * statements on that one session.
 *
 * After a write failure the session is not used again by this process: every statement is refused
 * at once (the requests answer 503) and what was committed before stays as it is on disk, for the
 * next start once the disk has room (docs/reliability/mail-disk-clock.md). Closing it is safe.
 * `onFailure` is told once.
 */
export function pglitePool(pglite: PGlite, onFailure: (error: Error) => void = () => {}) {
  let tail: Promise<void> = Promise.resolve();
  let failed: EmbeddedDatabaseFailed | undefined;

  const run = async (sql: string, parameters: readonly unknown[]) => {
    if (failed) throw failed;
    try {
      // Migrations are several statements in one text, which only the simple protocol (exec) accepts.
      return parameters.length === 0 ? (await pglite.exec(sql)).at(-1)! : await pglite.query(sql, parameters as unknown[]);
    } catch (error) {
      if (!failed && leavesSessionUnfit(error)) {
        failed = new EmbeddedDatabaseFailed(error);
        onFailure(failed);
      }
      throw error;
    }
  };

  const client = {
    async query(sql: string, parameters: readonly unknown[]) {
      // exec returns one result per statement; a statement text has at least one.
      const result = await run(sql, parameters);
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
