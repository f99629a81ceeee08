import { test } from 'node:test';
import assert from 'node:assert/strict';
import { codeAt, driftOf, matchingStep, stepAt, type TotpHash } from './token-totp.ts';

// RFC 6238 Appendix B: the seeds are the ASCII digits repeated to the hash's length.
const seeds: Record<TotpHash, Buffer> = {
  sha1: Buffer.from('12345678901234567890'),
  sha256: Buffer.from('12345678901234567890123456789012'),
  sha512: Buffer.from('1234567890123456789012345678901234567890123456789012345678901234'),
};
const vectors: ReadonlyArray<[number, Record<TotpHash, string>]> = [
  [59, { sha1: '94287082', sha256: '46119246', sha512: '90693936' }],
  [1111111109, { sha1: '07081804', sha256: '68084774', sha512: '25091201' }],
  [1111111111, { sha1: '14050471', sha256: '67062674', sha512: '99943326' }],
  [1234567890, { sha1: '89005924', sha256: '91819424', sha512: '93441116' }],
  [2000000000, { sha1: '69279037', sha256: '90698825', sha512: '38618901' }],
  [20000000000, { sha1: '65353130', sha256: '77737706', sha512: '47863826' }],
];

test('RFC 6238 Appendix B vectors pass through the verification the tokens use (8 digits, 30-second step)', () => {
  for (const [seconds, codes] of vectors) {
    for (const hash of ['sha1', 'sha256', 'sha512'] as const) {
      const parameters = { hash, digits: 8, stepSeconds: 30 };
      const now = new Date(seconds * 1000);
      assert.equal(codeAt(seeds[hash], stepAt(now, 30), parameters), codes[hash], `${hash} at T=${seconds}`);
      assert.equal(matchingStep(seeds[hash], codes[hash], now, parameters, { driftSteps: 0, windowSteps: 0 }), stepAt(now, 30), `${hash} at T=${seconds}`);
    }
  }
});

const token = { hash: 'sha1' as const, digits: 6, stepSeconds: 60 };
const now = new Date('2026-12-06T01:00:30Z');

test('a token code is accepted one step either side of the stored drift, and not two', () => {
  const here = stepAt(now, 60);
  for (const offset of [-1, 0, 1]) assert.equal(matchingStep(seeds.sha1, codeAt(seeds.sha1, here + offset, token), now, token, { driftSteps: 0, windowSteps: 1 }), here + offset);
  for (const offset of [-2, 2]) assert.equal(matchingStep(seeds.sha1, codeAt(seeds.sha1, here + offset, token), now, token, { driftSteps: 0, windowSteps: 1 }), undefined);
  // With a drift of 5 steps stored, the window moves with it.
  assert.equal(matchingStep(seeds.sha1, codeAt(seeds.sha1, here + 6, token), now, token, { driftSteps: 5, windowSteps: 1 }), here + 6);
});

test('a code that is not six digits is never matched', () => {
  for (const code of ['', '12345', '1234567', '12345a', ' 123456']) assert.equal(matchingStep(seeds.sha1, code, now, token, { driftSteps: 0, windowSteps: 1 }), undefined);
});

test('resynchronisation finds the drift from two consecutive codes, and no drift from two that are not', () => {
  const here = stepAt(now, 60);
  const drift = driftOf(seeds.sha1, codeAt(seeds.sha1, here + 11, token), codeAt(seeds.sha1, here + 12, token), now, token);
  assert.equal(drift, 12);
  assert.equal(driftOf(seeds.sha1, codeAt(seeds.sha1, here + 11, token), codeAt(seeds.sha1, here + 13, token), now, token), undefined);
  assert.equal(driftOf(seeds.sha1, codeAt(seeds.sha1, here - 40, token), codeAt(seeds.sha1, here - 39, token), now, token), undefined, 'beyond the search');
});
