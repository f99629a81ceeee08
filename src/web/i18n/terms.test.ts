import { test } from 'node:test';
import assert from 'node:assert/strict';
import { catalogues } from './index.ts';

/** One term per thing on every screen and in every email: the variants that crept in, and the term that replaces them. */
const variants: readonly [RegExp, string][] = [
  [/確認暗証番号/u, '確認用暗証番号'],
  [/一般ユーザ|一般利用者/u, '一般者'],
];

/**
 * The role names of decision 0020: マスターユーザ, 管理者ユーザ, 承認者, 一般者, and 管理者 for
 * either of the first two. A variant, or 管理者（マスターユーザ） that says the two are one, fails.
 */
const roleVariants: readonly [RegExp, string][] = [
  [/マスターユーザー|マスター(?!ユーザ)/u, 'マスターユーザ'],
  [/管理者ユーザー|管理ユーザ|アドミン/u, '管理者ユーザ'],
  [/承認ユーザ|承認利用者/u, '承認者'],
  [/管理者（マスターユーザ）/u, '管理者（マスターユーザまたは管理者ユーザ）'],
];
const englishRoleVariants: readonly [RegExp, string][] = [
  [/\b(?:normal|ordinary|regular) users?\b/iu, 'general user'],
  [/\bmaster(?! user)\b(?!'s)/iu, 'master user'],
  [/\badministrator users?\b|\badmin(?! user)\b/iu, 'admin user'],
];

test('the Japanese messages name the confirmation password 確認用暗証番号 and the general role 一般者, never a variant', () => {
  for (const [key, text] of Object.entries(catalogues.ja)) {
    for (const [variant, term] of variants) assert.doesNotMatch(text, variant, `${key}: say ${term}`);
  }
});

test('decision 0020: the roles are マスターユーザ, 管理者ユーザ, 承認者 and 一般者 (master user, admin user, approver, general user), never a variant', () => {
  for (const [key, text] of Object.entries(catalogues.ja)) {
    for (const [variant, term] of roleVariants) assert.doesNotMatch(text, variant, `${key}: say ${term}`);
  }
  for (const [key, text] of Object.entries(catalogues.en)) {
    for (const [variant, term] of englishRoleVariants) assert.doesNotMatch(text, variant, `${key}: say ${term}`);
  }
});
