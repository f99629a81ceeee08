import { spawnSync } from 'node:child_process';
import { globSync } from 'node:fs';
import { join } from 'node:path';

/**
 * `npm run fuzz`: the fuzz tests of test/fuzz/ (the same files and properties `npm test` runs) with
 * many more cases each: every property's default number of cases times FUZZ_FACTOR (20 unless
 * `--factor N`). Each HTTP form prints what its cases were answered with (FUZZ_REPORT). A failure
 * prints fast-check's seed; `--seed S` runs the same cases again. Files named on the command line
 * run instead of all of test/fuzz/. Like `npm test`, it runs on PostgreSQL too when
 * TEST_DATABASE_URL is set.
 *
 *   npm run fuzz
 *   npm run fuzz -- --factor 100 test/fuzz/parsers.property.test.ts
 *   npm run fuzz -- --seed -1977703100 test/fuzz/payee-and-bulk-forms.fuzz.test.ts
 */
const args = process.argv.slice(2);
const option = (name: string): string | undefined => {
  const at = args.indexOf(name);
  if (at < 0) return undefined;
  const value = args[at + 1];
  if (value === undefined) throw new Error(`${name} needs a value`);
  args.splice(at, 2);
  return value;
};
const factor = option('--factor') ?? process.env.FUZZ_FACTOR ?? '20';
const seed = option('--seed') ?? process.env.FUZZ_SEED;
if (!/^[1-9]\d*$/.test(factor)) throw new Error(`--factor must be a whole number of at least 1, not ${factor}`);
if (seed !== undefined && !/^-?\d+$/.test(seed)) throw new Error(`--seed must be a whole number, not ${seed}`);
const files = args.length > 0 ? args : globSync('test/fuzz/*.test.ts').sort();

process.stdout.write(`# fuzz: ${files.length} files, each property's cases × ${factor}${seed === undefined ? '' : `, seed ${seed}`}\n`);
const run = spawnSync(process.execPath, [join(import.meta.dirname, 'run-tests.ts'), ...files], {
  stdio: 'inherit',
  env: { ...process.env, FUZZ_FACTOR: factor, FUZZ_REPORT: '1', ...(seed === undefined ? {} : { FUZZ_SEED: seed }) },
});
process.exit(run.status ?? 1);
