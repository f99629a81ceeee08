import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, onPostgres, type TestDatabase } from '../helpers/database.ts';
import type { Db } from '../../src/db/open.ts';
import { runCli, withCliDatabase, type CliTarget } from './run-cli.ts';

/** R5.1 for the help desk: `otp-status` lists who of a contract needs an OTP address and whether it is confirmed. */
let database: TestDatabase | undefined;
let target: CliTarget;
let contractId: string;
const cli = (...args: string[]) => runCli(target, args);
before(async () => {
  if (onPostgres) database = await createTestDatabase();
  target = { dataDir: mkdtempSync(join(tmpdir(), 'ib-otp-cli-')), databaseUrl: database?.url };
  const run = await cli('onboard', '--company', 'ワンタイム商事', '--master-user', 'boss', '--json');
  assert.equal(run.code, 0, run.stderr);
  contractId = (JSON.parse(run.stdout) as { contractId: string }).contractId;
});
after(async () => {
  rmSync(target.dataDir, { recursive: true, force: true });
  await database?.drop();
});

const change = (write: (db: Db) => Promise<unknown>) => withCliDatabase(target, database?.db, write);

interface Listed {
  contractId: string;
  people: { userId: string; role: string; needsOtpAddress: boolean; otpAddressConfirmed: boolean; otpAddress: string | null; confirmedAt: string | null }[];
}

test('otp-status --json: the master needs an OTP address and has none; a user without payments needs none; a confirmed one is shown masked', async () => {
  const first = await cli('otp-status', '--contract', contractId, '--json');
  assert.equal(first.code, 0, first.stderr);
  const listed = JSON.parse(first.stdout) as Listed;
  assert.equal(listed.contractId, contractId);
  assert.deepEqual(
    listed.people.map(({ userId, role, needsOtpAddress, otpAddressConfirmed, otpAddress }) => ({ userId, role, needsOtpAddress, otpAddressConfirmed, otpAddress })),
    [{ userId: 'boss', role: 'master', needsOtpAddress: true, otpAddressConfirmed: false, otpAddress: null }],
  );

  const at = new Date('2026-04-01T00:00:00Z');
  await change(async (db) => {
    await db.updateTable('users').set({ otp_email: 'keiri@otp.customer.example', otp_email_confirmed_at: at }).where('contract_id', '=', contractId).where('user_id', '=', 'boss').execute();
    await db.insertInto('users').values({ contract_id: contractId, user_id: 'viewer', display_name: '照会 花子', role: 'user', created_at: at }).execute();
  });
  const second = JSON.parse((await cli('otp-status', '--contract', contractId, '--json')).stdout) as Listed;
  assert.deepEqual(
    second.people.map(({ userId, needsOtpAddress, otpAddressConfirmed, otpAddress, confirmedAt }) => ({ userId, needsOtpAddress, otpAddressConfirmed, otpAddress, confirmedAt })),
    [
      { userId: 'boss', needsOtpAddress: true, otpAddressConfirmed: true, otpAddress: 'k*****@otp.customer.example', confirmedAt: at.toISOString() },
      { userId: 'viewer', needsOtpAddress: false, otpAddressConfirmed: false, otpAddress: null, confirmedAt: null },
    ],
  );
  const text = await cli('otp-status', '--contract', contractId);
  assert.equal(text.code, 0);
  assert.match(text.stdout, /boss\s+master\s+needed\s+k\*\*\*\*\*@otp\.customer\.example/);
  assert.match(text.stdout, /viewer\s+user\s+not needed/);
});

test('otp-status refuses a malformed, missing or unknown contract with the CLI\'s input-error status 1', async () => {
  const malformed = await cli('otp-status', '--contract', '123');
  assert.equal(malformed.code, 1);
  assert.match(malformed.stderr, /11-digit/);
  const missing = await cli('otp-status');
  assert.equal(missing.code, 1);
  const unknown = await cli('otp-status', '--contract', '00000000000');
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /no contract/);
});
