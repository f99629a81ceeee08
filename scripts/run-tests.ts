import { spawn } from 'node:child_process';
import { existsSync, globSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, matchesGlob, relative, resolve } from 'node:path';

/**
 * `npm test`: every test file on the embedded database (PGlite) and, when TEST_DATABASE_URL is set,
 * all of them again on PostgreSQL, where the race and crash tests run too. The two legs run side by
 * side: the first one's output is shown as it comes, the second's once the first has ended. Ends
 * with each leg's time, the slowest files and the total of both legs.
 *
 * `npm run test:quick` (`--quick`): the pure and HTTP tests on PGlite alone, for the edit loop.
 * File arguments run just those files.
 */
const quickLeaveOut = [
  'test/e2e/**', // a browser each
  'test/install/**', // npm installs
  'test/security/{two-processes,connection-loss}.test.ts', // service processes
  'test/reliability/{graceful-stop,process-crash}.test.ts',
  'test/**/*cli.test.ts', // command processes
];

/**
 * Test files run at once in a leg. Measured on 2 cores (docs/benchmarks.md): two keep both cores
 * busy when a leg runs alone; in a run of both legs the light embedded leg runs one at a time, and
 * the PostgreSQL leg, whose files wait on the server for part of their time, three.
 */
const filesAtOnceAlone = 2;
const filesAtOnceEmbeddedBeside = 1;
const filesAtOncePostgresBeside = 3;

/**
 * Files that take the longest (browsers, processes, load; see the slowest files printed at the end)
 * start first, in this order, so that no long file starts last and runs alone while the cores idle.
 */
const startFirst = [
  'test/transfers/bank-invariant.test.ts',
  'test/e2e/**',
  'test/security/{two-processes,connection-loss,lockout-race}.test.ts',
  'test/reliability/{graceful-stop,process-crash}.test.ts',
  'test/**/*cli.test.ts',
  'test/install/**',
];

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const named = args.filter((a) => a !== '--quick');
const selected =
  named.length > 0
    ? named
    : heaviestFirst(globSync(['src/**/*.test.ts', 'test/**/*.test.ts'], { exclude: quick ? quickLeaveOut : [] }).sort());

/**
 * What a run of both legs runs where (docs/decisions/0014). PostgreSQL, where the bank runs, gets
 * every file that uses a database. The embedded leg gets what gives one answer on either database
 * and so needs running once — the files whose imports never reach a database (pure rules, parsers,
 * the import and install checks) — and what is the embedded database's own: the commands, whose
 * data folder is the database; the demo `npm start` brings up; the single session's guard. The
 * HTTP and browser files drive the same code on either database; the one way the embedded database
 * differs for that code, its single session, is an error on both (src/db/transaction-guard.ts), so
 * PostgreSQL finds it too. Without TEST_DATABASE_URL everything runs on the embedded database; files
 * named on the command line run on every leg.
 */
const embeddedOwn = [
  'test/**/*cli.test.ts',
  'test/db/**',
  'src/db/**',
  'test/accounts/demo-seed.test.ts',
  'test/operator/demo-banner.test.ts',
];
const databaseModules = new Set(['test/helpers/database.ts', 'src/db/open.ts'].map((f) => resolve(f)));

const runtimeImports = new Map<string, string[]>();
function importsOf(file: string): string[] {
  let found = runtimeImports.get(file);
  if (!found) {
    const text = readFileSync(file, 'utf8');
    // Relative imports that stay at run time (`import type` is erased), static and dynamic.
    const specifiers = [
      ...[...text.matchAll(/^\s*(?:import|export)\s+(?!type\s)[^;]*?\sfrom\s+'(\.{1,2}\/[^']+)'/gms)].map((m) => m[1]!),
      ...[...text.matchAll(/import\(\s*'(\.{1,2}\/[^']+)'\s*\)/g)].map((m) => m[1]!),
    ];
    found = specifiers.map((s) => resolve(dirname(file), s)).filter((f) => existsSync(f));
    runtimeImports.set(file, found);
  }
  return found;
}
function usesDatabase(file: string): boolean {
  const seen = new Set([resolve(file)]);
  const next = [...seen];
  while (next.length > 0) {
    const current = next.pop()!;
    if (databaseModules.has(current)) return true;
    for (const imported of importsOf(current)) if (!seen.has(imported)) seen.add(imported), next.push(imported);
  }
  return false;
}

function heaviestFirst(files: string[]): string[] {
  const heavy = [...new Set(startFirst.flatMap((pattern) => globSync(pattern).sort()))].filter((f) => files.includes(f));
  return [...heavy, ...files.filter((f) => !heavy.includes(f))];
}

// Every test file, and every service or CLI process a test starts, is a Node process loading the
// same modules: V8's compile cache (kept in node_modules/.cache) spares each the parsing.
process.env.NODE_COMPILE_CACHE ??= join(import.meta.dirname, '../node_modules/.cache/node-compile-cache');
const timingsDir = mkdtempSync(join(tmpdir(), 'ib-test-timings-'));

interface Leg {
  label: string;
  env: NodeJS.ProcessEnv;
  files: string[];
  filesAtOnce: number;
  /** What this leg leaves to another, said at its start. */
  leftOut?: string;
}
interface LegResult {
  label: string;
  status: number;
  seconds: number;
  counts?: Record<string, number>;
  files: { file: string; seconds: number; tests: number }[];
}

function runLeg(leg: Leg, index: number, output: (text: Buffer | string) => void): Promise<LegResult> {
  const timings = join(timingsDir, `leg-${index}.json`);
  const started = performance.now();
  const child = spawn(
    process.execPath,
    [
      // Test files live seconds, like the bank's commands: the baseline WebAssembly compiler alone
      // starts PGlite in half the CPU of both tiers (docs/benchmarks.md). Test files inherit it.
      '--liftoff-only',
      '--test',
      `--test-concurrency=${leg.filesAtOnce}`,
      '--test-reporter=spec',
      '--test-reporter-destination=stdout',
      '--test-reporter=./scripts/test-timings-reporter.ts',
      `--test-reporter-destination=${timings}`,
      ...leg.files,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], env: leg.env },
  );
  output(`\n# ${leg.label}\n${leg.leftOut ? `# ${leg.leftOut}\n` : ''}`);
  child.stdout.on('data', output);
  child.stderr.on('data', output);
  return new Promise((resolve) => {
    child.on('close', (code) => {
      let measured: Pick<LegResult, 'counts' | 'files'> = { files: [] };
      try {
        measured = JSON.parse(readFileSync(timings, 'utf8'));
      } catch {
        // A run that died before its reporter finished has no timings; its status says so.
      }
      resolve({ label: leg.label, status: code ?? 1, seconds: (performance.now() - started) / 1000, ...measured });
    });
  });
}

/** The first leg writes through; later ones are held until the legs before them have ended. */
async function runSideBySide(legs: Leg[]): Promise<LegResult[]> {
  const held: (Buffer | string)[][] = legs.map(() => []);
  let shown = 0;
  const write = (index: number) => (text: Buffer | string) => {
    if (index === shown) process.stdout.write(text);
    else held[index]!.push(text);
  };
  const ended = legs.map(() => false);
  const showNext = () => {
    while (shown < legs.length && ended[shown]) {
      shown++;
      if (shown < legs.length) for (const text of held[shown]!.splice(0)) process.stdout.write(text);
    }
  };
  return Promise.all(
    legs.map(async (leg, index) => {
      const result = await runLeg(leg, index, write(index));
      ended[index] = true;
      showNext();
      return result;
    }),
  );
}

const { TEST_DATABASE_URL, ...embeddedEnv } = process.env;
const embedded: Leg = { label: 'embedded database (PGlite)', env: embeddedEnv, files: selected, filesAtOnce: filesAtOnceAlone };
const legs: Leg[] = [embedded];
if (TEST_DATABASE_URL && !quick) {
  const postgres: Leg = { label: `PostgreSQL (${TEST_DATABASE_URL.replace(/\/\/[^@]*@/, '//')})`, env: process.env, files: selected, filesAtOnce: filesAtOnceAlone };
  legs.push(postgres);
  if (named.length === 0) {
    const databaseFree = selected.filter((f) => !usesDatabase(f));
    const own = selected.filter((f) => embeddedOwn.some((pattern) => matchesGlob(f, pattern)));
    embedded.files = selected.filter((f) => databaseFree.includes(f) || own.includes(f));
    postgres.files = selected.filter((f) => !databaseFree.includes(f));
    embedded.filesAtOnce = filesAtOnceEmbeddedBeside;
    postgres.filesAtOnce = filesAtOncePostgresBeside;
    embedded.leftOut = `the ${postgres.files.filter((f) => !own.includes(f)).length} other files that use a database run in the PostgreSQL leg of this run`;
    postgres.leftOut = `the ${databaseFree.length} files that use no database run in the embedded leg of this run`;
  }
}
const results = await runSideBySide(legs);
rmSync(timingsDir, { recursive: true, force: true });
// Every file's time, for looking closer than the twenty printed below.
mkdirSync('test-artifacts', { recursive: true });
writeFileSync('test-artifacts/test-times.json', `${JSON.stringify(results, null, 1)}\n`);
if (legs.length === 1 && !quick) process.stdout.write('\n# PostgreSQL run skipped: set TEST_DATABASE_URL to run the suite on PostgreSQL too\n');

process.stdout.write('\n# Times\n');
for (const leg of results) process.stdout.write(`#   ${leg.label}: ${leg.seconds.toFixed(1)} s, exit ${leg.status}\n`);
const slowest = results
  .flatMap((leg) => leg.files.map((f) => ({ ...f, leg: leg.label.split(' (')[0] })))
  .sort((a, b) => b.seconds - a.seconds)
  .slice(0, 20);
process.stdout.write('# Slowest files:\n');
for (const f of slowest) process.stdout.write(`#   ${f.seconds.toFixed(1).padStart(6)} s  ${relative('.', f.file)}  (${f.leg}, ${f.tests} tests)\n`);

const total = (key: string) => results.reduce((sum, leg) => sum + (leg.counts?.[key] ?? 0), 0);
process.stdout.write(`\nall legs: ${total('passed')} passed, ${total('failed') + total('cancelled')} failed, ${total('skipped')} skipped\n`);
process.exit(results.some((leg) => leg.status !== 0) ? 1 : 0);
