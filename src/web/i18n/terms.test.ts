import { test } from 'node:test';
import assert from 'node:assert/strict';
import { catalogues } from './index.ts';

/** One term per thing on every screen and in every email: the variants that crept in, and the term that replaces them. */
const variants: readonly [RegExp, string][] = [
  [/確認暗証番号/u, '確認用暗証番号'],
  [/一般ユーザ|一般利用者/u, '一般者'],
];

test('the Japanese messages name the confirmation password 確認用暗証番号 and the general role 一般者, never a variant', () => {
  for (const [key, text] of Object.entries(catalogues.ja)) {
    for (const [variant, term] of variants) assert.doesNotMatch(text, variant, `${key}: say ${term}`);
  }
});
