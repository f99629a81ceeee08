import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as delay } from 'node:timers/promises';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const host = '127.0.0.1';
const listenWaitMs = 30_000;
const stopWaitMs = 5_000;

/** A real service process (`src/main.ts`) on a database of the test's, as it runs in production. */
export interface ServiceProcess {
  base: string;
  /** What the process wrote, to explain a failure. */
  output(): string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export async function startService(env: Record<string, string>): Promise<ServiceProcess> {
  const port = await freePort();
  // Each process also opens its operator console: on a port of its own, or the second one could not listen.
  const operatorPort = await freePort();
  const certPort = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'ib-service-'));
  let output = '';
  // A clean environment: nothing of the test runner's own reaches the service.
  const child: ChildProcess = spawn(process.execPath, ['src/main.ts'], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? tmpdir(), PORT: String(port), OPERATOR_PORT: String(operatorPort), CERT_PORT: String(certPort), HOST: host, DATA_DIR: dataDir, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let running = true;
  void exited.then(() => (running = false));

  const stop = async () => {
    if (running) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), stopWaitMs);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dataDir, { recursive: true, force: true });
  };

  const deadline = Date.now() + listenWaitMs;
  while (!(await accepts(port))) {
    if (!running || Date.now() > deadline) {
      await stop();
      throw new Error(`the service did not start listening on ${port}:\n${output}`);
    }
    await delay(50);
  }
  return { base: `https://${host}:${port}`, output: () => output, stop };
}
