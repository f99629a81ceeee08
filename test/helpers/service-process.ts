import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as delay } from 'node:timers/promises';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const host = '127.0.0.1';
const stopWaitMs = 5_000;

/** A real service process (`src/main.ts`) on a database of the test's, as it runs in production. */
export interface ServiceProcess {
  base: string;
  /** The process's id, for what /proc says of it (a benchmark's memory and CPU figures). */
  pid: number;
  /** What the process wrote, to explain a failure. */
  output(): string;
  /** SIGKILL: no shutdown, no flush, connections cut mid-request. Resolves once the process is gone. */
  kill(): Promise<void>;
  /** SIGTERM, the orderly stop (SIGKILL after five seconds). */
  stop(): Promise<void>;
  /**
   * SIGTERM, and how the process ended: its exit code (null if a signal ended it) and how long after
   * the signal. SIGKILL only after `waitMs`.
   */
  terminate(waitMs: number): Promise<{ code: number | null; ms: number }>;
  /** Sends a signal and goes on (SIGUSR2: the clock's jump of shifted-clock.ts). */
  signal(name: NodeJS.Signals): void;
}

export interface ServiceOptions {
  /** Node flags before the program (`--import` of a module that sets the process's clock). */
  nodeArgs?: string[];
  /** How long the process may take to listen. */
  listenWaitMs?: number;
}

/**
 * Ports free at this moment, all different: each is held until all are found, as the system may
 * hand out a port just released again (a service refuses two listeners on one port).
 */
async function freePorts(count: number): Promise<number[]> {
  const servers = Array.from({ length: count }, () => createServer());
  await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.listen(0, host, resolve))));
  const ports = servers.map((server) => (server.address() as { port: number }).port);
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
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

/**
 * Starts the service as a process of its own, with a data folder of its own and every listener on a
 * free port (two processes side by side could not otherwise listen), in a clean environment:
 * nothing of the test runner's reaches the service but `env`.
 */
export async function startServiceProcess(env: Record<string, string>, options: ServiceOptions = {}): Promise<ServiceProcess> {
  const [port, operatorPort, certPort] = (await freePorts(3)) as [number, number, number];
  const dataDir = mkdtempSync(join(tmpdir(), 'ib-service-'));
  let output = '';
  const child: ChildProcess = spawn(process.execPath, [...(options.nodeArgs ?? []), 'src/main.ts'], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? tmpdir(), PORT: String(port), OPERATOR_PORT: String(operatorPort), CERT_PORT: String(certPort), HOST: host, DATA_DIR: dataDir, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let running = true;
  void exited.then(() => (running = false));

  const end = async (signal: NodeJS.Signals, waitMs = stopWaitMs) => {
    if (running) {
      child.kill(signal);
      const timer = signal === 'SIGKILL' ? undefined : setTimeout(() => child.kill('SIGKILL'), waitMs);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
  const terminate = async (waitMs: number) => {
    const signalled = performance.now();
    await end('SIGTERM', waitMs);
    return { code: await exited, ms: Math.round(performance.now() - signalled) };
  };

  const deadline = Date.now() + (options.listenWaitMs ?? 30_000);
  while (!(await accepts(port))) {
    if (!running || Date.now() > deadline) {
      await end('SIGKILL');
      throw new Error(`the service did not start listening on ${port}:\n${output}`);
    }
    await delay(50);
  }
  return {
    base: `https://${host}:${port}`,
    pid: child.pid!,
    output: () => output,
    kill: () => end('SIGKILL'),
    stop: () => end('SIGTERM'),
    terminate,
    signal: (name) => void (running && child.kill(name)),
  };
}
