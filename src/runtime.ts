import { join } from 'node:path';
import type { Config } from './config.ts';
import type { Deps } from './deps.ts';
import { openDatabase } from './db/open.ts';
import { migrate } from './db/migrate.ts';
import { systemClock } from './platform/clock.ts';
import { cryptoRandom } from './platform/random.ts';
import { createKeyring, parseKeyringSpec } from './platform/keyring.ts';
import { embeddedKeyringSpec } from './platform/embedded-secrets.ts';
import { lockDataDir } from './platform/data-dir-lock.ts';
import { mkdirSync } from 'node:fs';

/**
 * Opens what the service and the operator CLI share: the database (migrated), the keyring, the
 * clock and randomness. With no DATABASE_URL it is PGlite in the data folder, locked to this process.
 */
export async function openRuntime(config: Config, holder: string): Promise<{ deps: Deps; close(): Promise<void> }> {
  const random = cryptoRandom;
  let unlock = () => {};
  if (!config.databaseUrl) {
    mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
    unlock = lockDataDir(config.dataDir, holder);
  }
  try {
    const keyring = createKeyring(parseKeyringSpec(config.encryptionKeys ?? embeddedKeyringSpec(config.dataDir, random)), random);
    const db = await openDatabase({
      databaseUrl: config.databaseUrl,
      pgliteDir: join(config.dataDir, 'pgdata'),
      onPoolError: (error) => process.stderr.write(`${JSON.stringify({ level: 40, msg: 'database connection lost', err: error.message })}\n`),
    });
    await migrate(db);
    return {
      deps: { db, clock: systemClock, random, keyring, config },
      async close() {
        await db.destroy();
        unlock();
      },
    };
  } catch (error) {
    unlock();
    throw error;
  }
}
