import { test } from 'node:test';
import assert from 'node:assert/strict';
import { globSync, readFileSync } from 'node:fs';
import { argon2Options, hashSecret, verifyDecoy, verifySecret } from './password-hash.ts';

// This file is about hashing: it never weakens it (test/helpers/deps.ts does, for the other files).

test('R2.2: a new hash is argon2id at RFC 9106\'s second recommended parameters, salted, and verifies only its secret', async () => {
  const [first, second] = await Promise.all([hashSecret('Login2026pass'), hashSecret('Login2026pass')]);
  const expected = `$argon2id$v=19$m=${argon2Options.memoryCost},t=${argon2Options.timeCost},p=${argon2Options.parallelism}$`;
  assert.ok(first.startsWith(expected), first);
  assert.equal(argon2Options.memoryCost, 65_536);
  assert.notEqual(first, second, 'each hash has its own salt');
  assert.equal(await verifySecret(first, 'Login2026pass'), true);
  assert.equal(await verifySecret(first, 'Login2026pasS'), false);
});

test('a malformed stored hash never verifies, and the decoy never succeeds', async () => {
  assert.equal(await verifySecret('$argon2id$v=19$m=8,t=1,p=1$broken', 'anything'), false);
  assert.equal(await verifySecret('', ''), false);
  assert.equal(await verifyDecoy('decoy-'), false);
});

test('the test-only weak hashing is switched on by the test helpers alone: nothing under src/ calls it', () => {
  const callers = globSync('src/**/*.ts').filter(
    (file) => !file.endsWith('password-hash.ts') && !file.endsWith('password-hash.test.ts') && readFileSync(file, 'utf8').includes('useTestOnlyWeakHashing'),
  );
  assert.deepEqual(callers, []);
});
