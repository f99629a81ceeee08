import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatementNames } from './prepared-statements.ts';

test('each statement text keeps one name, and no two texts share one', () => {
  const names = new StatementNames(10);
  const a = names.nameOf('SELECT $1::int');
  const b = names.nameOf('SELECT $1::text');
  assert.ok(a !== undefined && b !== undefined);
  assert.notEqual(a, b);
  assert.equal(names.nameOf('SELECT $1::int'), a);
  assert.equal(names.nameOf(`SELECT ${'$1::int'}`), a);
});

test('past the bound new texts get no name (they run unnamed) while named ones keep theirs', () => {
  const names = new StatementNames(3);
  const first = names.nameOf('SELECT 1 WHERE $1');
  for (let n = 2; n <= 3; n++) assert.notEqual(names.nameOf(`SELECT ${n} WHERE $1`), undefined);
  assert.equal(names.nameOf('SELECT id FROM t WHERE id IN ($1, $2, $3, $4)'), undefined);
  assert.equal(names.size, 3);
  assert.equal(names.nameOf('SELECT 1 WHERE $1'), first);
});
