import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** The documents a reader follows into the code (decision records are history and keep the paths of their day). */
const guides = ['README.md', 'docs/architecture.md', 'docs/requirements.md', 'docs/house-rules.md', 'docs/operations.md', 'docs/configuration.md'];

test('every file the guides name exists, so a path a comment or a document points to can be followed', () => {
  const missing: string[] = [];
  for (const guide of guides) {
    const text = readFileSync(join(root, guide), 'utf8');
    for (const match of text.matchAll(/\b((?:src|test|scripts|bench)\/[\w./-]+\.(?:ts|mjs|js|md|json))/g)) {
      const path = match[1]!;
      if (!existsSync(join(root, path))) missing.push(`${guide}: ${path}`);
    }
  }
  assert.deepEqual(missing, []);
});
