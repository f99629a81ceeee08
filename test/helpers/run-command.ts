import { spawn } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CommandIo } from '../../src/cli/command-line.ts';

export type CommandName = 'operator' | 'audit' | 'ledger';

/**
 * How the bank's commands are started: package.json's scripts run them with `node --liftoff-only`
 * (docs/benchmarks.md: a command lives a second or two, too short for V8's optimising compiler to
 * pay back its work on the embedded database's WebAssembly). Tests that start a command as a
 * process of its own take the flags from there, so they start it exactly as the bank does.
 */
export function commandNodeArgs(name: CommandName): string[] {
  const scripts = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).scripts as Record<string, string>;
  const [node, ...args] = scripts[name]!.split(' ');
  if (node !== 'node') throw new Error(`package.json's ${name} script does not start with node`);
  return args;
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Where a command keeps its data: a data folder, and on PostgreSQL also the database it is given. */
export interface CliTarget {
  dataDir: string;
  databaseUrl: string | undefined;
}

/**
 * The configuration a command is run with: only what is given here, nothing inherited that points at
 * another database or key.
 */
export function commandEnv(target: CliTarget, user: string): NodeJS.ProcessEnv {
  const { DATABASE_URL: _db, TEST_DATABASE_URL: _test, NODE_ENV: _env, ENCRYPTION_KEYS: _keys, ...inherited } = process.env;
  const env: NodeJS.ProcessEnv = { ...inherited, DATA_DIR: target.dataDir, SEED_DEMO: 'false', USER: user };
  if (target.databaseUrl) env.DATABASE_URL = target.databaseUrl;
  return env;
}

const commands = {
  operator: async () => (await import('../../src/operator/cli.ts')).operatorCommand,
  audit: async () => (await import('../../src/audit/cli.ts')).auditCommand,
  ledger: async () => (await import('../../src/modules/ledger/cli.ts')).ledgerCommand,
} satisfies Record<CommandName, () => Promise<(argv: string[], io: CommandIo) => Promise<number>>>;

/**
 * Runs a command in this process: the very function the command's process runs, given the
 * configuration and output a process would have. Most command tests run this way, which spares a
 * Node process and its database start per call; each command also has tests that run it as a
 * process of its own (`runCommandProcess`), for what only a process shows (its exit status, the
 * embedded database's lock held by another process).
 */
export async function runCommandHere(name: CommandName, target: CliTarget, args: string[], user: string): Promise<CliRun> {
  const command = await commands[name]();
  let stdout = '';
  let stderr = '';
  const io: CommandIo = { env: commandEnv(target, user), stdout: (text) => void (stdout += text), stderr: (text) => void (stderr += text) };
  const code = await command(args, io);
  return { code, stdout, stderr };
}

/** Runs a command as the bank's operator does, in a process of its own started as package.json starts it. */
export function runCommandProcess(name: CommandName, target: CliTarget, args: string[], user: string): Promise<CliRun> {
  return runProcess(process.execPath, [...commandNodeArgs(name), ...args], commandEnv(target, user));
}

/** Runs a program to its end with the given environment, its output collected. */
export function runProcess(program: string, args: string[], env: NodeJS.ProcessEnv): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * Marks an embedded data folder as held by another living process (this test runner's parent), as a
 * running service holds it: a command run in this process must then refuse to open the database,
 * where a lock taken by this very process would be taken over as its own.
 */
export function holdDataDirElsewhere(dataDir: string, holder: string): () => void {
  const file = join(dataDir, 'embedded-db.lock');
  writeFileSync(file, JSON.stringify({ pid: process.ppid, holder }), { flag: 'wx', mode: 0o600 });
  return () => rmSync(file, { force: true });
}
