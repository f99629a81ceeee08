import 'reflect-metadata';
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, onPostgres, type TestDatabase } from '../helpers/database.ts';
import { testDeps } from '../helpers/deps.ts';
import type { Db } from '../../src/db/open.ts';
import type { Deps } from '../../src/deps.ts';
import { FakeClock } from '../../src/platform/clock.ts';
import { ensureAuthority } from '../../src/modules/certificates/authority.ts';
import { certificateCommonName, issueCertificate } from '../../src/modules/certificates/issue.ts';
import { makeCertificateRequest } from '../certificates/csr.ts';
import { dataDirKeyring, runCli, withCliDatabase, type CliTarget } from './run-cli.ts';

/**
 * The bank's command line on a contract's protections: R4.2, R4.5 certificates on and off, and a
 * revocation; R5.1 `otp-status`, who needs an OTP address and whether it is confirmed.
 */
let database: TestDatabase | undefined;
let target: CliTarget;
let contractId: string;
const cli = (...args: string[]) => runCli(target, args);
before(async () => {
  if (onPostgres) database = await createTestDatabase();
  target = { dataDir: mkdtempSync(join(tmpdir(), 'ib-cert-cli-')), databaseUrl: database?.url };
  const run = await cli('onboard', '--company', '証明書商事', '--master-user', 'boss', '--master-email', 'boss@customer.example', '--json');
  assert.equal(run.code, 0, run.stderr);
  contractId = (JSON.parse(run.stdout) as { contractId: string }).contractId;
});
after(async () => {
  rmSync(target.dataDir, { recursive: true, force: true });
  await database?.drop();
});

const inspect = <T>(read: (db: Db, deps: Deps) => Promise<T>) =>
  withCliDatabase(target, database?.db, (db) => read(db, { ...testDeps(db, { clock: new FakeClock(new Date()) }), keyring: dataDirKeyring(target.dataDir) }));

async function required(): Promise<boolean> {
  return inspect(async (db) => (await db.selectFrom('contract').select('certificate_required').where('id', '=', contractId).executeTakeFirstOrThrow()).certificate_required);
}

async function issueForBoss(): Promise<string> {
  return inspect(async (db, deps) => {
    await ensureAuthority(deps);
    const user = await db.selectFrom('users').selectAll().where('contract_id', '=', contractId).where('user_id', '=', 'boss').executeTakeFirstOrThrow();
    const contract = await db.selectFrom('contract').selectAll().where('id', '=', contractId).executeTakeFirstOrThrow();
    const { pem } = await makeCertificateRequest({ commonName: certificateCommonName(contractId, 'boss') });
    return (await issueCertificate(deps, { user, contract }, pem, { replaceExisting: true, ip: '203.0.113.1' })).serialHex;
  });
}

test('certificates-required switches the contract on and off, once each, and tells the master', async () => {
  const on = await cli('certificates-required', '--contract', contractId, '--on', '--json', '--operator', 'sato');
  assert.equal(on.code, 0, on.stderr);
  assert.deepEqual(JSON.parse(on.stdout), { contractId, certificateRequired: true, changed: true, sessionsEnded: 0 });
  assert.equal(await required(), true);
  const again = await cli('certificates-required', '--contract', contractId, '--on');
  assert.equal(again.code, 0);
  assert.match(again.stdout, /already/);
  const trail = await inspect((db) => db.selectFrom('audit_log').select(['actor', 'details']).where('contract_id', '=', contractId).where('action', '=', 'contract.certificate_required').execute());
  assert.equal(trail.length, 1);
  assert.equal(trail[0]!.actor, 'operator:sato');
  const mails = await inspect((db) => db.selectFrom('outbox').select('body').where('recipient', '=', 'boss@customer.example').execute());
  assert.ok(mails.some((m) => /電子証明書方式のご利用を開始しました/.test(m.body)));
});

test('certificate-revoke revokes the valid certificate at once, with its reason, and refuses when there is none', async () => {
  assert.equal((await cli('certificates-required', '--contract', contractId, '--on')).code, 0);
  const serial = await issueForBoss();
  const run = await cli('certificate-revoke', '--contract', contractId, '--user', 'boss', '--reason', 'reissue', '--json');
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(JSON.parse(run.stdout), { contractId, userId: 'boss', reason: 'reissue', revokedSerial: serial });
  const row = await inspect((db) => db.selectFrom('client_certificate').select(['revoked_at', 'revocation_reason']).where('serial_hex', '=', serial).executeTakeFirstOrThrow());
  assert.notEqual(row.revoked_at, null);
  assert.equal(row.revocation_reason, 'reissue');
  const none = await cli('certificate-revoke', '--contract', contractId, '--user', 'boss', '--reason', 'key_compromise');
  assert.equal(none.code, 1);
  assert.match(none.stderr, /no valid certificate/);
});

test('bad input is refused before anything is opened or changed', async () => {
  const both = await cli('certificates-required', '--contract', contractId, '--on', '--off');
  assert.equal(both.code, 1);
  const neither = await cli('certificates-required', '--contract', contractId);
  assert.equal(neither.code, 1);
  const badContract = await cli('certificates-required', '--contract', '12345678901', '--on');
  assert.equal(badContract.code, 1);
  const reason = await cli('certificate-revoke', '--contract', contractId, '--user', 'boss', '--reason', 'superseded');
  assert.equal(reason.code, 1);
  assert.match(reason.stderr, /--reason/);
  const unknown = await cli('certificate-revoke', '--contract', contractId, '--user', 'nobody', '--reason', 'reissue');
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /no user nobody/);
  const off = await cli('certificates-required', '--contract', contractId, '--off', '--json');
  assert.equal(JSON.parse(off.stdout).certificateRequired, false);
  assert.equal(await required(), false);
});

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
  await inspect(async (db) => {
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
