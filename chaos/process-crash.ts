import { parseArgs } from 'node:util';
import { createTestDatabase } from '../test/helpers/database.ts';
import { dropWhenClosed } from '../test/security/attack-helpers.ts';
import { figureLines, lostTotal, runProcessCrash } from '../test/reliability/process-crash.ts';

/**
 * Chaos: a service process killed with SIGKILL, again and again, in the middle of bursts of logons,
 * transfers, approvals and mail deliveries; the other process and the restarted one must finish
 * everything (test/reliability/process-crash.ts, whose one-kill version is a test). Each round kills
 * the other of the two processes. Runs on 127.0.0.1 against a PostgreSQL database of its own, made
 * on TEST_DATABASE_URL's server (or the local one) and dropped at the end.
 *
 *   npx node chaos/process-crash.ts [--seconds N]     (default 30)
 *
 * Prints one line per figure, the last `process-crash: lost N`; exits 0 when nothing was lost.
 */
const { values } = parseArgs({ options: { seconds: { type: 'string', default: '30' } } });
const seconds = Number(values.seconds);
if (!Number.isFinite(seconds) || seconds <= 0) {
  process.stderr.write('--seconds takes a number of seconds above zero\n');
  process.exit(2);
}
process.env.TEST_DATABASE_URL ??= 'postgres://postgres@127.0.0.1:5432/postgres';

const database = await createTestDatabase({ poolSize: 10 });
let lost: number;
try {
  const figures = await runProcessCrash({
    db: database.db,
    databaseUrl: database.url!,
    size: { senders: 2, confirmationsPerSender: 5, approvals: 4, visitors: 4 },
    killAfterAnswers: 5,
    rounds: 1,
    forMs: seconds * 1000,
    progress: (line) => process.stderr.write(`process-crash: ${line}\n`),
  });
  for (const refused of figures.refused) process.stderr.write(`process-crash: refused: ${refused}\n`);
  for (const line of figureLines(figures)) process.stdout.write(`${line}\n`);
  lost = lostTotal(figures);
} catch (error) {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.stdout.write(`process-crash: lost ? (the scenario stopped: ${(error as Error).message})\n`);
  lost = -1;
} finally {
  await dropWhenClosed(database);
}
process.exit(lost === 0 ? 0 : 1);
