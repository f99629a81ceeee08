import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { zenginReasons } from '../../src/domain/zengin/problems.ts';
import { endFields, headerFields, salaryDataFields, trailerFields, transferDataFields } from '../../src/domain/zengin/fields.ts';
import { zenginMessages } from '../../src/modules/zengin/messages.ts';
import { catalogues } from '../../src/web/i18n/index.ts';

/**
 * Every reason a file is refused for, and every field a problem names, is said in Japanese and in
 * English with the same placeholders, and is in the catalogue the pages read.
 */
const placeholders = (message: string) => [...message.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!).sort();

test('each reason code and each field has a message in both languages, with the same placeholders', () => {
  const fields = new Set([...headerFields, ...transferDataFields, ...salaryDataFields, ...trailerFields, ...endFields].map((f) => f.name));
  const keys = [...zenginReasons.map((reason) => `zengin.reason.${reason}`), ...[...fields, 'record', 'file'].map((name) => `zengin.field.${name}`)];
  const ja: Record<string, string> = zenginMessages.ja;
  const en: Record<string, string> = zenginMessages.en;
  assert.deepEqual(Object.keys(ja).sort(), [...keys].sort(), 'no message missing, none left over');
  for (const key of keys) {
    assert.deepEqual(placeholders(en[key]!), placeholders(ja[key]!), key);
    assert.equal((catalogues.ja as Record<string, string>)[key], ja[key], `${key} is in the catalogue`);
    assert.equal((catalogues.en as Record<string, string>)[key], en[key], `${key} is in the catalogue`);
  }
});

test('the Zengin format code is pure: it imports only its own files, the kana rules, the account designation and the bank data', () => {
  const folder = fileURLToPath(new URL('../../src/domain/zengin/', import.meta.url));
  const allowed = /^(?:\.\/[\w-]+\.ts|\.\.\/(?:zengin-kana|bank-directory|account-designation)\.ts|node:module|encoding-japanese)$/;
  for (const file of readdirSync(folder).filter((name) => name.endsWith('.ts'))) {
    for (const match of readFileSync(folder + file, 'utf8').matchAll(/\bfrom\s+'([^']+)'/g)) {
      assert.match(match[1]!, allowed, `${file} imports ${match[1]}`);
    }
  }
});
