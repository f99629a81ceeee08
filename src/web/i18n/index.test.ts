import { test } from 'node:test';
import assert from 'node:assert/strict';
import { catalogues, isLanguage, languages, translator, type MessageKey } from './index.ts';

const { ja, en } = catalogues;

const placeholders = (message: string) => [...message.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!).sort();

// The type checker already makes en.ts define every key of ja.ts; this also catches a key added
// to one catalogue at run time through a cast, and a translation that drops a placeholder.
test('English and Japanese define the same keys, none of them empty', () => {
  assert.deepEqual(Object.keys(en).sort(), Object.keys(ja).sort());
  for (const [key, message] of [...Object.entries(ja), ...Object.entries(en)]) {
    assert.ok(message.trim().length > 0, `${key} is empty`);
  }
});

test('each English message uses the same placeholders as its Japanese original', () => {
  for (const key of Object.keys(ja) as MessageKey[]) {
    assert.deepEqual(placeholders(en[key]), placeholders(ja[key]), key);
  }
});

test('the translator fills placeholders from the parameters, numbers included', () => {
  const t = translator('en');
  assert.equal(t('grid.cell', { cell: 'C4' }), 'Digit at C4');
  assert.equal(translator('ja')('grid.cell', { cell: 'C4' }), 'C4 の数字');
  assert.match(translator('ja')('status.failuresSince', { count: 3 }), /3 回/);
});

test('a placeholder without a value stays visible rather than disappearing', () => {
  assert.equal(translator('en')('grid.cell'), 'Digit at {cell}');
});

test('defaults fill placeholders the caller leaves out; the caller’s own value wins', () => {
  const t = translator('ja', { contact: 'デモ銀行 0120-000-000', cell: 'A1' });
  assert.match(t('error.AUTH_LOGON_FAILED'), /デモ銀行 0120-000-000/);
  assert.doesNotMatch(t('error.AUTH_LOGON_FAILED'), /\{contact\}/);
  assert.equal(t('grid.cell', { cell: 'H6' }), 'H6 の数字');
  assert.equal(t('grid.cell'), 'A1 の数字');
});

test('a filled value is not read again for placeholders (user text cannot pull in other values)', () => {
  const t = translator('en', { contact: 'the bank' });
  assert.equal(t('grid.cell', { cell: '{contact}' }), 'Digit at {contact}');
});

test('ja and en are the languages, ja first (the default)', () => {
  assert.deepEqual(languages, ['ja', 'en']);
  assert.equal(isLanguage('ja'), true);
  assert.equal(isLanguage('en'), true);
  for (const other of ['JA', 'fr', '', undefined, null, 1, ['ja']]) assert.equal(isLanguage(other), false, String(other));
});
