import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { areaOf, circles, importEdges, importRuleProblems, layerOf, upwardImports } from '../../scripts/import-rules.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));

test('every import of src/ keeps to the layers of docs/architecture.md, with no circle of files or areas', () => {
  assert.deepEqual(importRuleProblems(root), []);
});

test('the import rules see the imports of the real tree', () => {
  const edges = importEdges(root);
  // A rule that reads nothing passes everything: the page shell's use of the access layer must be seen.
  assert.ok(edges.some((edge) => edge.from === 'src/web/page-route.ts' && edge.to.startsWith('src/access/')));
  assert.ok(edges.length > 500, `only ${edges.length} imports read`);
});

test('an import that runs up a layer is named', () => {
  assert.equal(layerOf('src/web/i18n/ja.ts') < layerOf('src/web/layout.ts'), true);
  const problems = upwardImports([{ from: 'src/access/sessions.ts', to: 'src/modules/logon/service.ts' }]);
  assert.equal(problems.length, 1);
  assert.match(problems[0]!, /src\/access\/sessions\.ts .* imports src\/modules\/logon\/service\.ts .*a layer above/);
  assert.deepEqual(upwardImports([{ from: 'src/modules/logon/service.ts', to: 'src/access/sessions.ts' }]), []);
  // An area's texts are data of the lowest layer, which the registries below read; they may import nothing above.
  assert.deepEqual(upwardImports([{ from: 'src/errors.ts', to: 'src/modules/payees/error-codes.ts' }]), []);
  assert.equal(upwardImports([{ from: 'src/modules/payees/messages.ts', to: 'src/web/html.ts' }]).length, 1);
});

test('a circle of files and a circle of areas are found', () => {
  assert.deepEqual(circles([['a', 'b'], ['b', 'c'], ['c', 'a'], ['c', 'd']]), [['a', 'b', 'c']]);
  assert.deepEqual(circles([['a', 'b'], ['b', 'c']]), []);
  assert.equal(areaOf('src/modules/logon/service.ts'), 'src/modules/logon');
  assert.equal(areaOf('src/operator/console/server.ts'), 'src/operator/console');
  assert.equal(areaOf('src/app.ts'), 'src/app.ts');
});
