import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { createTestDatabase, onPostgres, type TestDatabase } from '../helpers/database.ts';
import { testDeps } from '../helpers/deps.ts';
import { onboardMaster } from '../helpers/people.ts';
import { withCliDatabase, type CliTarget } from '../operator/run-cli.ts';
import { migrate } from '../../src/db/migrate.ts';
import { recordAudit } from '../../src/audit/audit-trail.ts';
import { lockDataDir } from '../../src/platform/data-dir-lock.ts';
import type { Db } from '../../src/db/open.ts';
import { runAuditCli, runAuditCliProcess } from './run-audit-cli.ts';
import { holdDataDirElsewhere } from '../helpers/run-command.ts';
import { eventOf, newContractId } from './trail.ts';

/**
 * `npm run audit` (R9.1) on a PGlite data folder, or on a PostgreSQL database of this file's own when
 * TEST_DATABASE_URL is set: run as a process of its own for help, a verify and a busy data folder,
 * and in this process for the rest. The tests run in order: the trail is
 * intact until the last ones damage it.
 */
let database: TestDatabase | undefined;
let target: CliTarget;
let work: string;
let contractId: string;
let otherContractId: string;
before(async () => {
  if (onPostgres) database = await createTestDatabase();
  work = mkdtempSync(join(tmpdir(), 'ib-audit-cli-'));
  target = { dataDir: join(work, 'data'), databaseUrl: database?.url };
  mkdirSync(target.dataDir, { mode: 0o700 });
  [contractId, otherContractId] = await inspect(async (db) => {
    await migrate(db);
    const deps = testDeps(db);
    const ids: string[] = [];
    for (const name of ['first', 'second']) {
      const master = await onboardMaster(deps, { userId: name });
      for (let second = 0; second < 4; second++) {
        // April 2026 in Japan; the second contract's records carry text that needs CSV quoting.
        const at = new Date(Date.UTC(2026, 3, 10, 1, 0, second));
        await recordAudit(db, eventOf(master.contractId, second, { at, actor: `user:${master.contractId}/${name}`, reason: name === 'second' ? '理由, "引用"\n次の行' : undefined }));
      }
      ids.push(master.contractId);
    }
    return ids as [string, string];
  });
});
after(async () => {
  rmSync(work, { recursive: true, force: true });
  await database?.drop();
});

const cli = (...args: string[]) => runAuditCli(target, args);
function inspect<T>(read: (db: Db) => Promise<T>): Promise<T> {
  return withCliDatabase(target, database?.db, read);
}

test('--help exits 0 with every command, says to stop the service for the embedded database, and touches no data', async () => {
  const dir = join(work, 'help-data');
  const run = await runAuditCliProcess({ dataDir: dir, databaseUrl: undefined }, ['--help']);
  assert.equal(run.code, 0);
  assert.match(run.stdout, /^Usage: npm run -s audit -- /);
  for (const word of ['verify', 'export', 'verify-export', '--chain', '--contract', '--from', '--to', '--format', '--json']) assert.ok(run.stdout.includes(word), word);
  assert.match(run.stdout, /stop the service/);
  assert.equal(existsSync(dir), false);
});

test('a mistake in the command is reported as such with exit 2, before the database is opened', async () => {
  const unlock = onPostgres ? () => {} : holdDataDirElsewhere(target.dataDir, 'a running service');
  try {
    const cases: Array<[string[], RegExp]> = [
      [[], /Usage: /],
      [['launch'], /unknown command "launch"/],
      [['verify', '--frobnicate'], /frobnicate/],
      [['verify', '--chain', '12345678901'], /--chain must be an 11-digit contract ID/],
      [['export', '--contract', contractId, '--from', '2026-04-01'], /--from and --to are required/],
      [['export', '--contract', contractId, '--from', '2026-02-30', '--to', '2026-03-01'], /--from 2026-02-30 is not a day/],
      [['export', '--contract', contractId, '--from', '2026-04-02', '--to', '2026-04-01'], /--to is before --from/],
      [['export', '--contract', '1234', '--from', '2026-04-01', '--to', '2026-04-30'], /--contract must be/],
      [['export', '--contract', contractId, '--from', '2026-04-01', '--to', '2026-04-30', '--format', 'xml'], /--format must be csv or json/],
      [['verify-export'], /verify-export takes one file/],
      [['verify-export', join(work, 'no-such-file.csv')], /cannot read/],
    ];
    for (const [args, message] of cases) {
      const run = await cli(...args);
      assert.equal(run.code, 2, args.join(' '));
      assert.match(run.stdout + run.stderr, message, args.join(' '));
      assert.doesNotMatch(run.stderr, /busy|in use|    at /, 'neither the database nor a stack trace');
    }
  } finally {
    unlock();
  }
});

test('verify exits 0 on an untouched trail, in text and in JSON', async () => {
  const run = await runAuditCliProcess(target, ['verify']);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /^Audit trail intact: \d+ chain\(s\), \d+ record\(s\) verified\.\n$/);
  const json = await cli('verify', '--json', '--chain', contractId);
  assert.equal(json.code, 0);
  const result = JSON.parse(json.stdout);
  assert.equal(result.ok, true);
  assert.equal(result.chains, 1);
  assert.ok(result.records >= 4);
  assert.deepEqual(result.problems, []);
});

test('export writes the period as CSV to standard output, which verify-export accepts, alone and against the database', async () => {
  const run = await cli('export', '--contract', otherContractId, '--from', '2026-04-01', '--to', '2026-04-30', '--operator', 'suzuki');
  assert.equal(run.code, 0, run.stderr);
  const lines = run.stdout.split('\r\n');
  assert.equal(lines[0], 'id,chain,seq,at_utc,at_jst,contract_id,user_ref,actor,action,outcome,reason,ip,user_agent,details,prev_hash,hash,link_scheme,content_hash');
  assert.ok(run.stdout.includes(',"理由, ""引用""\r\n次の行",') || run.stdout.includes(',"理由, ""引用""\n次の行",'));
  assert.ok(run.stdout.includes('2026-04-10T01:00:00.000Z,2026-04-10T10:00:00.000+09:00'));
  assert.ok(!run.stdout.includes(contractId), "nothing of another contract's trail");

  const file = join(work, 'april.csv');
  writeFileSync(file, run.stdout);
  const alone = await cli('verify-export', file);
  assert.equal(alone.code, 0, alone.stdout + alone.stderr);
  // Onboarding's two records (1 April) and the four of 10 April.
  assert.match(alone.stdout, /6 record\(s\), intact\./);
  const against = await cli('verify-export', file, '--with-database');
  assert.equal(against.code, 0, against.stdout + against.stderr);
  assert.match(against.stdout, /intact and matches the stored chain/);

  // Who took the export out, and for which period, is in the contract's own chain.
  const exported = await inspect((db) => db.selectFrom('audit_log').select(['actor', 'details']).where('chain', '=', otherContractId).where('action', '=', 'audit.export').execute());
  assert.deepEqual(exported, [{ actor: 'operator:suzuki', details: { from: '2026-03-31T15:00:00.000Z', to: '2026-04-30T15:00:00.000Z', records: 6, format: 'csv' } }]);
});

test('verify-export names the record of an edited exported file and exits 1', async () => {
  const file = join(work, 'edited.csv');
  const original = readFileSync(join(work, 'april.csv'), 'utf8');
  writeFileSync(file, original.replace(`user:${otherContractId}/second`, `user:${otherContractId}/someone`));
  const run = await cli('verify-export', file);
  assert.equal(run.code, 1);
  assert.match(run.stdout, /NOT intact, 1 problem\(s\) in 6 record\(s\)/);
  assert.match(run.stdout, new RegExp(`\n  chain ${otherContractId}, record 3, row id \\d+: altered — `));
  const json = JSON.parse((await cli('verify-export', file, '--json')).stdout);
  assert.equal(json.ok, false);
  assert.deepEqual(json.problems.map((p: { seq: string; kind: string }) => [p.seq, p.kind]), [['3', 'altered']]);

  // Japan time is not hashed (UTC is): a file whose two times disagree is refused outright.
  writeFileSync(file, original.replace('2026-04-10T10:00:00.000+09:00', '2026-04-10T11:00:00.000+09:00'));
  const times = await cli('verify-export', file);
  assert.equal(times.code, 1);
  assert.match(times.stderr, /row 3: at_jst is not the same moment as at_utc/);
});

test('export --format json --output writes a new file readable by the operator only, and never overwrites one', async () => {
  const file = join(work, 'april.json');
  const run = await cli('export', '--contract', contractId, '--from', '2026-04-10', '--to', '2026-04-10', '--format', 'json', '--output', file);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, new RegExp(`4 record\\(s\\) of contract ${contractId} written to `));
  assert.equal(statSync(file).mode & 0o777, 0o600);
  const records = JSON.parse(readFileSync(file, 'utf8'));
  assert.deepEqual(records.map((r: { seq: string; atJst: string }) => [r.seq, r.atJst]), [
    ['3', '2026-04-10T10:00:00.000+09:00'],
    ['4', '2026-04-10T10:00:01.000+09:00'],
    ['5', '2026-04-10T10:00:02.000+09:00'],
    ['6', '2026-04-10T10:00:03.000+09:00'],
  ]);
  assert.equal((await cli('verify-export', file, '--with-database')).code, 0);
  const again = await cli('export', '--contract', contractId, '--from', '2026-04-01', '--to', '2026-04-30', '--format', 'json', '--output', file);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /cannot write .*EEXIST/);
  assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), records);
});

test('export of a contract that does not exist exits 1 and says so', async () => {
  const run = await cli('export', '--contract', newContractId(), '--from', '2026-04-01', '--to', '2026-04-30');
  assert.equal(run.code, 1);
  assert.match(run.stderr, /no contract \d{11}/);
  assert.equal(run.stdout, '');
});

test('on the embedded database, a running service (holding the data folder) is named instead of opening it', { skip: onPostgres ? 'PostgreSQL has no such limit' : false }, async () => {
  const unlock = lockDataDir(target.dataDir, 'the service');
  try {
    const run = await runAuditCliProcess(target, ['verify']);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /the service/);
  } finally {
    unlock();
  }
});

test('verify exits 1 after tampering, listing each problem with its chain, record and row', async () => {
  const [altered, removedAfter] = await inspect(async (db) => {
    const row = await db.selectFrom('audit_log').select('id').where('chain', '=', contractId).where('seq', '=', 2n).executeTakeFirstOrThrow();
    await sql`UPDATE audit_log SET details = details || '{"amountYen": "1"}' WHERE id = ${row.id}`.execute(db);
    await sql`DELETE FROM audit_log WHERE chain = ${contractId} AND seq = 4`.execute(db);
    const next = await db.selectFrom('audit_log').select('id').where('chain', '=', contractId).where('seq', '=', 5n).executeTakeFirstOrThrow();
    return [row.id, next.id];
  });
  const run = await cli('verify');
  assert.equal(run.code, 1);
  assert.equal(
    run.stdout.split('\n').filter((line) => line.startsWith('  ')).join('\n'),
    [
      `  chain ${contractId}, record 2, row id ${altered}: altered — its content does not match its hash: a field of it was changed`,
      `  chain ${contractId}, record 4, row id ${removedAfter}: removed — record 4 is missing: the chain jumps to 5`,
    ].join('\n'),
  );
  assert.match(run.stdout, /^Audit trail NOT intact: 2 problem\(s\) in \d+ chain\(s\)/);

  const json = JSON.parse((await cli('verify', '--json')).stdout);
  assert.equal(json.ok, false);
  assert.deepEqual(json.problems[0], { chain: contractId, seq: '2', recordId: String(altered), kind: 'altered', detail: 'its content does not match its hash: a field of it was changed' });
  assert.equal((await cli('verify', '--chain', otherContractId)).code, 0, 'another contract is intact');

  // A file exported before the damage no longer matches the stored chain.
  const before = await cli('verify-export', join(work, 'april.json'), '--with-database');
  assert.equal(before.code, 1);
  assert.match(before.stdout, /record 4.*removed — the stored chain has no record 4/);
});
