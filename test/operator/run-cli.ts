import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase, type Db } from '../../src/db/open.ts';
import { lockDataDir } from '../../src/platform/data-dir-lock.ts';
import { createKeyring, parseKeyringSpec, type Keyring } from '../../src/platform/keyring.ts';
import { cryptoRandom } from '../../src/platform/random.ts';
import { commandNodeArgs } from '../helpers/command-node.ts';

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Where the CLI keeps its data: a data folder, and on PostgreSQL also the database it is given. */
export interface CliTarget {
  dataDir: string;
  databaseUrl: string | undefined;
}

/**
 * Runs the operator CLI as the bank's operator does, in a process of its own, with only the
 * configuration given here (nothing inherited that points at another database).
 */
export function runCli(target: CliTarget, args: string[]): Promise<CliRun> {
  const { DATABASE_URL: _db, TEST_DATABASE_URL: _test, NODE_ENV: _env, ENCRYPTION_KEYS: _keys, ...inherited } = process.env;
  const env: NodeJS.ProcessEnv = { ...inherited, DATA_DIR: target.dataDir, SEED_DEMO: 'false', USER: 'cli-test' };
  if (target.databaseUrl) env.DATABASE_URL = target.databaseUrl;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...commandNodeArgs('operator'), ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * Opens the CLI's database from the test: the given one on PostgreSQL, or the data folder's PGlite,
 * holding the folder's lock meanwhile as any other process must.
 */
export async function withCliDatabase<T>(target: CliTarget, db: Db | undefined, read: (db: Db) => Promise<T>): Promise<T> {
  if (db) return read(db);
  const unlock = lockDataDir(target.dataDir, 'the CLI test');
  const embedded = await openDatabase({ pgliteDir: join(target.dataDir, 'pgdata') });
  try {
    return await read(embedded);
  } finally {
    await embedded.destroy();
    unlock();
  }
}

/** The key the CLI generated into its data folder, to read the cards it sealed. */
export function dataDirKeyring(dataDir: string): Keyring {
  return createKeyring(parseKeyringSpec(readFileSync(join(dataDir, 'secrets', 'encryption-keys'), 'utf8').trim()), cryptoRandom);
}

/** The digits of a printed card, row by row as the person reads them, or undefined if it is not an 8×6 table. */
export function printedDigits(page: string): string | undefined {
  const header = /<tr><th><\/th>((?:<th>[A-H]<\/th>){8})<\/tr>/.exec(page);
  if (!header || header[1] !== 'ABCDEFGH'.split('').map((c) => `<th>${c}</th>`).join('')) return undefined;
  const rows = [...page.matchAll(/<tr><th>([1-9])<\/th>((?:<td>[0-9]<\/td>){8})<\/tr>/g)];
  if (rows.map((r) => r[1]).join('') !== '123456') return undefined;
  return rows.map((r) => r[2]!.replace(/<\/?td>/g, '')).join('');
}
