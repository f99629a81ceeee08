import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase, type Db } from '../../src/db/open.ts';
import { lockDataDir } from '../../src/platform/data-dir-lock.ts';
import { createKeyring, parseKeyringSpec, type Keyring } from '../../src/platform/keyring.ts';
import { cryptoRandom } from '../../src/platform/random.ts';
import { runCommandHere, runCommandProcess, type CliRun, type CliTarget } from '../helpers/run-command.ts';

export type { CliRun, CliTarget };

/** The operator CLI run in this process (see `runCommandHere`). */
export function runCli(target: CliTarget, args: string[]): Promise<CliRun> {
  return runCommandHere('operator', target, args, 'cli-test');
}

/** The operator CLI run as the bank's operator runs it, in a process of its own. */
export function runCliProcess(target: CliTarget, args: string[]): Promise<CliRun> {
  return runCommandProcess('operator', target, args, 'cli-test');
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
