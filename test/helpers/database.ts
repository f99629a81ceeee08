import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import pg from 'pg';
import { dumpPgliteArchive, openDatabase, type Db } from '../../src/db/open.ts';
import { migrate } from '../../src/db/migrate.ts';

/**
 * A database of this test file's own: PGlite in memory by default, or, when TEST_DATABASE_URL is
 * set, a new database on that PostgreSQL server, dropped at the end. Either way it is a copy of one
 * migrated template, made once per version of the migrations and kept between runs: copying
 * takes milliseconds on PostgreSQL and skips initdb on PGlite, where migrating anew took seconds.
 */
export const onPostgres = Boolean(process.env.TEST_DATABASE_URL);
export const needsPostgres = onPostgres ? false : 'needs PostgreSQL (set TEST_DATABASE_URL): races are only real there';

export interface TestDatabase {
  db: Db;
  /** The URL of the PostgreSQL database, for tests that start other processes on it. */
  url: string | undefined;
  drop(): Promise<void>;
}

const migrationsDir = new URL('../../migrations/', import.meta.url);

/** Names the migrated schema: a template made from other migrations (or another PGlite) is never used. */
function schemaVersion(): string {
  const hash = createHash('sha256');
  hash.update(JSON.parse(readFileSync(new URL('../../node_modules/@electric-sql/pglite/package.json', import.meta.url), 'utf8')).version);
  for (const file of readdirSync(migrationsDir).sort()) hash.update(file).update(readFileSync(new URL(file, migrationsDir)));
  return hash.digest('hex').slice(0, 16);
}

export async function createTestDatabase(options: { poolSize?: number } = {}): Promise<TestDatabase> {
  const serverUrl = process.env.TEST_DATABASE_URL;
  if (!serverUrl) {
    const db = await openDatabase({ pgliteArchive: await pgliteTemplate(), refuseUseInsideTransaction: true });
    return { db, url: undefined, drop: () => db.destroy() };
  }
  const template = await postgresTemplate(serverUrl);
  const name = `ib_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  await withServer(serverUrl, (admin) => copyDatabase(admin, template, name));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const db = await openDatabase({ databaseUrl: url.toString(), poolSize: options.poolSize ?? 20, refuseUseInsideTransaction: true });
  return {
    db,
    url: url.toString(),
    async drop() {
      await db.destroy();
      await withServer(serverUrl, (admin) => admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}

/**
 * The migrated PGlite data folder as an archive in the system's temporary folder. Test files that
 * start together may each make it; each writes its own file and renames it into place, so a reader
 * never sees half of one. The oldest archives beyond `templatesKept` are removed then. Tests of the
 * embedded data folder start the service's runtime from it (openRuntime's `pgliteArchive`).
 */
export async function pgliteTemplate(): Promise<Blob> {
  const dir = join(tmpdir(), 'ib-test-templates');
  const file = join(dir, `pglite-${schemaVersion()}.tar`);
  if (!existsSync(file)) {
    const db = await openDatabase({});
    await migrate(db);
    const archive = Buffer.from(await (await dumpPgliteArchive(db)).arrayBuffer());
    await db.destroy();
    mkdirSync(dir, { recursive: true });
    const partial = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
    writeFileSync(partial, archive);
    renameSync(partial, file);
    const archives = readdirSync(dir).filter((f) => /^pglite-[0-9a-f]{16}\.tar$/.test(f)).map((f) => join(dir, f));
    // Another process may remove one meanwhile.
    const madeAt = (f: string) => statSync(f, { throwIfNoEntry: false })?.mtimeMs ?? 0;
    const newestFirst = archives.sort((a, b) => madeAt(b) - madeAt(a));
    for (const old of newestFirst.slice(templatesKept)) rmSync(old, { force: true });
  }
  return new Blob([readFileSync(file)]);
}

/** Templates of other migrations kept on a server or machine, for checkouts of other branches. */
const templatesKept = 4;

/**
 * The migrated template database on the PostgreSQL server, made under an advisory lock by the
 * first test file that needs it; the oldest templates beyond `templatesKept` are dropped then.
 */
async function postgresTemplate(serverUrl: string): Promise<string> {
  const name = `ib_template_${schemaVersion()}`;
  await withServer(serverUrl, async (admin) => {
    const exists = async () => ((await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount ?? 0) > 0;
    if (await exists()) return;
    await admin.query('SELECT pg_advisory_lock(7203115)');
    try {
      if (await exists()) return;
      const building = `${name}_building`;
      await admin.query(`DROP DATABASE IF EXISTS ${building} WITH (FORCE)`);
      await admin.query(`CREATE DATABASE ${building}`);
      const url = new URL(serverUrl);
      url.pathname = `/${building}`;
      const db = await openDatabase({ databaseUrl: url.toString(), poolSize: 1 });
      await migrate(db);
      await db.destroy();
      await admin.query(`ALTER DATABASE ${building} RENAME TO ${name}`);
      // Other checkouts on this server (another branch, other migrations) may be using older
      // templates right now: keep the newest few (OIDs grow with creation), drop the rest.
      const stale = await admin.query<{ datname: string }>(
        `SELECT datname FROM pg_database WHERE datname LIKE 'ib\\_template\\_%' AND datname NOT LIKE '%\\_building' ORDER BY oid DESC OFFSET ${templatesKept}`,
      );
      for (const { datname } of stale.rows) await admin.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
    } finally {
      await admin.query('SELECT pg_advisory_unlock(7203115)');
    }
  });
  return name;
}

const templateBusyWaitMs = 10_000;

/**
 * CREATE DATABASE … TEMPLATE refuses while anyone is connected to the template, which is only ever
 * the moment after it was built and its last connection is still closing on the server.
 */
async function copyDatabase(admin: pg.Client, template: string, name: string): Promise<void> {
  const deadline = performance.now() + templateBusyWaitMs;
  for (;;) {
    try {
      await admin.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
      return;
    } catch (error) {
      if ((error as { code?: string }).code !== '55006' || performance.now() > deadline) throw error;
      await delay(20);
    }
  }
}

async function withServer<T>(serverUrl: string, use: (admin: pg.Client) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    return await use(admin);
  } finally {
    await admin.end();
  }
}
