import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateSync } from 'otplib';
import { base32, newTotpSecret, totpStepAt, totpStepOf, totpUri } from '../../src/operator/staff/totp.ts';
import { cryptoRandom } from '../../src/platform/random.ts';

// RFC 6238 appendix B: the SHA-1 seed is the ASCII string "12345678901234567890"; the RFC's codes
// have 8 digits, of which an authenticator app's 6-digit code is the last six.
const rfcSecret = base32(Buffer.from('12345678901234567890', 'ascii'));
const rfcVectors: [number, string, number][] = [
  [59, '94287082', 0x1],
  [1111111109, '07081804', 0x23523ec],
  [1111111111, '14050471', 0x23523ed],
  [1234567890, '89005924', 0x273ef07],
  [2000000000, '69279037', 0x3f940aa],
  [20000000000, '65353130', 0x27bc86aa],
];

test('RFC 4648 base32 known answers (the secret form authenticator apps read)', () => {
  const vectors: [string, string][] = [['', ''], ['f', 'MY'], ['fo', 'MZXQ'], ['foo', 'MZXW6'], ['foob', 'MZXW6YQ'], ['fooba', 'MZXW6YTB'], ['foobar', 'MZXW6YTBOI']];
  for (const [text, encoded] of vectors) assert.equal(base32(Buffer.from(text)), encoded, text);
  assert.equal(rfcSecret, 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ');
});

test('RFC 6238 appendix B: each known code is accepted at its time, in its time step', () => {
  for (const [seconds, code, step] of rfcVectors) {
    const at = new Date(seconds * 1000);
    assert.equal(totpStepOf(rfcSecret, code.slice(-6), at), step, `T=${seconds}`);
    assert.equal(totpStepAt(at), step);
    assert.equal(generateSync({ secret: rfcSecret, epoch: seconds }), code.slice(-6));
  }
});

test('a code of the step before or after is accepted (clock drift), two steps away and wrong codes are not', () => {
  const at = new Date(1111111109 * 1000);
  const code = '081804';
  assert.equal(totpStepOf(rfcSecret, code, new Date(at.getTime() + 30_000)), 0x23523ec, 'one step late');
  assert.equal(totpStepOf(rfcSecret, code, new Date(at.getTime() - 30_000)), 0x23523ec, 'one step early');
  assert.equal(totpStepOf(rfcSecret, code, new Date(at.getTime() + 61_000)), undefined);
  assert.equal(totpStepOf(rfcSecret, code, new Date(at.getTime() - 61_000)), undefined);
  for (const wrong of ['081805', '', '81804', '0818040', 'abcdef', '０８１８０４', ' 81804']) assert.equal(totpStepOf(rfcSecret, wrong, at), undefined, wrong);
});

test('a new secret is 160 random bits in base32, and its otpauth URI names the issuer, the login and the 6-digit, 30-second form', () => {
  const secret = newTotpSecret(cryptoRandom);
  assert.match(secret, /^[A-Z2-7]{32}$/);
  assert.notEqual(newTotpSecret(cryptoRandom), secret);
  const uri = new URL(totpUri({ issuer: 'デモ銀行 operator console', login: 'yamada', secret }));
  assert.equal(uri.protocol, 'otpauth:');
  assert.equal(uri.host, 'totp');
  assert.equal(decodeURIComponent(uri.pathname), '/デモ銀行 operator console:yamada');
  assert.equal(uri.searchParams.get('secret'), secret);
  assert.equal(uri.searchParams.get('issuer'), 'デモ銀行 operator console');
  assert.ok([null, '6'].includes(uri.searchParams.get('digits')));
  assert.ok([null, '30'].includes(uri.searchParams.get('period')));
});
