import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as delay } from 'node:timers/promises';

/**
 * A real service process (`src/main.ts`) that a test can kill -9 and start again on the same
 * database: like test/security/service-process.ts, with the kill, and with the process's clock set
 * by shifted-clock.ts.
 */
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const clockModule = fileURLToPath(new URL('./shifted-clock.ts', import.meta.url));
const host = '127.0.0.1';
const listenWaitMs = 60_000;

export interface CrashableService {
  base: string;
  output(): string;
  /** SIGKILL: no shutdown, no flush, connections cut mid-request. Resolves once the process is gone. */
  kill(): Promise<void>;
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

export async function startCrashableService(env: Record<string, string>, now: Date): Promise<CrashableService> {
  const [port, operatorPort, certPort] = [await freePort(), await freePort(), await freePort()];
  const dataDir = mkdtempSync(join(tmpdir(), 'ib-crash-'));
  let output = '';
  const child: ChildProcess = spawn(process.execPath, ['--import', clockModule, 'src/main.ts'], {
    cwd: repoRoot,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? tmpdir(),
      PORT: String(port),
      OPERATOR_PORT: String(operatorPort),
      CERT_PORT: String(certPort),
      HOST: host,
      DATA_DIR: dataDir,
      IB_TEST_NOW: now.toISOString(),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let running = true;
  void exited.then(() => (running = false));
  const end = async (signal: NodeJS.Signals) => {
    if (running) {
      child.kill(signal);
      await exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
  const deadline = Date.now() + listenWaitMs;
  while (!(await accepts(port))) {
    if (!running || Date.now() > deadline) {
      await end('SIGKILL');
      throw new Error(`the service did not start listening on ${port}:\n${output}`);
    }
    await delay(50);
  }
  return { base: `https://${host}:${port}`, output: () => output, kill: () => end('SIGKILL'), stop: () => end('SIGTERM') };
}
