import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { createTestDatabase, onPostgres, type TestDatabase } from '../helpers/database.ts';
import { testDeps } from '../helpers/deps.ts';
import { Client, errorCode } from '../helpers/client.ts';
import { logon, type TestPerson } from '../helpers/people.ts';
import { buildApp } from '../../src/app.ts';
import type { Db } from '../../src/db/open.ts';
import { FakeClock } from '../../src/platform/clock.ts';
import { lockDataDir } from '../../src/platform/data-dir-lock.ts';
import { isValidContractId } from '../../src/domain/contract-id.ts';
import { gridCardAssociatedData } from '../../src/auth/grid-card.ts';
import { dataDirKeyring, printedDigits, runCli, runCliProcess, withCliDatabase, type CliTarget } from './run-cli.ts';

let database: TestDatabase | undefined;
let target: CliTarget;
before(async () => {
  // On PostgreSQL the CLI gets this file's own database; on PGlite the data folder is the database.
  if (onPostgres) database = await createTestDatabase();
  target = { dataDir: mkdtempSync(join(tmpdir(), 'ib-cli-')), databaseUrl: database?.url };
});
after(async () => {
  rmSync(target.dataDir, { recursive: true, force: true });
  await database?.drop();
});

const cli = (...args: string[]) => runCli(target, args);
const inspect = <T>(read: (db: Db) => Promise<T>) => withCliDatabase(target, database?.db, read);

interface Onboarded {
  contractId: string;
  companyName: string;
  lockMode: string;
  masterUserId: string;
  registrationPassword: string;
  registrationPasswordExpiresAt: string;
  gridCardSerial: string;
  gridCardFile: string;
}

let onboarding: Promise<Onboarded> | undefined;
/** One contract for the tests that need one, whichever of them runs first. */
function onboarded(): Promise<Onboarded> {
  onboarding ??= runCliProcess(target, ['onboard', '--company', '株式会社<テスト>&Co', '--master-user', 'boss', '--json', '--operator', 'yamada']).then((run) => {
    assert.equal(run.code, 0, run.stderr);
    return JSON.parse(run.stdout) as Onboarded;
  });
  return onboarding;
}

/**
 * The master's first logon up to the grid step (R1.3): where it leads, or the error code shown.
 */
async function firstLogonStep(person: { contractId: string; userId: string; registrationPassword: string; digits: string }) {
  return inspect(async (db) => {
    const deps = { ...testDeps(db, { clock: new FakeClock(new Date()) }), keyring: dataDirKeyring(target.dataDir) };
    const app = await buildApp(deps, { logger: false });
    try {
      const full: TestPerson = { ...person, loginPassword: '', confirmationPassword: '', email: '' };
      const response = await logon(new Client(app), full, person.registrationPassword);
      return response.statusCode === 303 ? String(response.headers.location) : (errorCode(response.body) ?? String(response.statusCode));
    } finally {
      await app.close();
    }
  });
}

const counts = () =>
  inspect(async (db) => ({
    contracts: (await db.selectFrom('contract').select('id').execute()).length,
    users: (await db.selectFrom('users').select('id').execute()).length,
    cards: (await db.selectFrom('grid_card').select('id').execute()).length,
  }));
const cardFiles = () => (existsSync(join(target.dataDir, 'cards')) ? readdirSync(join(target.dataDir, 'cards')).sort() : []);

test('--help exits 0 with the usage of every command, and touches no data', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ib-cli-help-'));
  try {
    const run = await runCliProcess({ dataDir: join(dir, 'data'), databaseUrl: undefined }, ['--help']);
    assert.equal(run.code, 0);
    assert.match(run.stdout, /^Usage: /);
    for (const command of ['onboard', 'issue-card', 'new-registration-password', 'lift-stop', '--json']) assert.ok(run.stdout.includes(command), command);
    assert.equal(existsSync(join(dir, 'data')), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('no command exits 2 with the usage; an unknown option exits 2; an unknown command exits 1', async () => {
  const none = await cli();
  assert.equal(none.code, 2);
  assert.match(none.stdout + none.stderr, /Usage: /);
  const option = await cli('onboard', '--frobnicate');
  assert.equal(option.code, 2);
  assert.match(option.stderr, /frobnicate/);
  const command = await cli('launch-missiles');
  assert.equal(command.code, 1);
  assert.match(command.stderr, /unknown command "launch-missiles"/);
});

test('R1.1, R1.3, R3.3: onboard prints an 11-digit contract ID, a registration password and a private printable 8×6 card', async () => {
  const result = await onboarded();
  assert.match(result.contractId, /^[0-9]{11}$/);
  assert.equal(isValidContractId(result.contractId), true, 'the check digit is valid');
  assert.equal(result.companyName, '株式会社<テスト>&Co');
  assert.equal(result.lockMode, 'unlinked', 'R2.3: not linked is the default');
  assert.equal(result.masterUserId, 'boss');
  assert.match(result.registrationPassword, /^[A-Z2-9]{12}$/);
  const expiresInDays = (Date.parse(result.registrationPasswordExpiresAt) - Date.now()) / 86_400_000;
  assert.ok(expiresInDays > 13 && expiresInDays <= 14, `registration password expires in ${expiresInDays} days`);

  assert.ok(existsSync(result.gridCardFile), result.gridCardFile);
  assert.ok(result.gridCardFile.startsWith(join(target.dataDir, 'cards')));
  assert.equal(statSync(result.gridCardFile).mode & 0o777, 0o600, 'R3.4: the card file is readable by its owner only');
  const page = readFileSync(result.gridCardFile, 'utf8');
  const digits = printedDigits(page);
  assert.ok(digits, 'the card is an 8×6 table with columns A–H and rows 1–6');
  assert.match(digits, /^[0-9]{48}$/);
  assert.ok(page.includes(result.gridCardSerial));
  assert.ok(page.includes(result.contractId));
  assert.ok(page.includes('株式会社&lt;テスト&gt;&amp;Co'), 'the company name is escaped on the card');
  assert.ok(!page.includes('<テスト>'));

  const stored = await inspect(async (db) => {
    const card = await db
      .selectFrom('grid_card')
      .innerJoin('users', 'users.id', 'grid_card.user_ref')
      .select(['grid_card.serial', 'grid_card.digits_sealed', 'users.role', 'users.registration_password_hash'])
      .where('users.contract_id', '=', result.contractId)
      .executeTakeFirstOrThrow();
    const audit = await db.selectFrom('audit_log').select(['action', 'actor']).where('contract_id', '=', result.contractId).execute();
    return { card, audit };
  });
  assert.equal(stored.card.role, 'master');
  // The CLI, like the service, hashes at the production parameters whatever the tests do in-process.
  assert.ok(stored.card.registration_password_hash!.startsWith('$argon2id$v=19$m=65536,t=3,p=4$'), stored.card.registration_password_hash!);
  assert.equal(stored.card.serial, result.gridCardSerial);
  assert.ok(!stored.card.digits_sealed.includes(digits), 'R3.4: the digits are stored encrypted');
  assert.equal(dataDirKeyring(target.dataDir).open(stored.card.digits_sealed, gridCardAssociatedData(stored.card.serial)), digits, 'the printed card is the card the bank checks');
  assert.deepEqual(stored.audit.map((a) => a.action).sort(), ['contract.onboard', 'grid_card.issue']);
  assert.ok(stored.audit.every((a) => a.actor === 'operator:yamada'));

  const next = await firstLogonStep({ contractId: result.contractId, userId: 'boss', registrationPassword: result.registrationPassword, digits });
  assert.equal(next, '/setup', 'R1.3: the master logs on with what the bank handed over');
});

test('onboard without --json prints a readable summary with the contract ID and the card file', async () => {
  const run = await cli('onboard', '--company', 'Text Output KK', '--master-user', 'chief', '--lock-mode', 'linked');
  assert.equal(run.code, 0, run.stderr);
  const contractId = /Contract created: ([0-9]{11}) \(Text Output KK, lock mode linked\)/.exec(run.stdout)?.[1];
  assert.ok(contractId && isValidContractId(contractId), run.stdout);
  assert.match(run.stdout, /Registration password: +[A-Z2-9]{12} /);
  assert.match(run.stdout, new RegExp(`cards/${contractId}-chief-[0-9]{12}\\.html`));
});

test('bad onboard input exits 1 with a clear message and creates nothing', async () => {
  await onboarded();
  const before = await counts();
  const filesBefore = cardFiles();
  const cases: [string[], RegExp][] = [
    [['--company', 'Too Long KK', '--master-user', 'a'.repeat(31)], /user ID must be 1–30 half-width letters and digits/],
    [['--company', 'Full Width KK', '--master-user', 'ｂｏｓｓ'], /user ID must be 1–30/],
    [['--company', 'Lock KK', '--master-user', 'boss', '--lock-mode', 'sometimes'], /--lock-mode must be unlinked or linked/],
    [['--master-user', 'boss'], /--company is required/],
    [['--company', '   ', '--master-user', 'boss'], /--company is required/],
    [['--company', 'No Master KK'], /--master-user is required/],
    [['--company', 'Bad\u0007Name', '--master-user', 'boss'], /control characters/],
    [['--company', 'X'.repeat(101), '--master-user', 'boss'], /company name must be 1–100/],
    [['--company', 'Mail KK', '--master-user', 'boss', '--master-email', 'not-an-address'], /email/],
  ];
  for (const [args, message] of cases) {
    const run = await cli('onboard', ...args);
    assert.equal(run.code, 1, `${args.join(' ')}: ${run.stderr}`);
    assert.match(run.stderr, /^error: /);
    assert.match(run.stderr, message);
    assert.equal(run.stdout, '');
  }
  const json = await cli('onboard', '--company', 'Json KK', '--master-user', 'a'.repeat(31), '--json');
  assert.equal(json.code, 1);
  assert.match(JSON.parse(json.stdout).error, /user ID/, 'with --json the error is JSON too');
  assert.deepEqual(await counts(), before);
  assert.deepEqual(cardFiles(), filesBefore);
});

test('R3.3: issue-card gives a new serial and the old card stops working at once', async () => {
  const first = await onboarded();
  const oldDigits = printedDigits(readFileSync(first.gridCardFile, 'utf8'))!;
  const run = await cli('issue-card', '--contract', first.contractId, '--user', 'boss', '--json');
  assert.equal(run.code, 0, run.stderr);
  const issued = JSON.parse(run.stdout) as { gridCardSerial: string; gridCardFile: string; expiresAt: string };
  assert.match(issued.gridCardSerial, /^[0-9]{12}$/);
  assert.notEqual(issued.gridCardSerial, first.gridCardSerial);
  assert.notEqual(issued.gridCardFile, first.gridCardFile);
  const newDigits = printedDigits(readFileSync(issued.gridCardFile, 'utf8'));
  assert.ok(newDigits);
  assert.equal(statSync(issued.gridCardFile).mode & 0o777, 0o600);

  const cards = await inspect((db) =>
    db
      .selectFrom('grid_card')
      .innerJoin('users', 'users.id', 'grid_card.user_ref')
      .select(['grid_card.serial', 'grid_card.invalidated_at'])
      .where('users.contract_id', '=', first.contractId)
      .where('users.user_id', '=', 'boss')
      .orderBy('grid_card.id')
      .execute(),
  );
  assert.equal(cards.length, 2);
  assert.equal(cards[0]!.serial, first.gridCardSerial);
  assert.ok(cards[0]!.invalidated_at instanceof Date, 'the old card is invalidated');
  assert.equal(cards[1]!.serial, issued.gridCardSerial);
  assert.equal(cards[1]!.invalidated_at, null);

  const person = { contractId: first.contractId, userId: 'boss', registrationPassword: first.registrationPassword };
  assert.equal(await firstLogonStep({ ...person, digits: oldDigits }), 'AUTH_GRID_FAILED', 'the old card does not work');
  assert.equal(await firstLogonStep({ ...person, digits: newDigits }), '/setup', 'the new card works');
});

test('R2.5: new-registration-password prints a new one that works, and the old one no longer does', async () => {
  const first = await onboarded();
  // A lock left behind by a process that has died does not block the operator.
  const dead = spawnSync(process.execPath, ['-e', 'process.exit(0)']).pid;
  if (!onPostgres) writeFileSync(join(target.dataDir, 'embedded-db.lock'), JSON.stringify({ pid: dead, holder: 'a crashed service' }));
  const run = await cli('new-registration-password', '--contract', first.contractId, '--user', 'boss', '--json');
  assert.equal(run.code, 0, run.stderr);
  const issued = JSON.parse(run.stdout) as { registrationPassword: string; expiresAt: string };
  assert.match(issued.registrationPassword, /^[A-Z2-9]{12}$/);
  assert.notEqual(issued.registrationPassword, first.registrationPassword);

  const card = await inspect(async (db) => {
    const row = await db
      .selectFrom('grid_card')
      .innerJoin('users', 'users.id', 'grid_card.user_ref')
      .select(['grid_card.serial', 'grid_card.digits_sealed'])
      .where('users.contract_id', '=', first.contractId)
      .where('grid_card.invalidated_at', 'is', null)
      .executeTakeFirstOrThrow();
    return dataDirKeyring(target.dataDir).open(row.digits_sealed, gridCardAssociatedData(row.serial));
  });
  const person = { contractId: first.contractId, userId: 'boss', digits: card };
  assert.equal(await firstLogonStep({ ...person, registrationPassword: issued.registrationPassword }), '/setup');
  assert.equal(await firstLogonStep({ ...person, registrationPassword: first.registrationPassword }), 'AUTH_LOGON_FAILED');

  const text = await cli('new-registration-password', '--contract', first.contractId, '--user', 'boss');
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, new RegExp(`Registration password for ${first.contractId}/boss: [A-Z2-9]{12} `));
});

test('R2.3: lift-stop on a master who is not stopped says nothing changed; on a stopped master it lifts the contract too', async () => {
  const first = await onboarded();
  const idle = await cli('lift-stop', '--contract', first.contractId, '--user', 'boss');
  assert.equal(idle.code, 0, idle.stderr);
  assert.match(idle.stdout, /was not stopped; nothing changed/);
  const idleJson = await cli('lift-stop', '--contract', first.contractId, '--user', 'boss', '--json');
  assert.deepEqual(JSON.parse(idleJson.stdout), { contractId: first.contractId, userId: 'boss', lifted: false });

  const stoppedAt = new Date();
  await inspect(async (db) => {
    await db.updateTable('users').set({ stopped_at: stoppedAt, failed_attempts: 7 }).where('contract_id', '=', first.contractId).execute();
    await db.updateTable('contract').set({ stopped_at: stoppedAt }).where('id', '=', first.contractId).execute();
  });
  const lift = await cli('lift-stop', '--contract', first.contractId, '--user', 'boss', '--json');
  assert.equal(lift.code, 0, lift.stderr);
  assert.equal(JSON.parse(lift.stdout).lifted, true);
  const after = await inspect(async (db) => ({
    user: await db.selectFrom('users').select(['stopped_at', 'failed_attempts']).where('contract_id', '=', first.contractId).executeTakeFirstOrThrow(),
    contract: await db.selectFrom('contract').select('stopped_at').where('id', '=', first.contractId).executeTakeFirstOrThrow(),
    audit: await db.selectFrom('audit_log').select('action').where('contract_id', '=', first.contractId).where('action', '=', 'person.lift_stop').execute(),
  }));
  assert.deepEqual(after.user, { stopped_at: null, failed_attempts: 0 });
  assert.equal(after.contract.stopped_at, null);
  assert.equal(after.audit.length, 1, 'a lift is audited; a lift that changed nothing is not');
});

test("R2.3: the operator refuses to lift a stop of a user who is not the master (that is the master's)", async () => {
  const first = await onboarded();
  await inspect((db) =>
    db
      .insertInto('users')
      .values({ contract_id: first.contractId, user_id: 'clerk1', display_name: 'clerk', role: 'user', stopped_at: new Date(), created_at: new Date() })
      .execute(),
  );
  const run = await cli('lift-stop', '--contract', first.contractId, '--user', 'clerk1');
  assert.equal(run.code, 1);
  assert.match(run.stderr, /lifted by the contract's master/);
  const clerk = await inspect((db) =>
    db.selectFrom('users').select('stopped_at').where('contract_id', '=', first.contractId).where('user_id', '=', 'clerk1').executeTakeFirstOrThrow(),
  );
  assert.ok(clerk.stopped_at instanceof Date, 'still stopped');
});

test('R1.1: a contract ID with a wrong check digit, or an unknown user, is refused with exit 1', async () => {
  const first = await onboarded();
  const typo = first.contractId.slice(0, 10) + String((Number(first.contractId[10]) + 1) % 10);
  for (const command of ['issue-card', 'new-registration-password', 'lift-stop']) {
    const badId = await cli(command, '--contract', typo, '--user', 'boss');
    assert.equal(badId.code, 1, command);
    assert.match(badId.stderr, /--contract must be an 11-digit contract ID with a valid check digit/);
    const unknown = await cli(command, '--contract', first.contractId, '--user', 'nobody');
    assert.equal(unknown.code, 1, command);
    assert.match(unknown.stderr, /no user nobody in contract/);
    const missing = await cli(command, '--contract', first.contractId);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /--user is required/);
  }
});

test(
  'while another process holds the embedded data folder the CLI refuses with exit 2 and says who holds it',
  { skip: onPostgres ? 'the data folder lock guards the embedded database only' : false },
  async () => {
    const first = await onboarded();
    const before = await counts();
    const unlock = lockDataDir(target.dataDir, 'the service (npm start)');
    try {
      const run = await runCliProcess(target, ['issue-card', '--contract', first.contractId, '--user', 'boss']);
      assert.equal(run.code, 2);
      assert.match(run.stderr, /in use by the service \(npm start\) \(pid \d+\)/);
      assert.match(run.stderr, /stop it first/);
      const json = await runCliProcess(target, ['lift-stop', '--contract', first.contractId, '--user', 'boss', '--json']);
      assert.equal(json.code, 2);
      assert.match(JSON.parse(json.stdout).error, /in use by/);
      assert.ok(existsSync(join(target.dataDir, 'embedded-db.lock')), "the holder's lock is left in place");
    } finally {
      unlock();
    }
    assert.deepEqual(await counts(), before, 'no card was issued while refused');
  },
);
