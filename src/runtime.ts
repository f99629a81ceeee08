import type { Config } from './config.ts';
import type { Deps } from './deps.ts';
import type { Db } from './db/open.ts';
import { openDatabase } from './db/open.ts';
import { openEmbeddedDatabase } from './db/embedded.ts';
import { migrate } from './db/migrate.ts';
import { steadyClock } from './platform/clock.ts';
import { cryptoRandom } from './platform/random.ts';
import { createKeyring, parseKeyringSpec } from './platform/keyring.ts';
import { embeddedKeyringSpec } from './platform/embedded-secrets.ts';
import { lockDataDir } from './platform/data-dir-lock.ts';
import { ensureDataDir, removeMade } from './platform/data-dir.ts';

/**
 * One line of the service's JSON log on stderr, for what happens before the app's logger exists. Its
 * time is the system's, as the logger's is: a log line says when it was written, even while the
 * service's own clock holds still after a step back.
 */
function logLine(level: number, msg: string, fields: Record<string, unknown> = {}): void {
  process.stderr.write(`${JSON.stringify({ level, time: Date.now(), msg, ...fields })}\n`);
}

/**
 * Opens what the service and the operator CLI share: the database (migrated), the keyring, the
 * clock and randomness. With no DATABASE_URL it is PGlite in the data folder, locked to this process.
 * A start that fails on the data folder throws a DataDirError (one line: what, where, what to do)
 * and leaves the folder as it found it: what it made there is removed, the database is built aside
 * and moved into place only complete (db/embedded.ts). `pgliteArchive` (tests) builds a new
 * embedded database from a migrated data folder instead of running initdb.
 */
export async function openRuntime(
  config: Config,
  holder: string,
  options: { pgliteArchive?: Blob } = {},
): Promise<{ deps: Deps; close(): Promise<void> }> {
  const random = cryptoRandom;
  // R7.1, R2.4, house rule 4: time in the service never steps back (platform/clock.ts).
  const clock = steadyClock({
    onStepBack: (stepMs, keptAt) =>
      logLine(40, 'the system clock stepped back; the service keeps its time until the system clock catches up', { stepSeconds: Math.round(stepMs / 1000), serviceTime: keptAt.toISOString() }),
  });
  let unlock = () => {};
  const made: string[] = [];
  if (!config.databaseUrl) {
    const madeDir = ensureDataDir(config.dataDir);
    if (madeDir) made.push(madeDir);
    try {
      unlock = lockDataDir(config.dataDir, holder);
    } catch (error) {
      removeMade(madeDir);
      throw error;
    }
  }
  try {
    const keyring = createKeyring(parseKeyringSpec(config.encryptionKeys ?? embeddedKeyringSpec(config.dataDir, random, made)), random);
    let db: Db;
    if (config.databaseUrl) {
      db = await openDatabase({
        databaseUrl: config.databaseUrl,
        connectionWaitMs: config.databaseConnectionWaitMs,
        onPoolError: (error) => logLine(40, 'database connection lost', { err: error.message }),
      });
      await migrate(db);
    } else {
      db = await openEmbeddedDatabase(config.dataDir, {
        pgliteArchive: options.pgliteArchive,
        onEmbeddedFailure: (error) =>
          logLine(50, `the embedded database in ${config.dataDir} could not write and is used no more: requests are answered 503; free space on its disk, then restart the service`, { err: error.message }),
      });
    }
    return {
      deps: { db, clock, random, keyring, config },
      async close() {
        await db.destroy();
        unlock();
      },
    };
  } catch (error) {
    unlock();
    // Newest first: a file made inside a folder made by this start goes with the folder.
    for (const path of made.reverse()) removeMade(path);
    throw error;
  }
}
