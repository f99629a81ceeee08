import { spawnSync } from 'node:child_process';
import { globSync } from 'node:fs';

/**
 * `npm test`: every test file on the embedded database (PGlite), then, when TEST_DATABASE_URL is
 * set, all of them again on PostgreSQL, where the race and crash tests run too.
 */
const files = globSync(['src/**/*.test.ts', 'test/**/*.test.ts']).sort();
const extra = process.argv.slice(2);
const selected = extra.length > 0 ? extra : files;

function run(label: string, env: NodeJS.ProcessEnv): number {
  process.stdout.write(`\n# ${label}\n`);
  const result = spawnSync(process.execPath, ['--test', '--test-concurrency=2', '--test-reporter=spec', ...selected], {
    stdio: 'inherit',
    env,
  });
  return result.status ?? 1;
}

const { TEST_DATABASE_URL, ...embeddedEnv } = process.env;
let status = run('embedded database (PGlite)', embeddedEnv);
if (TEST_DATABASE_URL) status = run(`PostgreSQL (${TEST_DATABASE_URL.replace(/\/\/[^@]*@/, '//')})`, process.env) || status;
else process.stdout.write('\n# PostgreSQL run skipped: set TEST_DATABASE_URL to run the suite on PostgreSQL too\n');
process.exit(status);
