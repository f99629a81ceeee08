import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { codeAt, matchingStep, stepAt, type TotpHash } from '../../src/auth/token-totp.ts';

/**
 * R6.1: the token codes the service computes are the codes an independent implementation computes
 * (Debian's oathtool, installed by .ci/run) for the same secret, hash, time step and moment — the
 * codes a vendor's token shows.
 */
const oathtool = '/usr/bin/oathtool';
const skip = existsSync(oathtool) ? false : 'needs oathtool (Debian package oathtool; .ci/run installs it)';

const tokens: ReadonlyArray<{ hash: TotpHash; mode: string; secret: Buffer }> = [
  // The two tokens of test/tokens/fixtures/pskc/made-plain.pskcxml.
  { hash: 'sha1', mode: 'SHA1', secret: Buffer.from('12345678901234567890') },
  { hash: 'sha256', mode: 'SHA256', secret: Buffer.from('09876543210987654321') },
  { hash: 'sha512', mode: 'SHA512', secret: Buffer.from('a 64-byte secret for the SHA-512 variant of a TOTP token, 0123456') },
];
const moments = ['2026-04-01T00:00:00Z', '2026-12-06T04:31:59Z', '2030-12-30T14:59:30Z', '2038-01-19T03:14:08Z'];

test('token codes agree with oathtool for every hash, at 60-second steps, and are accepted by the verification', { skip }, () => {
  for (const token of tokens) {
    for (const moment of moments) {
      const now = new Date(moment);
      const theirs = execFileSync(oathtool, [`--totp=${token.mode}`, '-s', '60s', '-d', '6', '-N', moment.replace('T', ' ').replace('Z', ' UTC'), token.secret.toString('hex')], { encoding: 'utf8' }).trim();
      const parameters = { hash: token.hash, digits: 6, stepSeconds: 60 };
      assert.equal(codeAt(token.secret, stepAt(now, 60), parameters), theirs, `${token.hash} at ${moment}`);
      assert.equal(matchingStep(token.secret, theirs, now, parameters, { driftSteps: 0, windowSteps: 1 }), stepAt(now, 60));
    }
  }
});
