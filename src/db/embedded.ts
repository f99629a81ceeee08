import { existsSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { DataDirError, dataDirFailure, errnoName } from '../platform/data-dir.ts';
import { openDatabase, type Db } from './open.ts';
import { migrate } from './migrate.ts';
import { isStorageFailure } from './storage-failure.ts';

/** A failure of the folder or its disk (reported as the data folder's), rather than of the service's own code. */
function fileFailure(error: unknown): boolean {
  return errnoName(error) !== undefined || isStorageFailure(error) || error instanceof WebAssembly.RuntimeError;
}

/**
 * The embedded database's folder (DATA_DIR/pgdata) appears only complete. A first start builds the
 * database beside it (`pgdata.new`: initdb and every migration) and renames it into place once it
 * is closed; a start that fails on the way (a full disk, a folder turned read-only) removes what it
 * built. So no later start ever finds a half-initialised database and takes it for a valid one —
 * which PGlite does: a folder left with PG_VERSION but not the rest refuses every later start
 * with an obscure error. A later start opens the folder and migrates it in one transaction, which a
 * failure rolls back whole.
 */
export async function openEmbeddedDatabase(
  dataDir: string,
  options: { pgliteArchive?: Blob; onEmbeddedFailure?: (error: Error) => void; refuseUseInsideTransaction?: boolean } = {},
): Promise<Db> {
  const dir = join(dataDir, 'pgdata');
  if (!isDatabaseFolder(dir)) await buildAside(dir, options.pgliteArchive);
  let db: Db | undefined;
  try {
    db = await openDatabase({ pgliteDir: dir, onEmbeddedFailure: options.onEmbeddedFailure, refuseUseInsideTransaction: options.refuseUseInsideTransaction });
    await migrate(db);
    return db;
  } catch (error) {
    await db?.destroy().catch(() => {});
    throw fileFailure(error) ? dataDirFailure('open the embedded database', dir, error) : error;
  }
}

/** PostgreSQL writes PG_VERSION into a data folder as it initialises it. */
function isDatabaseFolder(dir: string): boolean {
  if (existsSync(join(dir, 'PG_VERSION'))) return true;
  if (!existsSync(dir)) return false;
  // An empty folder (made by an older version before initdb) holds nothing to keep.
  if (readdirSync(dir).length === 0) {
    rmSync(dir, { recursive: true, force: true });
    return false;
  }
  throw new DataDirError(
    `cannot open the embedded database in ${dir}: it holds an incomplete database (no PG_VERSION), left by a start that failed; move it away (or remove it if it never held data), then start again`,
  );
}

async function buildAside(dir: string, archive: Blob | undefined): Promise<void> {
  const building = `${dir}.new`;
  // A build that a killed process left half done is of no use: start it again.
  rmSync(building, { recursive: true, force: true });
  let db: Db | undefined;
  try {
    db = await openDatabase({ pgliteDir: building, pgliteArchive: archive });
    await migrate(db);
    await db.destroy();
    db = undefined;
    renameSync(building, dir);
  } catch (error) {
    await db?.destroy().catch(() => {});
    rmSync(building, { recursive: true, force: true });
    throw fileFailure(error) ? dataDirFailure('create the embedded database', building, error) : error;
  }
}
