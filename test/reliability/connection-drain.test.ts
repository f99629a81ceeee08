import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import { drainable } from '../../src/platform/connection-drain.ts';

/**
 * The drain of a listener on SIGTERM (src/platform/connection-drain.ts), on a plain HTTP server in
 * this process: what a client sees at each moment of the drain. The real service over TLS is drained
 * in test/reliability/graceful-stop.test.ts.
 */
interface Answer {
  status: number;
  body: string;
  connection: string | undefined;
  reusedSocket: boolean;
}

async function serve(handler: http.RequestListener) {
  const server = http.createServer(handler);
  const drain = drainable(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const agent = new http.Agent({ keepAlive: true });
  const get = (path: string) =>
    new Promise<Answer>((resolve, reject) => {
      const request = http.get({ host: '127.0.0.1', port, path, agent }, (response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
        response.on('error', reject);
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body, connection: response.headers.connection, reusedSocket: request.reusedSocket }));
      });
      request.on('error', reject);
    });
  return { server, drain, get, agent };
}

test('a request in flight when the drain begins is answered in full, telling the client to close the connection, and the drain waits for it', async () => {
  let arrived!: () => void;
  const reached = new Promise<void>((resolve) => (arrived = resolve));
  const { drain, get, agent } = await serve(async (_request, response) => {
    arrived();
    await delay(150);
    response.end('done');
  });
  const answer = get('/slow');
  await reached;
  const figures = await drain.drain({ idleGraceMs: 50 });
  assert.deepEqual(await answer, { status: 200, body: 'done', connection: 'close', reusedSocket: false });
  assert.deepEqual([figures.inFlight, figures.answered, figures.cut], [1, 1, 0]);
  agent.destroy();
});

test('a keep-alive connection idle at the drain is kept for the grace: a request its client sends on it then is answered, never reset', async () => {
  const { drain, get, agent } = await serve((_request, response) => response.end('ok'));
  assert.equal((await get('/first')).connection, 'keep-alive');
  const drained = drain.drain({ idleGraceMs: 2_000 });
  await delay(100);
  const second = await get('/second');
  assert.deepEqual(second, { status: 200, body: 'ok', connection: 'close', reusedSocket: true }, 'sent on the open connection, answered, told to close it');
  const figures = await drained;
  assert.equal(figures.cut, 0);
  agent.destroy();
});

test('after the drain begins a new connection is refused', async () => {
  const { drain, get, agent } = await serve((_request, response) => response.end('ok'));
  const drained = drain.drain({ idleGraceMs: 50 });
  await assert.rejects(get('/late'), { code: 'ECONNREFUSED' });
  await drained;
  agent.destroy();
});

test('a connection left idle is closed after the grace, and the drain ends then', async () => {
  const { drain, get, agent } = await serve((_request, response) => response.end('ok'));
  await get('/first');
  const started = performance.now();
  const figures = await drain.drain({ idleGraceMs: 100 });
  const tookMs = performance.now() - started;
  assert.equal(figures.idleClosed, 1);
  assert.ok(tookMs >= 90 && tookMs < 2_000, `ended after the grace (${Math.round(tookMs)} ms)`);
  agent.destroy();
});

test('a request still running at the bound is cut off and counted, and the drain ends at the bound', async () => {
  let arrived!: () => void;
  const reached = new Promise<void>((resolve) => (arrived = resolve));
  const { drain, get, agent } = await serve(() => arrived());
  const hanging = get('/never').catch((error: unknown) => error);
  await reached;
  const figures = await drain.drain({ waitMs: 200, idleGraceMs: 50 });
  assert.equal(figures.cut, 1);
  assert.ok(figures.ms < 2_000, `ended at the bound (${figures.ms} ms)`);
  assert.equal(((await hanging) as { code?: string }).code, 'ECONNRESET');
  agent.destroy();
});
