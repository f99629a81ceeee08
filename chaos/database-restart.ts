import { runChaos } from './support/run.ts';
import { runDatabaseRestart, startServiceBehindProxy } from '../test/reliability/database-restart.ts';

/**
 * `npm run chaos -- database-restart`: PostgreSQL restarted and cut under the service, again and
 * again, while people send transfers and read their status page (test/reliability/database-restart.ts;
 * its short version is in test/security/connection-loss.test.ts). A fault every five seconds, the
 * database away 1.5 s each time.
 */
const faultEverySeconds = 5;
const outageMs = 1_500;

await runChaos('database-restart', async ({ seconds, database }) => {
  const setup = await startServiceBehindProxy(database, 'ib-chaos-database-restart');
  try {
    const faults = Math.max(1, Math.floor(seconds / faultEverySeconds));
    return [await runDatabaseRestart(setup, database, { loadMs: seconds * 1000, faults, outageMs, senders: 4, readers: 3 })];
  } finally {
    await setup.close();
  }
});
