import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { passwordLengthMax, passwordLengthMin, passwordRuleViolation } from './password-rules.ts';

const ids = { userId: 'Tanaka01', contractId: '12345678903' };
const check = (password: string) => passwordRuleViolation(password, ids);

test('R2.7: a password of letters and digits within 8–32 characters passes', () => {
  assert.equal(passwordLengthMin, 8);
  assert.equal(passwordLengthMax, 32);
  for (const good of ['Abcdefg1', 'Login2026pass', 'x1!"#$%&\'()*+,-./:;<=>?@', 'y2[\\]^_`{|}~', '1a'.repeat(16)]) {
    assert.equal(check(good), undefined, good);
  }
});

test('R2.7: length boundaries — 7 and 33 characters are refused, 8 and 32 accepted', () => {
  assert.equal(check('abcdef1'), 'PASSWORD_LENGTH');
  assert.equal(check('abcdefg1'), undefined);
  assert.equal(check('a'.repeat(31) + '1'), undefined);
  assert.equal(check('a'.repeat(32) + '1'), 'PASSWORD_LENGTH');
  assert.equal(check(''), 'PASSWORD_LENGTH');
  assert.equal(check('a1'.repeat(5000)), 'PASSWORD_LENGTH', 'a 10 kB password');
});

test('R2.7: letters and digits are both needed', () => {
  assert.equal(check('abcdefgh'), 'PASSWORD_NEEDS_LETTER_AND_DIGIT');
  assert.equal(check('ABCDEFGH'), 'PASSWORD_NEEDS_LETTER_AND_DIGIT');
  assert.equal(check('12345678'), 'PASSWORD_NEEDS_LETTER_AND_DIGIT');
  assert.equal(check('!@#$%^&*'), 'PASSWORD_NEEDS_LETTER_AND_DIGIT');
  assert.equal(check('!@#$%^&1'), 'PASSWORD_NEEDS_LETTER_AND_DIGIT');
  assert.equal(check('!@#$%^&a'), 'PASSWORD_NEEDS_LETTER_AND_DIGIT');
});

test('R2.7: a password containing the user ID is refused, whatever the case', () => {
  assert.equal(check('xxTanaka01yy'), 'PASSWORD_CONTAINS_ID');
  assert.equal(check('xxtanaka01yy'), 'PASSWORD_CONTAINS_ID');
  assert.equal(check('TANAKA01zzz'), 'PASSWORD_CONTAINS_ID');
  assert.equal(check('zz9tAnAkA01'), 'PASSWORD_CONTAINS_ID');
  assert.equal(check('Tanaka0zz1'), undefined, 'the ID broken up is no longer the ID');
  assert.equal(passwordRuleViolation('Abc12345', { userId: 'ABC', contractId: ids.contractId }), 'PASSWORD_CONTAINS_ID');
});

test('R2.7: a password containing the contract ID is refused', () => {
  assert.equal(check('a12345678903'), 'PASSWORD_CONTAINS_ID');
  assert.equal(check('12345678903x'), 'PASSWORD_CONTAINS_ID');
  assert.equal(check('x1234567890'), undefined, 'ten of its eleven digits are not the contract ID');
});

test('full-width characters are refused (half-width only)', () => {
  for (const bad of ['Ａｂｃｄｅｆｇ１', 'abcdefg１', 'ａbcdefg1', 'パスワード1234a', 'abcdefg1　', 'abcdé123', 'abc😀1234']) {
    assert.equal(check(bad), 'PASSWORD_CHARACTERS', JSON.stringify(bad));
  }
});

test('control characters are refused', () => {
  for (const control of ['\u0000', '\t', '\n', '\r', '\u001b', '\u007f', '\u0085', '\u200b']) {
    assert.equal(check(`abcd${control}1234`), 'PASSWORD_CHARACTERS', JSON.stringify(control));
  }
});

test('R2.7 as a property: 8–32 half-width letters with digits, without the IDs, always pass', () => {
  fc.assert(
    fc.property(fc.stringMatching(/^[a-y]{1,16}[0-8]{1,16}$/).filter((p) => p.length >= 8), (password) => {
      assert.equal(passwordRuleViolation(password, { userId: 'zz', contractId: '99999999999' }), undefined);
    }),
  );
});

test('R2.7 as a property: a password holding a user ID of three or more characters anywhere is refused', () => {
  fc.assert(
    fc.property(
      fc.stringMatching(/^[A-Za-z0-9]{3,10}$/),
      fc.stringMatching(/^[a-z]{0,8}$/),
      fc.stringMatching(/^[0-9]{1,8}$/),
      fc.boolean(),
      (userId, before, after, upper) => {
        const password = `${before}a${upper ? userId.toUpperCase() : userId.toLowerCase()}${after}`.padEnd(8, 'x');
        if (password.length > passwordLengthMax) return;
        assert.equal(passwordRuleViolation(password, { userId, contractId: '99999999999' }), 'PASSWORD_CONTAINS_ID');
      },
    ),
  );
});

test('R2.7: a user ID of one or two characters is too short to forbid in passwords', () => {
  assert.equal(passwordRuleViolation('abc12345', { userId: 'a', contractId: '99999999999' }), undefined);
  assert.equal(passwordRuleViolation('abc12345', { userId: 'ab', contractId: '99999999999' }), undefined);
  assert.equal(passwordRuleViolation('abc12345', { userId: 'abc', contractId: '99999999999' }), 'PASSWORD_CONTAINS_ID');
});
