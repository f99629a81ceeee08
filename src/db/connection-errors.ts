/**
 * Whether an error says the database could not be reached or the connection to it was lost — a
 * restart, a failover, an administrator ending sessions, a network cut — rather than a fault of the
 * request or of the code. Such a request is answered 503 with Retry-After (SERVICE_DATABASE_UNAVAILABLE):
 * it did not complete, and the same request may succeed once the database is back.
 */

/**
 * SQLSTATEs of the server going away: class 08 (connection exception); 57P01 (pg_terminate_backend
 * or a shutdown), 57P02 (a crash of another backend), 57P03 (starting up, not yet accepting);
 * 53300 (every connection slot taken).
 */
const unavailableStates = new Set(['08000', '08001', '08003', '08004', '08006', '57P01', '57P02', '57P03', '53300']);

/** Socket errors on the way to the server: nothing listens, the connection was cut, the host is out of reach. */
const unreachableSocketCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ENOTFOUND']);

/**
 * What pg says, without a code, of a connection that ended under a statement, of a client whose
 * connection had already failed, of a pool that could not connect in time or has been ended.
 */
const lostConnectionMessages = [
  /^Connection terminated/,
  /is not queryable$/,
  /^timeout exceeded when trying to connect$/,
  /^Cannot use a pool after calling end on the pool$/,
];

/** The nesting an error is searched to: an AggregateError of two addresses tried, a cause, no more. */
const causesFollowedMax = 4;

export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (typeof error !== 'object' || error === null || depth > causesFollowedMax) return false;
  const { code, message, errors, cause } = error as { code?: unknown; message?: unknown; errors?: unknown; cause?: unknown };
  if (typeof code === 'string' && (unavailableStates.has(code) || unreachableSocketCodes.has(code))) return true;
  if (typeof message === 'string' && lostConnectionMessages.some((pattern) => pattern.test(message))) return true;
  if (Array.isArray(errors) && errors.some((inner) => isDatabaseUnavailable(inner, depth + 1))) return true;
  return isDatabaseUnavailable(cause, depth + 1);
}
