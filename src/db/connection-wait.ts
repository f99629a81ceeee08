/**
 * The longest a statement waits for a PostgreSQL connection: for the pool to establish a new one,
 * and, while every connection of the pool is checked out, for one to be given back. Beyond it the
 * pool fails the checkout ("timeout exceeded when trying to connect", or "Connection terminated due
 * to connection timeout" for a connection whose startup the server never answered), which the
 * request answers 503 SERVICE_DATABASE_UNAVAILABLE with Retry-After (connection-errors.ts). Without
 * it a request waits as long as a stalled database does — every connection stuck in a statement
 * that does not return, or a server that takes the connection and never answers — holding its
 * admission place (decision 0027) until its client times out, which the overload rule forbids
 * (decision 0034).
 *
 * A healthy pool hands a connection on within milliseconds; a busy one, with the 32 requests in
 * flight of the admission gate sharing its 10 connections on a machine under heavy other load (the
 * tests' bursts of fifty parallel logons on two cores), within a few seconds. 15 s is far above
 * that, so a request the service would serve is not refused, and well under a balancer's usual
 * 60 s, also after the longest wait in the admission queue (REQUEST_QUEUE_WAIT_MS, 30 s).
 */
export const databaseConnectionWaitMs = 15_000;
