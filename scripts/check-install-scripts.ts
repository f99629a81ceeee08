import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/**
 * CI's check of the install-script policy after `npm ci` (docs/decisions/0013): no installed
 * package has an install script that package.json's allowScripts does not cover, and every
 * approval by name covers exactly one reviewed version, pinned in package.json and the lock file.
 * Exits 1 naming each package otherwise.
 */
const manifest = JSON.parse(readFileSync('package.json', 'utf8'));
const lock = JSON.parse(readFileSync('package-lock.json', 'utf8'));
const problems: string[] = [];

const listing = JSON.parse(execFileSync('npm', ['install-scripts', 'ls', '--json'], { encoding: 'utf8' }));
for (const pending of listing.allowScripts ?? []) {
  const keys = (pending.changes ?? []).map((c: { key: string }) => c.key).join(', ');
  problems.push(`${keys || pending.name} has an install script that allowScripts does not cover: review it, then \`npm install-scripts approve ${pending.name}\` or \`deny\``);
}

const declared = { ...manifest.dependencies, ...manifest.devDependencies } as Record<string, string>;
for (const [key, allowed] of Object.entries(manifest.allowScripts ?? {})) {
  // Denials, and approvals npm pins itself (name@version, a file or git source), need nothing more.
  if (allowed !== true || !/^(@[\w.-]+\/)?[\w.-]+$/.test(key)) continue;
  const locked = lock.packages?.[`node_modules/${key}`]?.version;
  if (locked === undefined || declared[key] !== locked) {
    problems.push(`${key} is approved by name, so package.json must pin it to the locked version ${locked ?? '(not in the lock file)'}; it asks for ${declared[key] ?? 'nothing'}`);
  }
}

if (problems.length > 0) {
  process.stderr.write(`install scripts: ${problems.length} problem(s)\n${problems.map((p) => `  ${p}\n`).join('')}`);
  process.exit(1);
}
process.stdout.write(`install scripts: every one is reviewed (${Object.keys(manifest.allowScripts ?? {}).join(', ') || 'none'})\n`);
