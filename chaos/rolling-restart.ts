import { runChaos } from './support/run.ts';
import type { ServiceProcess } from '../test/helpers/service-process.ts';
import { burstClients, prepareStatusService, runRollingRestart, sigtermDuringBurst } from '../test/reliability/rolling-restart.ts';

/**
 * `npm run chaos -- rolling-restart`: two service processes on one database replaced one after the
 * other, for as long as asked, under keep-alive load through a balancer; then SIGTERM to the last
 * one in a burst of 30 clients (test/reliability/rolling-restart.ts; its short version is
 * test/reliability/graceful-stop.test.ts).
 */
const clients = 30;
const settleMs = 2_000;

await runChaos('rolling-restart', async ({ seconds, database }) => {
  const setup = await prepareStatusService(database);
  const started: ServiceProcess[] = [];
  const start = async () => {
    const service = await setup.start();
    started.push(service);
    return service;
  };
  try {
    const [first, second] = await Promise.all([start(), start()]);
    const ends = performance.now() + seconds * 1000;
    const rolling = await runRollingRestart(setup, first!, second!, { clients, replaceMore: () => performance.now() < ends, nextProcess: start, settleMs });
    const burst = await sigtermDuringBurst(setup, rolling.remaining, { clients: burstClients, answeredBeforeStop: 4 * burstClients });
    return [rolling.report, burst];
  } finally {
    await Promise.all(started.map((service) => service.stop()));
  }
});
