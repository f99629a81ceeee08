import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createKeyring, parseKeyringSpec } from './keyring.ts';
import { cryptoRandom } from './random.ts';

const key1 = Buffer.alloc(32, 1).toString('base64');
const key2 = Buffer.alloc(32, 2).toString('base64');
const keyringOf = (spec: string) => createKeyring(parseKeyringSpec(spec), cryptoRandom);

/** Flips one bit of one base64url part of a sealed value, keeping it well-formed. */
function tampered(sealed: string, part: number): string {
  const parts = sealed.split('.');
  const bytes = Buffer.from(parts[part]!, 'base64url');
  bytes[0]! ^= 1;
  parts[part] = bytes.toString('base64url');
  return parts.join('.');
}

test('R3.4: a sealed value opens to the same text, and does not show it', () => {
  const keyring = keyringOf(`1:${key1}`);
  const digits = '314159265358979323846264338327950288419716939937';
  const sealed = keyring.seal(digits, 'grid_card:000000000001');
  assert.ok(!sealed.includes(digits));
  assert.match(sealed, /^v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/);
  assert.equal(keyring.open(sealed, 'grid_card:000000000001'), digits);
});

test('sealing the same text twice gives different values (a fresh IV each time)', () => {
  const keyring = keyringOf(`1:${key1}`);
  assert.notEqual(keyring.seal('1234', 'a'), keyring.seal('1234', 'a'));
});

test('seal and open round trip any text, including empty and non-ASCII', () => {
  const keyring = keyringOf(`1:${key1}`);
  fc.assert(
    fc.property(fc.string({ unit: 'grapheme' }), fc.string(), (text, associatedData) => {
      assert.equal(keyring.open(keyring.seal(text, associatedData), associatedData), text);
    }),
  );
});

test('a value opened with other associated data (another row or column) fails', () => {
  const keyring = keyringOf(`1:${key1}`);
  const sealed = keyring.seal('1234', 'grid_card:000000000001');
  assert.throws(() => keyring.open(sealed, 'grid_card:000000000002'));
  assert.throws(() => keyring.open(sealed, ''));
});

test('rotation: a value sealed with key 1 opens with keys 1 and 2, which seal with key 2', () => {
  const old = keyringOf(`1:${key1}`);
  const sealedOld = old.seal('secret', 'ad');
  const rotated = keyringOf(`1:${key1},2:${key2}`);
  assert.equal(rotated.open(sealedOld, 'ad'), 'secret');
  const sealedNew = rotated.seal('secret', 'ad');
  assert.match(sealedNew, /^v2\./);
  assert.throws(() => old.open(sealedNew, 'ad'), /unknown key version/, 'the old keyring has no key 2');
  assert.equal(keyringOf(` 2:${key2} , 1:${key1} `).seal('x', 'ad').slice(0, 3), 'v2.', 'the highest version seals, in any order');
});

test('a value sealed with a key no longer configured fails to open', () => {
  const sealed = keyringOf(`1:${key1}`).seal('secret', 'ad');
  assert.throws(() => keyringOf(`2:${key2}`).open(sealed, 'ad'), /unknown key version/);
});

test('the same version with a different key does not open the value', () => {
  const sealed = keyringOf(`1:${key1}`).seal('secret', 'ad');
  assert.throws(() => keyringOf(`1:${key2}`).open(sealed, 'ad'));
});

test('tampered IV, tag or ciphertext fails to open', () => {
  const keyring = keyringOf(`1:${key1}`);
  const sealed = keyring.seal('0123456789', 'ad');
  for (const part of [1, 2, 3]) assert.throws(() => keyring.open(tampered(sealed, part), 'ad'), `part ${part}`);
  const [version, iv, tag, body] = sealed.split('.');
  assert.throws(() => keyring.open([version, iv, tag, body!.slice(0, -2)].join('.'), 'ad'), 'truncated ciphertext');
  assert.throws(() => keyring.open([version, iv, tag].join('.'), 'ad'), /malformed/);
  assert.throws(() => keyring.open('', 'ad'), /malformed/);
  assert.throws(() => keyring.open('v9.' + sealed.slice(3), 'ad'), /unknown key version/);
});

// GCM checks a truncated tag as a prefix of the real one: a 4-byte tag is forged in 2^32 tries, so
// only the full 16 bytes may be accepted.
test('a sealed value with its authentication tag cut short fails to open', () => {
  const keyring = keyringOf(`1:${key1}`);
  const [version, iv, tag, body] = keyring.seal('0123456789', 'ad').split('.');
  const fullTag = Buffer.from(tag!, 'base64url');
  assert.equal(fullTag.length, 16);
  for (const bytes of [4, 8, 12, 15]) {
    const short = fullTag.subarray(0, bytes).toString('base64url');
    assert.throws(() => keyring.open([version, iv, short, body].join('.'), 'ad'), `a ${bytes}-byte tag`);
  }
});

test('a malformed key spec is refused with a message naming ENCRYPTION_KEYS', () => {
  for (const bad of [
    '',
    ' , ',
    key1,
    `one:${key1}`,
    `1:${Buffer.alloc(16, 1).toString('base64')}`,
    `1:${Buffer.alloc(33, 1).toString('base64')}`,
    `1:${key1}!`,
    `1: ${key1}x`,
    `-1:${key1}`,
  ]) {
    assert.throws(() => parseKeyringSpec(bad), /ENCRYPTION_KEYS/, JSON.stringify(bad));
  }
});

test('a key spec in base64url or with several versions parses', () => {
  const urlSafe = Buffer.alloc(32, 0xfb).toString('base64url');
  const keys = parseKeyringSpec(`3:${urlSafe},1:${key1}`);
  assert.deepEqual([...keys.keys()].sort(), [1, 3]);
  assert.equal(keys.get(3)!.length, 32);
});
