import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { createTestDatabase, onPostgres, type TestDatabase } from '../helpers/database.ts';
import { testDeps } from '../helpers/deps.ts';
import { withCliDatabase } from '../operator/run-cli.ts';
import { commandEnv, runCommandHere, runProcess, type CliRun, type CliTarget } from '../helpers/run-command.ts';
import { migrate } from '../../src/db/migrate.ts';
import type { Db } from '../../src/db/open.ts';
import { executeTransfer } from '../../src/modules/ledger/execute.ts';
import { addAccount, addContract, deposit, insertTransfer } from './fixtures.ts';

/**
 * `npm run ledger -- verify` (R8.6) on a PGlite data folder, or on a PostgreSQL database of this file's
 * own when TEST_DATABASE_URL is set: once through npm as the bank's operator types it, otherwise in
 * this process.
 * The tests run in order: the ledger is sound until the last one tampers with a balance.
 */
let database: TestDatabase | undefined;
let target: CliTarget;
let work: string;
let tamperedId: number;

before(async () => {
  if (onPostgres) database = await createTestDatabase();
  work = mkdtempSync(join(tmpdir(), 'ib-ledger-cli-'));
  target = { dataDir: join(work, 'data'), databaseUrl: database?.url };
  mkdirSync(target.dataDir, { mode: 0o700 });
  tamperedId = await inspect(async (db) => {
    await migrate(db);
    const deps = testDeps(db);
    const contract = await addContract(db);
    const payer = await addAccount(db, contract.contractId);
    const payee = await addAccount(db, contract.contractId);
    await deposit(db, payer.ledgerAccountId, 50_000n);
    for (const amountYen of [1_000n, 2_000n]) {
      const transfer = await insertTransfer(db, {
        contract,
        from: payer,
        to: { bankCode: deps.config.bankCode, branchCode: payee.branchCode, accountNumber: payee.accountNumber },
        amountYen,
        feeYen: 110n,
        executionDate: '2026-04-01',
      });
      await db.transaction().execute((tx) => executeTransfer(deps, tx, transfer.id, { onInsufficientFunds: 'fail' }));
    }
    return payee.ledgerAccountId;
  });
});
after(async () => {
  rmSync(work, { recursive: true, force: true });
  await database?.drop();
});

function inspect<T>(read: (db: Db) => Promise<T>): Promise<T> {
  return withCliDatabase(target, database?.db, read);
}

/** `npm run -s ledger -- …` exactly as the bank's operator types it, in a process of its own. */
function ledgerCliThroughNpm(...args: string[]): Promise<CliRun> {
  return runProcess('npm', ['run', '-s', 'ledger', '--', ...args], commandEnv(target, 'ledger-cli-test'));
}

/** The same command run in this process (see `runCommandHere`). */
const ledgerCli = (...args: string[]) => runCommandHere('ledger', target, args, 'ledger-cli-test');

test('verify --help and a wrong command: help exits 0, a mistake exits 2 without opening the database', async () => {
  const help = await ledgerCli('--help');
  assert.equal(help.code, 0);
  assert.match(help.stdout, /verify/);
  for (const args of [[], ['balance'], ['verify', '--colour']]) {
    assert.equal((await ledgerCli(...args)).code, 2, args.join(' '));
  }
});

test('verify of a sound ledger exits 0 and reports its figures, as text and as JSON', async () => {
  const text = await ledgerCliThroughNpm('verify');
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /Ledger balanced/);
  const json = await ledgerCli('verify', '--json');
  assert.equal(json.code, 0, json.stderr);
  const report = JSON.parse(json.stdout) as { ok: boolean; problems: string[]; figures: Record<string, string | number> };
  assert.equal(report.ok, true);
  assert.deepEqual(report.problems, []);
  assert.equal(report.figures.transfersCompleted, 2);
  assert.equal(report.figures.totalYen, '0');
  assert.equal(report.figures.feeIncomeBalanceYen, '220');
});

test('verify finds a balance changed directly in the database, names the account, and exits 1', async () => {
  await inspect((db) => sql`UPDATE ledger_account SET balance_yen = balance_yen + 1000 WHERE id = ${tamperedId}`.execute(db));
  const json = await ledgerCli('verify', '--json');
  assert.equal(json.code, 1, json.stderr);
  const report = JSON.parse(json.stdout) as { ok: boolean; problems: string[] };
  assert.equal(report.ok, false);
  assert.ok(report.problems.some((p) => p.startsWith(`ledger account ${tamperedId} (customer): balance`)), report.problems.join('\n'));
  assert.ok(report.problems.some((p) => p.includes('sum to 1000 yen, not zero')), report.problems.join('\n'));
  const text = await ledgerCli('verify');
  assert.equal(text.code, 1);
  assert.match(text.stdout, /NOT consistent/);
});
