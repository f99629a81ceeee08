import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, onPostgres, type TestDatabase } from '../helpers/database.ts';
import { runCli, type CliTarget } from '../operator/run-cli.ts';
import { codeOf } from './support.ts';

/**
 * The bank's command line on hardware tokens (R6.2, R6.8, the help desk), with the JSON its tooling
 * relies on: token-import of the vendor's PSKC files (whole or not at all), token-list, token-assign
 * and token-test of a code computed from the fixture's secret at the real time (the command runs on
 * the system clock). Each run opens the database, so the runs are few and each checks much.
 */
const fixtures = join(import.meta.dirname, 'fixtures/pskc');
const madeSerials = ['HT2030-0001', 'HT2030-0002'];
/** HT2030-0001 of the python-made files: the SHA-1 seed of RFC 6238 appendix B (fixtures/pskc/README.md). */
const firstSecret = { secret: Buffer.from('12345678901234567890', 'ascii'), hash: 'sha1' as const };

let database: TestDatabase | undefined;
let target: CliTarget;
let contractId: string;
const cli = (...args: string[]) => runCli(target, args);

/**
 * The encrypted files hold the same two serials as the plain one; a copy with the serials renamed
 * (the MAC covers the secrets only) imports beside it, encrypted exactly as the other tool wrote it.
 */
function renamedCopy(file: string, prefix: string): string {
  const path = join(target.dataDir, `${prefix}.pskcxml`);
  writeFileSync(path, readFileSync(join(fixtures, file), 'utf8').replaceAll('HT2030-', `${prefix}-`));
  return path;
}

before(async () => {
  if (onPostgres) database = await createTestDatabase();
  target = { dataDir: mkdtempSync(join(tmpdir(), 'ib-token-cli-')), databaseUrl: database?.url };
  const run = await cli('onboard', '--company', 'トークン商事', '--master-user', 'boss', '--master-email', 'boss@customer.example', '--json');
  assert.equal(run.code, 0, run.stderr);
  contractId = (JSON.parse(run.stdout) as { contractId: string }).contractId;
});
after(async () => {
  rmSync(target.dataDir, { recursive: true, force: true });
  await database?.drop();
});

interface Listed {
  serial: string;
  state: string;
  expires: string;
  contract: string | null;
  users: string[];
}

test('token-import stores the two tokens of a plain file with their expiry dates, and refuses the same file again whole, naming a serial the bank holds', async () => {
  const plain = await cli('token-import', '--file', join(fixtures, 'made-plain.pskcxml'), '--json');
  assert.equal(plain.code, 0, plain.stdout + plain.stderr);
  assert.deepEqual(JSON.parse(plain.stdout), {
    imported: 2,
    tokens: [
      { serial: 'HT2030-0001', expires: '2030-12-31' },
      { serial: 'HT2030-0002', expires: '2031-03-31' },
    ],
  });

  const again = await cli('token-import', '--file', join(fixtures, 'made-plain.pskcxml'), '--json');
  assert.equal(again.code, 1);
  const { error, ...refused } = JSON.parse(again.stdout) as Record<string, string>;
  assert.equal(typeof error, 'string');
  assert.equal(refused.code, 'TOKEN_SERIAL_EXISTS');
  assert.ok(madeSerials.includes(refused.serial!), `names the serial held: ${again.stdout}`);
});

test('an RFC 6030 figure (an HOTP key, not a 60-second TOTP token) refuses its file, naming the key’s serial and the reason', async () => {
  const hotp = await cli('token-import', '--file', join(fixtures, 'rfc6030-figure3.pskcxml'), '--json');
  assert.equal(hotp.code, 1);
  const { error, ...refused } = JSON.parse(hotp.stdout) as Record<string, string>;
  assert.equal(typeof error, 'string');
  assert.deepEqual(refused, { code: 'TOKEN_FILE_REFUSED', serial: '987654321', reason: 'not_totp' });
});

test('files encrypted under a transport key (AES) or a password (PBKDF2) import with it; a wrong password refuses the file', async () => {
  const aes = await cli('token-import', '--file', renamedCopy('made-preshared-aes128-hmac-sha256.pskcxml', 'AES128'), '--transport-key', '3c0b7e7f9d2a4e6b8c1d5f0a2e4b6c8d', '--json');
  assert.equal(aes.code, 0, aes.stdout + aes.stderr);
  assert.deepEqual(JSON.parse(aes.stdout), { imported: 2, tokens: [{ serial: 'AES128-0001', expires: '2030-12-31' }, { serial: 'AES128-0002', expires: '2031-03-31' }] });

  const pbkdf2File = renamedCopy('made-pbkdf2-aes256-hmac-sha256.pskcxml', 'PBKDF2');
  const wrongPassword = await cli('token-import', '--file', pbkdf2File, '--password', 'Tokyo-2030-imports', '--json');
  assert.equal(wrongPassword.code, 1);
  const { error, ...refused } = JSON.parse(wrongPassword.stdout) as Record<string, string>;
  assert.equal(typeof error, 'string');
  assert.equal(refused.code, 'TOKEN_FILE_REFUSED');
  assert.ok(refused.reason === 'wrong_key' || refused.reason === 'mac_mismatch', wrongPassword.stdout);
  assert.ok(['PBKDF2-0001', 'PBKDF2-0002', '-'].includes(refused.serial!), wrongPassword.stdout);

  const pbkdf2 = await cli('token-import', '--file', pbkdf2File, '--password', 'Tokyo-2030-import', '--json');
  assert.equal(pbkdf2.code, 0, pbkdf2.stdout + pbkdf2.stderr);
  assert.equal(JSON.parse(pbkdf2.stdout).imported, 2);
});

test('token-assign gives a token to the contract (free: its first); token-list shows every token’s state, expiry, contract and people, or one contract’s', async () => {
  const assigned = await cli('token-assign', '--serial', 'HT2030-0001', '--contract', contractId, '--json');
  assert.equal(assigned.code, 0, assigned.stdout + assigned.stderr);
  assert.deepEqual(JSON.parse(assigned.stdout), { serial: 'HT2030-0001', contract: contractId, reason: 'new', feeYen: 0 });

  const all = await cli('token-list', '--json');
  assert.equal(all.code, 0, all.stderr);
  const listed = JSON.parse(all.stdout) as Listed[];
  // Every token the accepted files held, and nothing of the refused ones.
  assert.deepEqual(listed.map((t) => Object.keys(t).sort()), listed.map(() => ['contract', 'expires', 'serial', 'state', 'users']));
  assert.deepEqual(
    listed.map((t) => [t.serial, t.state, t.contract]),
    [
      ['AES128-0001', 'unassigned', null],
      ['AES128-0002', 'unassigned', null],
      ['HT2030-0001', 'assigned', contractId],
      ['HT2030-0002', 'unassigned', null],
      ['PBKDF2-0001', 'unassigned', null],
      ['PBKDF2-0002', 'unassigned', null],
    ],
  );
  assert.deepEqual(listed.find((t) => t.serial === 'HT2030-0002'), { serial: 'HT2030-0002', state: 'unassigned', expires: '2031-03-31', contract: null, users: [] });
  const ofContract = await cli('token-list', '--contract', contractId, '--json');
  assert.equal(ofContract.code, 0, ofContract.stderr);
  assert.deepEqual(JSON.parse(ofContract.stdout), [{ serial: 'HT2030-0001', state: 'assigned', expires: '2030-12-31', contract: contractId, users: [] }]);
});

test('token-test accepts the code a customer reads out once: it is spent, and the same code read out again fails', async () => {
  // The command runs on the system clock: the code the token shows now, from the fixture's secret.
  const code = codeOf(firstSecret, new Date());
  const tested = await cli('token-test', '--serial', 'HT2030-0001', '--otp', code, '--json');
  assert.equal(tested.code, 0, tested.stdout + tested.stderr);
  assert.deepEqual(JSON.parse(tested.stdout), { ok: true });
  const retested = await cli('token-test', '--serial', 'HT2030-0001', '--otp', code, '--json');
  assert.equal(retested.code, 0, retested.stdout + retested.stderr);
  assert.deepEqual(JSON.parse(retested.stdout), { ok: false });
});
