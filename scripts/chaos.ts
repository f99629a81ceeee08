import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * `npm run chaos [-- [--seconds N] [name …]]`: the longer load-and-fault scenarios that `npm test`
 * has no time for, one after another, then a summary. A scenario is a file `chaos/<name>.ts`
 * (files directly in chaos/; chaos/support/ holds what they share) that, run as
 * `npx node chaos/<name>.ts [--seconds N]`, runs its scenario against 127.0.0.1 on a PostgreSQL
 * database of its own (made from TEST_DATABASE_URL, or postgres://postgres@127.0.0.1:5432/postgres,
 * dropped at the end), prints its figures one a line, the last line `<name>: lost <count>`, and
 * exits 0 if nothing was lost, 1 otherwise. Names given run only those; `--seconds` is passed on.
 */
const root = join(import.meta.dirname, '..');
const chaosDir = join(root, 'chaos');

const args = process.argv.slice(2);
const passed: string[] = [];
const named: string[] = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--seconds') passed.push('--seconds', args[++i] ?? '');
  else if (args[i] === '--help' || args[i] === '-h') {
    process.stdout.write('npm run chaos [-- [--seconds N] [name …]]   every scenario of chaos/, or those named\n');
    process.exit(0);
  } else named.push(args[i]!.replace(/\.ts$/, ''));
}

const known = readdirSync(chaosDir, { withFileTypes: true })
  .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
  .map((entry) => entry.name.slice(0, -'.ts'.length))
  .sort();
const unknown = named.filter((name) => !known.includes(name));
if (unknown.length > 0) {
  process.stderr.write(`no such scenario: ${unknown.join(', ')} (there are: ${known.join(', ')})\n`);
  process.exit(2);
}

interface Outcome {
  name: string;
  status: number | null;
  seconds: number;
  last: string;
}

function run(name: string): Promise<Outcome> {
  const started = performance.now();
  // The scenario's service processes load the same modules: V8's compile cache spares each the parsing (as in npm test).
  const env = { ...process.env, NODE_COMPILE_CACHE: process.env.NODE_COMPILE_CACHE ?? join(root, 'node_modules/.cache/node-compile-cache') };
  const child = spawn(process.execPath, [join(chaosDir, `${name}.ts`), ...passed], { cwd: root, env, stdio: ['ignore', 'pipe', 'inherit'] });
  let pending = '';
  let last = '';
  child.stdout.on('data', (chunk: Buffer) => {
    process.stdout.write(chunk);
    pending += chunk.toString('utf8');
    const lines = pending.split('\n');
    pending = lines.pop()!;
    for (const line of lines) if (line.trim()) last = line;
  });
  return new Promise((resolve) => {
    child.on('close', (status) => {
      if (pending.trim()) last = pending;
      resolve({ name, status, seconds: (performance.now() - started) / 1000, last });
    });
  });
}

const outcomes: Outcome[] = [];
for (const name of named.length > 0 ? named : known) {
  process.stdout.write(`\n# chaos/${name}.ts ${passed.join(' ')}\n`);
  outcomes.push(await run(name));
}

process.stdout.write('\n# Summary\n');
for (const outcome of outcomes) {
  const verdict = outcome.status === 0 ? 'ok' : `FAILED (exit ${outcome.status})`;
  process.stdout.write(`#   ${outcome.name}: ${verdict} in ${outcome.seconds.toFixed(1)} s — ${outcome.last}\n`);
}
process.exit(outcomes.every((outcome) => outcome.status === 0) ? 0 : 1);
