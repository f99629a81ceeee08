import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import type { FastifyInstance } from 'fastify';
import { createTestDatabase, needsPostgres, type TestDatabase } from '../helpers/database.ts';
import { testDeps } from '../helpers/deps.ts';
import { Client, errorCode } from '../helpers/client.ts';
import { onboardMaster } from '../helpers/people.ts';
import { buildApp } from '../../src/app.ts';
import { recordAudit } from '../../src/audit/audit-trail.ts';
import { verifyAuditChain } from '../../src/audit/verify.ts';
import { noContractChain } from '../../src/audit/chain.ts';
import { eventOf, filledChain, newContractId, shape, tamper } from './trail.ts';
import type { Db } from '../../src/db/open.ts';

/**
 * R9.1: a trail nobody touched verifies, whatever its records hold, however it is read, and however
 * many audited actions ran at once. The whole trail of this file's database is expected intact
 * after every test (the one test that damages a chain removes it again).
 */
let database: TestDatabase;
let db: Db;
before(async () => {
  database = await createTestDatabase({ poolSize: 20 });
  db = database.db;
});
after(() => database.drop());

async function wholeTrailIntact(message: string) {
  const result = await verifyAuditChain(db);
  assert.deepEqual(result.problems.map(shape), [], message);
  assert.equal(result.ok, true);
  const counted = await sql<{ chains: number; records: number }>`
    SELECT count(DISTINCT chain)::int AS chains, count(*)::int AS records FROM audit_log`.execute(db);
  assert.equal(result.chains, counted.rows[0]!.chains);
  assert.equal(result.records, counted.rows[0]!.records);
}

test('records holding text the database cannot keep as given, bigints, dates and odd numbers still verify', async () => {
  const contractId = newContractId();
  const emojiAt299 = `${'a'.repeat(299)}😀 and more`;
  await recordAudit(db, eventOf(contractId, 0, { reason: 'nul\u0000inside', actor: 'user:x/\uD800lone' }));
  await recordAudit(db, eventOf(contractId, 1, { userAgent: emojiAt299 }));
  await recordAudit(db, {
    ...eventOf(contractId, 2),
    details: {
      amountYen: 12_345_678_901_234_567_890n,
      when: new Date('2026-04-01T09:00:00.5Z'),
      large: 1e21,
      small: 5e-7,
      tenth: 0.1,
      negative: -0,
      notANumber: Number.NaN,
      nested: { 'キー\u0000': ['\uDC00', undefined, null, true, { z: 1, a: 2, ä: 3, 'é': 4 }] },
      text: '改行\r\nタブ\t"引用"\\ \u2028 😀',
      skipped: undefined,
    },
  });
  const stored = await db.selectFrom('audit_log').select(['reason', 'actor', 'user_agent', 'details']).where('chain', '=', contractId).orderBy('seq').execute();
  assert.equal(stored[0]!.reason, 'nul\uFFFDinside');
  assert.equal(stored[0]!.actor, 'user:x/\uFFFDlone');
  assert.equal(stored[1]!.user_agent, `${'a'.repeat(299)}\uFFFD`);
  assert.equal(stored[2]!.details.amountYen, '12345678901234567890');
  assert.deepEqual(await verifyAuditChain(db, { chain: contractId }), { ok: true, chains: 1, records: 3, problems: [], problemsOmitted: 0 });
});

test('records of no contract form a chain of their own, which verifies', async () => {
  await recordAudit(db, { ...eventOf('ignored', 0), contractId: null, actor: 'anonymous', details: { contractId: '12345678903', userId: 'nobody' } });
  const result = await verifyAuditChain(db, { chain: noContractChain });
  assert.equal(result.ok, true);
  assert.ok(result.records >= 1);
});

test('a trail read in small batches verifies across batch and chain boundaries, and finds the same damage', async () => {
  for (const length of [1, 2, 3, 4, 7]) await filledChain(db, length);
  const batchRows = 3;
  const whole = await verifyAuditChain(db);
  assert.deepEqual(await verifyAuditChain(db, { batchRows }), whole);
  assert.deepEqual(await verifyAuditChain(db, { batchRows: 1 }), whole);
  assert.equal(whole.ok, true);

  // A chain of its own, damaged at records 3 and 4 (4 starts the second batch) and at its end.
  const damaged = await filledChain(db, 7);
  await tamper(db, sql`UPDATE audit_log SET actor = 'x' WHERE chain = ${damaged} AND seq IN (3, 4)`);
  await tamper(db, sql`DELETE FROM audit_log WHERE chain = ${damaged} AND seq = 7`);
  const small = await verifyAuditChain(db, { chain: damaged, batchRows });
  assert.deepEqual(small, await verifyAuditChain(db, { chain: damaged }));
  assert.deepEqual(small.problems.map((p) => [p.seq, p.kind]), [[3n, 'altered'], [4n, 'altered'], [7n, 'head-mismatch']]);
  await tamper(db, sql`DELETE FROM audit_log WHERE chain = ${damaged}`);
  await tamper(db, sql`DELETE FROM audit_chain_head WHERE chain = ${damaged}`);
  await wholeTrailIntact('the damaged chain is gone again');
});

test('fifty parallel audited actions in one contract leave its chain intact and numbered 1 to 50', { skip: needsPostgres }, async () => {
  const contractId = newContractId();
  await Promise.all(Array.from({ length: 50 }, (_, i) => recordAudit(db, eventOf(contractId, i))));
  const result = await verifyAuditChain(db, { chain: contractId });
  assert.deepEqual(result, { ok: true, chains: 1, records: 50, problems: [], problemsOmitted: 0 });
  const head = await db.selectFrom('audit_chain_head').select('seq').where('chain', '=', contractId).executeTakeFirstOrThrow();
  assert.equal(head.seq, 50n);
});

test('parallel audited actions across contracts, some rolled back, leave every chain intact', { skip: needsPostgres }, async () => {
  const contracts = Array.from({ length: 10 }, () => newContractId());
  const rolledBack = new Error('the change failed after its audit record was written');
  const actions = contracts.flatMap((contractId) =>
    Array.from({ length: 12 }, (_, i) => async () => {
      await db.transaction().execute(async (tx) => {
        await recordAudit(tx, eventOf(contractId, i));
        // Holds the chain's lock a moment longer, so that the others queue on it for real.
        await sql`SELECT pg_sleep(0.001)`.execute(tx);
        if (i % 3 === 0) throw rolledBack;
      });
    }),
  );
  const outcomes = await Promise.allSettled(actions.sort(() => Math.random() - 0.5).map((action) => action()));
  assert.equal(outcomes.filter((o) => o.status === 'rejected').length, 10 * 4);
  for (const contractId of contracts) {
    assert.deepEqual(await verifyAuditChain(db, { chain: contractId }), { ok: true, chains: 1, records: 8, problems: [], problemsOmitted: 0 });
  }
  await wholeTrailIntact('every chain after the parallel actions');
});

test('twenty parallel wrong logons through the app leave every chain intact', { skip: needsPostgres }, async () => {
  const deps = testDeps(db);
  const app: FastifyInstance = await buildApp(deps, { logger: false });
  try {
    const people = [await onboardMaster(deps), await onboardMaster(deps)];
    const attacker = new Client(app, { ip: '198.51.100.20' });
    await attacker.get('/logon');
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => {
        const person = people[i % 2]!;
        // Every fifth guesses a user who does not exist: that failure goes to the chain of no contract.
        const userId = i % 5 === 0 ? `nobody${i}` : person.userId;
        return attacker.post('/logon', { contractId: person.contractId, userId, password: `Wrong${i}pass2026` });
      }),
    );
    for (const answer of answers) assert.equal(errorCode(answer.body), 'AUTH_LOGON_FAILED');
    for (const person of people) {
      const result = await verifyAuditChain(db, { chain: person.contractId });
      assert.equal(result.ok, true);
      const logons = await db.selectFrom('audit_log').select('id').where('chain', '=', person.contractId).where('action', '=', 'logon').execute();
      assert.equal(logons.length, 8, 'each wrong logon of a known user is a record of its contract');
    }
    await wholeTrailIntact('every chain after the parallel logons');
  } finally {
    await app.close();
  }
});
