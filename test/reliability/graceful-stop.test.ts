import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, needsPostgres, onPostgres, type TestDatabase } from '../helpers/database.ts';
import type { ServiceProcess } from '../helpers/service-process.ts';
import { dropWhenClosed } from '../security/attack-helpers.ts';
import { burstClients, prepareStatusService, runRollingRestart, sigtermDuringBurst, type StatusService } from './rolling-restart.ts';

/**
 * A process told to stop (SIGTERM, as an orchestrator or a rolling deployment sends it) must not
 * drop what it was sent: the load balancer in front moves the clients to the other process while
 * this one answers its requests in flight and exits 0. The scenarios are test/reliability/rolling-restart.ts;
 * `npm run chaos -- rolling-restart` runs them for longer.
 */
let database: TestDatabase | undefined;
let setup: StatusService | undefined;
const services: ServiceProcess[] = [];

before(async () => {
  if (!onPostgres) return;
  database = await createTestDatabase();
  setup = await prepareStatusService(database);
  // The two processes of the rolling restart, and the new one it puts in (started here, at the same time).
  services.push(...(await Promise.all([setup.start(), setup.start(), setup.start()])));
});

after(async () => {
  await Promise.all(services.map((s) => s.stop()));
  await dropWhenClosed(database);
});

test('a rolling restart of two processes on one database under keep-alive load loses no request, and each process exits 0 within the bound', { skip: needsPostgres, timeout: 120_000 }, async (t) => {
  const { report, remaining } = await runRollingRestart(setup!, services[0]!, services[1]!, { clients: 12, replaceMore: (replaced) => replaced < 1, nextProcess: async () => services[2]!, settleMs: 300 });
  assert.equal(remaining, services[2], 'the new process carries the load at the end');
  for (const line of report.lines()) t.diagnostic(line);
  assert.deepEqual(report.problems, []);
  assert.equal(report.lost, 0);
  assert.ok(report.figures.some((f) => f.label === 'processes stopped (SIGTERM) under load' && f.value === '2'));
});

test(`SIGTERM during a burst of ${burstClients} keep-alive status pages: every request that went out is answered in full, the answers close their connections, the process exits 0 within the bound`, { skip: needsPostgres, timeout: 60_000 }, async (t) => {
  const service = services[2]!;
  const report = await sigtermDuringBurst(setup!, service, { clients: burstClients, answeredBeforeStop: 2 * burstClients });
  for (const line of report.lines()) t.diagnostic(line);
  assert.deepEqual(report.problems, []);
  assert.equal(report.lost, 0);
  assert.equal(report.exit.code, 0);
  assert.ok(report.inFlightAtSignal > 0, 'requests were in flight at the signal');
  assert.ok(report.closingAnswers > 0, 'answers after the signal told their clients to close the connection');
});
