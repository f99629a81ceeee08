import type { FastifyInstance } from 'fastify';

/**
 * An answer sent before its request's body was read to the end — a redirect to the logon before an
 * upload is read, a file over its limit, a body over the route's bound, a page that takes no body —
 * closes the connection. Otherwise Node would read and discard the rest to keep the connection
 * alive, and a client declaring gigabytes would keep the listener reading them until the request
 * bound (src/platform/listener-limits.ts).
 */
export function closeAfterUnreadBodies(app: FastifyInstance): void {
  app.addHook('onSend', async (request, reply, payload) => {
    if (!request.raw.complete) reply.header('connection', 'close');
    return payload;
  });
}
