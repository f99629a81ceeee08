import { spawn } from 'node:child_process';
import type { CliRun, CliTarget } from '../operator/run-cli.ts';
import { commandNodeArgs } from '../helpers/command-node.ts';

/**
 * Runs the audit CLI as the bank's operator does, in a process of its own, with only the
 * configuration given here (nothing inherited that points at another database).
 */
export function runAuditCli(target: CliTarget, args: string[]): Promise<CliRun> {
  const { DATABASE_URL: _db, TEST_DATABASE_URL: _test, NODE_ENV: _env, ENCRYPTION_KEYS: _keys, ...inherited } = process.env;
  const env: NodeJS.ProcessEnv = { ...inherited, DATA_DIR: target.dataDir, SEED_DEMO: 'false', USER: 'audit-cli-test' };
  if (target.databaseUrl) env.DATABASE_URL = target.databaseUrl;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...commandNodeArgs('audit'), ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
