import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, needsPostgres, onPostgres, type TestDatabase } from '../helpers/database.ts';
import { dropWhenClosed } from '../security/attack-helpers.ts';
import { figureLines, lostTotal, runProcessCrash } from './process-crash.ts';

/**
 * R8.6, R7.1, R7.3, R2.3 [PG]: one of two service processes killed with SIGKILL in the middle of a
 * burst of logons, transfers, approvals and mail deliveries. The scenario is process-crash.ts; a
 * longer run with repeated kills is `npx node chaos/process-crash.ts`.
 */
let database: TestDatabase | undefined;

before(async () => {
  if (onPostgres) database = await createTestDatabase();
});
after(async () => {
  await dropWhenClosed(database);
});

test('kill -9 of one of two processes mid-burst: the other and the restarted one finish every request once, lose no mail, keep every session and charge nobody an attempt', { skip: needsPostgres, timeout: 180_000 }, async (t) => {
  const figures = await runProcessCrash({
    db: database!.db,
    databaseUrl: database!.url!,
    size: { senders: 2, confirmationsPerSender: 4, approvals: 4, visitors: 3 },
    killAfterAnswers: 4,
    rounds: 1,
  });
  for (const line of figureLines(figures)) t.diagnostic(line);
  assert.equal(figures.kills, 1);
  const inFlight = Object.values(figures.inFlightAtKill).reduce((a, b) => a + b, 0);
  assert.ok(inFlight > 0 && figures.requestsCut > 0, 'the kill cut requests off in the middle of the burst');
  assert.deepEqual(figures.refused, [], 'every request was carried out, and each retry was answered as the first time');
  assert.deepEqual(figures.loss, { transfersLost: 0, transfersDoubled: 0, approvalsLost: 0, approvalsDoubled: 0, balancesWrong: 0, peopleCharged: 0 });
  assert.equal(figures.sessionsLost, 0, 'every session lives on both processes');
  assert.equal(figures.failedOnLive, 0, 'no request failed on a live process');
  assert.deepEqual({ lost: figures.mail.lost, unknown: figures.mail.unknown }, { lost: 0, unknown: 0 }, 'every message reached the SMTP server under its own Message-ID');
  assert.equal(figures.ledgerProblems, 0, 'the ledger verifies');
  assert.equal(figures.auditProblems, 0, 'the audit trail verifies');
  assert.equal(lostTotal(figures), 0);
});
