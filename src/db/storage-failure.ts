/**
 * The database cannot write (its disk is full, or failing). PostgreSQL answers SQLSTATE 53100
 * (disk_full) or 58030 (io_error) for the statement and goes on serving; the service answers such a
 * request 503 with a page that says nothing was done (web/error-pages.ts), never a stack trace.
 */
const storageStates = new Set(['53100', '58030']);

export function isStorageFailure(error: unknown): boolean {
  return error instanceof EmbeddedDatabaseFailed || storageStates.has(String((error as { code?: unknown } | null)?.code));
}

/**
 * The embedded database met a write failure and is no longer used by this process (pglite-pool.ts):
 * every later statement is refused with this at once. Its code is the disk_full state, so every
 * caller treats it as the failure it follows.
 */
export class EmbeddedDatabaseFailed extends Error {
  readonly code = '53100';
  constructor(cause: unknown) {
    super(`the embedded database stopped after a write failure: ${String((cause as Error)?.message ?? cause).split('\n')[0]}`, { cause });
  }
}
