import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * The project's install-script policy (docs/decisions/0013), tried on a scratch project that has
 * the repository's .npmrc and approvals and one local package with an install script of its own.
 * No registry is reached: the package is a tarball on disk.
 */
const root = resolve(import.meta.dirname, '../..');
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

function scratchProject() {
  const dir = mkdtempSync(join(tmpdir(), 'ib-install-scripts-'));
  mkdirSync(join(dir, 'pkg'));
  writeFileSync(
    join(dir, 'pkg', 'package.json'),
    JSON.stringify({ name: 'unreviewed-pkg', version: '1.0.0', scripts: { postinstall: 'node -e "require(\'fs\').writeFileSync(\'../../ran\', \'\')"' } }),
  );
  execFileSync('npm', ['pack', '--silent'], { cwd: join(dir, 'pkg') });
  cpSync(join(root, '.npmrc'), join(dir, '.npmrc'));
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({
      name: 'scratch',
      version: '1.0.0',
      dependencies: { 'unreviewed-pkg': 'file:pkg/unreviewed-pkg-1.0.0.tgz' },
      allowScripts: manifest.allowScripts,
    }),
  );
  return dir;
}

const npmInstall = (cwd: string) => spawnSync('npm', ['install', '--no-audit', '--no-fund', '--offline'], { cwd, encoding: 'utf8' });

test('a dependency with an unreviewed install script fails the install, named, and its script never runs', () => {
  const dir = scratchProject();
  try {
    const install = npmInstall(dir);
    assert.notEqual(install.status, 0);
    assert.match(install.stderr, /ESTRICTALLOWSCRIPTS/);
    assert.match(install.stderr, /unreviewed-pkg@1\.0\.0/);
    assert.equal(existsSync(join(dir, 'ran')), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the CI check names a package whose install script is not covered, and one approved by name but not pinned', () => {
  const dir = scratchProject();
  try {
    // Installed without running scripts, as a lenient npm would leave it.
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--offline', '--ignore-scripts'], { cwd: dir });
    const check = spawnSync(process.execPath, [join(root, 'scripts/check-install-scripts.ts')], { cwd: dir, encoding: 'utf8' });
    assert.equal(check.status, 1);
    assert.match(check.stderr, /unreviewed-pkg@1\.0\.0 has an install script that allowScripts does not cover/);
    // The scratch project approves `node` by name but neither depends on it nor locks a version.
    assert.match(check.stderr, /node is approved by name, so package.json must pin it/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('once approved, the install script runs', () => {
  const dir = scratchProject();
  try {
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--offline', '--ignore-scripts'], { cwd: dir });
    execFileSync('npm', ['install-scripts', 'approve', 'unreviewed-pkg'], { cwd: dir, stdio: 'ignore' });
    const install = spawnSync('npm', ['rebuild', 'unreviewed-pkg'], { cwd: dir, encoding: 'utf8' });
    assert.equal(install.status, 0, install.stderr);
    assert.equal(existsSync(join(dir, 'ran')), true);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the project approves only the pinned Node, at the version of its lock file', () => {
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8'));
  assert.deepEqual(manifest.allowScripts, { node: true });
  assert.equal(manifest.devDependencies.node, lock.packages['node_modules/node'].version);
  assert.equal(process.versions.node.split('.')[0], '24');
});
