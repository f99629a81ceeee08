import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:https';
import { setTimeout as delay } from 'node:timers/promises';
import { ConnectionPool } from '../../bench/support/http-load.ts';
import { getRequest, keepAliveMarginMs } from '../../bench/support/raw-https-client.ts';
import { serverTlsOptions } from '../../src/platform/tls-policy.ts';
import { selfSigned } from '../helpers/self-signed.ts';

/**
 * The overload benchmark's client must not lose requests to its own reuse of connections: one
 * sent on a connection that the server is closing as idle is lost, and under load the client sees
 * the close late. So a connection idle for nearly the server's stated keep-alive (its
 * `Keep-Alive: timeout=…` less keepAliveMarginMs) is closed instead of reused.
 */
test('the load client reuses a connection while the server keeps it, and opens a new one once it is about to close it', async () => {
  const keepAliveSeconds = 2;
  const server = createServer(serverTlsOptions(await selfSigned()), (_request, response) => response.end('ok'));
  server.keepAliveTimeout = keepAliveSeconds * 1000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const pool = new ConnectionPool((server.address() as { port: number }).port, 4);
  const request = getRequest('/', { host: 'localhost' });
  try {
    const first = pool.take()!;
    assert.equal((await first.send(request)).status, 200);
    pool.give(first);

    await delay(keepAliveSeconds * 1000 - keepAliveMarginMs - 500);
    const soon = pool.take()!;
    assert.equal(soon, first, 'idle for less than the keep-alive less the margin: reused');
    assert.equal((await soon.send(request)).status, 200);
    pool.give(soon);

    await delay(keepAliveSeconds * 1000 - keepAliveMarginMs + 100);
    const late = pool.take()!;
    assert.notEqual(late, first, 'idle into the margin: a new connection');
    assert.equal(first.closed, true, 'and the old one closed by the client');
    assert.equal((await late.send(request)).status, 200);
    pool.give(late);
  } finally {
    pool.close();
    server.close();
  }
});
