import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, onPostgres, type TestDatabase } from '../helpers/database.ts';
import { testDeps } from '../helpers/deps.ts';
import { Client } from '../helpers/client.ts';
import type { Db } from '../../src/db/open.ts';
import { FakeClock } from '../../src/platform/clock.ts';
import { buildConsole } from '../../src/operator/console/server.ts';
import type { StaffCredentials } from '../../src/operator/staff/accounts.ts';
import { staffTotpAssociatedData } from '../../src/operator/staff/accounts.ts';
import { dataDirKeyring, runCli, withCliDatabase, type CliTarget } from './run-cli.ts';
import { currentCode, errorCode, passwordStep } from './console-support.ts';

/** The bank's IT creates and looks after the console's staff from the operator CLI. */
let database: TestDatabase | undefined;
let target: CliTarget;
before(async () => {
  if (onPostgres) database = await createTestDatabase();
  target = { dataDir: mkdtempSync(join(tmpdir(), 'ib-staff-cli-')), databaseUrl: database?.url };
});
after(async () => {
  rmSync(target.dataDir, { recursive: true, force: true });
  await database?.drop();
});

const cli = (...args: string[]) => runCli(target, args);
const inspect = <T>(read: (db: Db) => Promise<T>) => withCliDatabase(target, database?.db, read);

/** A logon to the console with what the CLI printed, on the CLI's database and key. */
async function consoleLogon(member: StaffCredentials, password = member.initialPassword): Promise<string> {
  return inspect(async (db) => {
    const deps = { ...testDeps(db, { clock: new FakeClock(new Date()) }), keyring: dataDirKeyring(target.dataDir) };
    const app = await buildConsole(deps, { logger: false });
    try {
      const client = new Client(app);
      const first = await passwordStep(client, { ...member, initialPassword: password });
      if (first.statusCode !== 303) return errorCode(first.body) ?? String(first.statusCode);
      await client.get('/operator/logon/totp');
      const second = await client.post('/operator/logon/totp', { code: currentCode(deps, member) });
      return second.statusCode === 303 ? String(second.headers.location) : (errorCode(second.body) ?? String(second.statusCode));
    } finally {
      await app.close();
    }
  });
}

test('staff-add prints the initial password and the authenticator secret with its otpauth URI once, and they open the console', async () => {
  const run = await cli('staff-add', '--login', 'yamada', '--name', '山田 花子', '--role', 'approver', '--json');
  assert.equal(run.code, 0, run.stderr);
  const member = JSON.parse(run.stdout) as StaffCredentials;
  assert.equal(member.login, 'yamada');
  assert.equal(member.name, '山田 花子');
  assert.equal(member.role, 'approver');
  assert.match(member.initialPassword, /^[A-Za-z0-9]{16}$/);
  assert.match(member.totpSecret, /^[A-Z2-7]{32}$/);
  const uri = new URL(member.totpUri);
  assert.equal(uri.protocol, 'otpauth:');
  assert.equal(uri.searchParams.get('secret'), member.totpSecret);

  const stored = await inspect((db) => db.selectFrom('staff').selectAll().where('login_id', '=', 'yamada').executeTakeFirstOrThrow());
  assert.match(stored.password_hash, /^\$argon2id\$/, 'only the hash of the password is kept');
  assert.ok(!stored.totp_secret_sealed.includes(member.totpSecret), 'the secret is kept sealed');
  assert.equal(dataDirKeyring(target.dataDir).open(stored.totp_secret_sealed, staffTotpAssociatedData('yamada')), member.totpSecret);
  const audit = await inspect((db) => db.selectFrom('audit_log').select(['actor', 'action']).where('action', '=', 'staff.add').execute());
  assert.deepEqual(audit, [{ actor: 'operator:cli-test', action: 'staff.add' }]);

  assert.equal(await consoleLogon(member), '/operator/logon/password', 'the initial password opens only its own replacement');

  const text = await cli('staff-add', '--login', 'suzuki', '--name', '鈴木 一郎', '--role', 'recorder');
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /Staff member suzuki \(鈴木 一郎, recorder\) created\./);
  assert.match(text.stdout, /Initial password: +[A-Za-z0-9]{16} +\(the member replaces it at the first logon\)\n/);
  assert.match(text.stdout, /Authenticator URI: +otpauth:\/\/totp\//);
});

test('staff-add refuses bad input and a login taken already, with exit 1, creating nobody', async () => {
  const before = await inspect((db) => db.selectFrom('staff').select('login_id').orderBy('login_id').execute());
  const cases: [string[], RegExp][] = [
    [['--login', 'Yamada', '--name', 'x', '--role', 'recorder'], /--login must be 3–32/],
    [['--login', 'ab', '--name', 'x', '--role', 'recorder'], /--login must be 3–32/],
    [['--login', 'tanaka', '--name', 'x', '--role', 'admin'], /--role must be recorder or approver/],
    [['--login', 'tanaka', '--name', 'x'], /--role is required/],
    [['--login', 'tanaka', '--role', 'recorder'], /--name is required/],
    [['--login', 'tanaka', '--name', 'a\u0007b', '--role', 'recorder'], /--name must be/],
    [['--name', 'x', '--role', 'recorder'], /--login is required/],
  ];
  for (const [args, message] of cases) {
    const run = await cli('staff-add', ...args);
    assert.equal(run.code, 1, args.join(' '));
    assert.match(run.stderr, message);
    assert.equal(run.stdout, '');
  }
  await cli('staff-add', '--login', 'sato', '--name', '佐藤', '--role', 'recorder');
  const taken = await cli('staff-add', '--login', 'sato', '--name', '別の佐藤', '--role', 'approver', '--json');
  assert.equal(taken.code, 1);
  assert.match(JSON.parse(taken.stdout).error, /exists already/);
  const afterRows = await inspect((db) => db.selectFrom('staff').select('login_id').orderBy('login_id').execute());
  assert.deepEqual(afterRows.map((r) => r.login_id), [...before.map((r) => r.login_id), 'sato'].sort());
});

test('staff-lift-stop, staff-reset and staff-disable look after a member; staff-list shows each state', async () => {
  const member = JSON.parse((await cli('staff-add', '--login', 'kato', '--name', '加藤', '--role', 'recorder', '--json')).stdout) as StaffCredentials;
  await inspect((db) => db.updateTable('staff').set({ stopped_at: new Date(), failed_attempts: 7 }).where('login_id', '=', 'kato').execute());
  assert.equal(await consoleLogon(member), 'OPERATOR_LOGON_FAILED');
  assert.match((await cli('staff-list')).stdout, /kato +recorder +stopped +加藤/);
  assert.deepEqual(JSON.parse((await cli('staff-lift-stop', '--login', 'kato', '--json')).stdout), { login: 'kato', lifted: true });
  assert.match((await cli('staff-lift-stop', '--login', 'kato')).stdout, /was not stopped; nothing changed/);

  const reset = JSON.parse((await cli('staff-reset', '--login', 'kato', '--json')).stdout) as StaffCredentials;
  assert.notEqual(reset.initialPassword, member.initialPassword);
  assert.notEqual(reset.totpSecret, member.totpSecret);
  assert.equal(await consoleLogon(member), 'OPERATOR_LOGON_FAILED', 'the old password no longer works');
  assert.equal(await consoleLogon({ ...reset, initialPassword: reset.initialPassword }), '/operator/logon/password', 'the new password must be replaced again');

  assert.deepEqual(JSON.parse((await cli('staff-disable', '--login', 'kato', '--json')).stdout), { login: 'kato', disabled: true });
  assert.equal(await consoleLogon(reset), 'OPERATOR_LOGON_FAILED');
  const list = JSON.parse((await cli('staff-list', '--json')).stdout) as { staff: { login: string; state: string; passwordChangeDue: boolean }[] };
  assert.equal(list.staff.find((m) => m.login === 'kato')?.state, 'disabled');
  assert.equal(list.staff.find((m) => m.login === 'kato')?.passwordChangeDue, true, 'the password from IT is still in force');
  assert.match((await cli('staff-list')).stdout, /kato +recorder +disabled +加藤 +\(password from IT still in force\)/);
  const unknown = await cli('staff-disable', '--login', 'nobody');
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /no staff member with login nobody/);
});
