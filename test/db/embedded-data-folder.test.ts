import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { buildApp } from '../../src/app.ts';
import { parseConfig } from '../../src/config.ts';
import { openRuntime } from '../../src/runtime.ts';
import { DataDirError } from '../../src/platform/data-dir.ts';
import { verifyAuditChain } from '../../src/audit/verify.ts';
import { createTestDatabase, onPostgres, pgliteTemplate } from '../helpers/database.ts';
import { testDeps } from '../helpers/deps.ts';
import { Client, errorCode } from '../helpers/client.ts';
import { assertNoStackTrace } from '../helpers/http-app.ts';
import { failUnder } from '../helpers/file-faults.ts';

/**
 * The embedded database's data folder (`npm start` without DATABASE_URL keeps PGlite in DATA_DIR)
 * when it cannot be written: a folder that is read-only or whose disk is full stops the start with
 * one line and leaves the folder as it was; a disk that fills while the service runs answers 503
 * with a clear page, and what was committed survives intact. The faults are put into node:fs
 * (test/helpers/file-faults.ts): the tests run as root, where permissions stop nothing, and may not
 * mount file systems. The last test is the same answer from a PostgreSQL server that reports a full
 * disk (SQLSTATE 53100), on both databases.
 */
const embeddedOnly = onPostgres ? 'the embedded data folder: the embedded leg runs it' : false;
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'ib-data-folder-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** A data folder with a complete database, left by the first-start test for the next one (a build costs a second). */
let builtFolder: string | undefined;

let folders = 0;
function newPath(): string {
  folders++;
  return join(scratch, `data-${folders}`);
}

function configFor(dataDir: string) {
  return parseConfig({ DATA_DIR: dataDir, SEED_DEMO: 'false', LOG_LEVEL: 'silent', LOGON_RATE_PER_MINUTE: '100000' });
}

/** Every file and folder under a path with a digest of its content: two equal snapshots are the same folder. */
function snapshot(path: string): string[] {
  if (!existsSync(path)) return ['(absent)'];
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const full = join(dir, name);
      const stat = statSync(full);
      if (stat.isDirectory()) {
        found.push(`${relative(path, full)}/`);
        walk(full);
      } else {
        found.push(`${relative(path, full)} ${createHash('sha256').update(readFileSync(full)).digest('hex').slice(0, 16)}`);
      }
    }
  };
  if (statSync(path).isDirectory()) walk(path);
  else found.push(`(file) ${createHash('sha256').update(readFileSync(path)).digest('hex')}`);
  return found;
}

async function startRefusal(dataDir: string, archive?: Blob): Promise<DataDirError> {
  try {
    const runtime = await openRuntime(configFor(dataDir), 'a test', { pgliteArchive: archive });
    await runtime.close();
  } catch (error) {
    if (error instanceof DataDirError) return error;
    throw error;
  }
  assert.fail('the start was not refused');
}

test('npm start on a data folder that is a file prints one line naming it and what to do, exits non-zero, and changes nothing', { skip: embeddedOnly }, async () => {
  const dataDir = newPath();
  writeFileSync(dataDir, 'not a folder\n');
  const before = snapshot(dataDir);
  const child = spawn(process.execPath, ['src/main.ts'], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? '', HOME: scratch, DATA_DIR: dataDir, PORT: '18443', CERT_PORT: '18444', OPERATOR_PORT: '19443', HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));

  assert.equal(code, 2);
  assert.equal(stdout, '');
  const lines = stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `one line, not a stack trace: ${stderr}`);
  assert.match(lines[0]!, new RegExp(`^cannot use the data folder in ${dataDir}: the path is a file, not a folder \\(EEXIST\\); set DATA_DIR to a folder, then start again$`));
  assert.deepEqual(snapshot(dataDir), before);
});

test('a read-only data folder stops the start with the folder named and what to do, and is left as it was', { skip: embeddedOnly }, async () => {
  const dataDir = newPath();
  mkdirSync(dataDir);
  writeFileSync(join(dataDir, 'notes.txt'), 'kept\n');
  const before = snapshot(dataDir);
  const faulty = failUnder(dataDir, { kind: 'read-only' });
  let refusal: DataDirError;
  try {
    refusal = await startRefusal(dataDir);
  } finally {
    faulty.restore();
  }
  assert.ok(faulty.failures > 0);
  assert.equal(refusal.message, `cannot lock the embedded database in ${dataDir}: the file system is read-only (EROFS); mount it writable or set DATA_DIR to a writable folder, then start again`);
  assert.deepEqual(snapshot(dataDir), before);
});

test('a disk that fills while the first start builds the database leaves no half-made database, and the next start with room succeeds', { skip: embeddedOnly }, async () => {
  const archive = await pgliteTemplate();
  const dataDir = newPath();
  // Room for the key and the lock, not for the database.
  const faulty = failUnder(dataDir, { kind: 'full', bytesLeft: 4 * 1024 * 1024 });
  let refusal: DataDirError;
  try {
    refusal = await startRefusal(dataDir, archive);
  } finally {
    faulty.restore();
  }
  assert.ok(faulty.failures > 0, 'the disk filled on the way');
  assert.match(refusal.message, new RegExp(`^cannot create the embedded database in ${join(dataDir, 'pgdata.new')}: the disk is full \\(ENOSPC\\); free space on its disk, then start again$`));
  assert.deepEqual(snapshot(dataDir), ['(absent)'], 'the folder is as before the start: there was none');

  const runtime = await openRuntime(configFor(dataDir), 'a test', { pgliteArchive: archive });
  try {
    const migrations = await sql<{ count: number }>`SELECT count(*)::int AS count FROM schema_migration`.execute(runtime.deps.db);
    assert.equal(migrations.rows[0]!.count, readdirSync(join(repoRoot, 'migrations')).filter((f) => f.endsWith('.sql')).length);
  } finally {
    await runtime.close();
  }
  assert.ok(existsSync(join(dataDir, 'pgdata', 'PG_VERSION')) && !existsSync(join(dataDir, 'pgdata.new')));
  builtFolder = dataDir;
});

test('a disk that fills while the service runs answers 503 with a clear page, no request hangs, and what was committed is intact at the next start', { skip: embeddedOnly }, async () => {
  const dataDir = builtFolder ?? newPath();
  const config = configFor(dataDir);
  let runtime = await openRuntime(config, 'a test', { pgliteArchive: builtFolder ? undefined : await pgliteTemplate() });
  const app = await buildApp({ ...runtime.deps, clock: testDeps(runtime.deps.db).clock }, { logger: false });
  const logonOf = (n: number) => ({ contractId: '12345678903', userId: `nobody${n}`, password: 'Wrong2026pass' });
  const client = new Client(app);
  await client.get('/logon');
  let answered = 0;
  // Room for ten pages: the first logon's records fill nine (its tables' first pages), the next ones the last.
  const faulty = failUnder(dataDir, { kind: 'full', bytesLeft: 10 * 8192 });
  let refused;
  try {
    // Each refused logon writes its audit record: the disk runs out as soon as a file must grow.
    for (let n = 0; n < 200 && !refused; n++) {
      const response = await client.post('/logon', logonOf(n));
      if (response.statusCode === 401) answered++;
      else refused = response;
    }
    assert.ok(refused, 'the disk filled within 200 logons');
    assert.equal(refused.statusCode, 503);
    assert.equal(errorCode(refused.body), 'STORAGE_UNAVAILABLE');
    assertNoStackTrace(refused);
    const started = performance.now();
    const next = await client.post('/logon', logonOf(999));
    assert.equal(next.statusCode, 503, 'the database is used no more');
    assert.ok(performance.now() - started < 2000, 'answered at once, not hung');
  } finally {
    faulty.restore();
    await app.close();
    await runtime.close();
  }
  console.log(`figures: ${answered} logons answered before the disk filled, then 503`);

  // Space freed, the service started again: every answered logon is recorded, the refused one is not.
  runtime = await openRuntime(config, 'a test');
  try {
    const recorded = await runtime.deps.db.selectFrom('audit_log').select('details').where('action', '=', 'logon').where('reason', '=', 'unknown_user').execute();
    assert.equal(recorded.length, answered);
    assert.equal((await verifyAuditChain(runtime.deps.db)).ok, true, 'the audit chain is intact');
  } finally {
    await runtime.close();
  }
});

test('a write the database refuses as disk full (SQLSTATE 53100) answers 503 with a clear page and writes nothing', async () => {
  const database = await createTestDatabase();
  const deps = testDeps(database.db);
  const app = await buildApp(deps, { logger: false });
  try {
    // As a PostgreSQL server answers when its disk is full.
    await sql`CREATE FUNCTION disk_is_full() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'could not extend file: No space left on device' USING ERRCODE = 'disk_full'; END $$`.execute(database.db);
    await sql`CREATE TRIGGER disk_is_full BEFORE INSERT OR UPDATE ON rate_limit_hit FOR EACH ROW EXECUTE FUNCTION disk_is_full()`.execute(database.db);
    const client = new Client(app);
    await client.get('/logon');
    const refused = await client.post('/logon', { contractId: '12345678903', userId: 'nobody', password: 'Wrong2026pass' });
    assert.equal(refused.statusCode, 503);
    assert.equal(errorCode(refused.body), 'STORAGE_UNAVAILABLE');
    assertNoStackTrace(refused);
    if (onPostgres) {
      // The server goes on serving once it has room again.
      await sql`DROP TRIGGER disk_is_full ON rate_limit_hit`.execute(database.db);
      assert.equal((await client.post('/logon', { contractId: '12345678903', userId: 'nobody', password: 'Wrong2026pass' })).statusCode, 401);
    }
  } finally {
    await app.close();
    await database.drop();
  }
});
