import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:https';
import { ConnectionPool } from '../../bench/support/http-load.ts';
import { getRequest, keepAliveMarginMs } from '../../bench/support/raw-https-client.ts';
import { serverTlsOptions } from '../../src/platform/tls-policy.ts';
import { selfSigned } from '../helpers/self-signed.ts';

/**
 * The overload benchmark's client must not lose requests to its own reuse of connections: one
 * sent on a connection that the server is closing as idle is lost, and under load the client sees
 * the close late. So a connection idle for nearly the server's stated keep-alive (its
 * `Keep-Alive: timeout=…` less keepAliveMarginMs) is closed instead of reused. The pool is asked
 * at chosen moments after the answer, so the test waits for no timer.
 */
test('the load client reuses a connection while the server keeps it, and opens a new one once it is about to close it', async () => {
  const keepAliveSeconds = 5;
  const server = createServer(serverTlsOptions(await selfSigned()), (_request, response) => response.end('ok'));
  server.keepAliveTimeout = keepAliveSeconds * 1000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const pool = new ConnectionPool((server.address() as { port: number }).port, 4);
  const request = getRequest('/', { host: 'localhost' });
  const reuseForMs = keepAliveSeconds * 1000 - keepAliveMarginMs;
  try {
    const first = pool.take()!;
    assert.equal((await first.send(request)).status, 200);
    const answered = performance.now();
    pool.give(first);

    const soon = pool.take(answered + reuseForMs - 500);
    assert.equal(soon, first, 'idle for less than the keep-alive less the margin: reused');
    pool.give(first);

    const late = pool.take(answered + reuseForMs + 100)!;
    assert.notEqual(late, first, 'idle into the margin: a new connection');
    assert.equal(first.closed, true, 'and the old one closed by the client');
    assert.equal((await late.send(request)).status, 200);
    pool.give(late);
  } finally {
    pool.close();
    server.close();
  }
});
