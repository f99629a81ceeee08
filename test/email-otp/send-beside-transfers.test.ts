import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import pg from 'pg';
import { createTestDatabase, needsPostgres, onPostgres, type TestDatabase } from '../helpers/database.ts';
import { testDeps } from '../helpers/deps.ts';
import { canonicalDigest } from '../../src/access/email-otp/digest.ts';
import { sendChallenge } from '../../src/access/email-otp/send.ts';
import { addContract, addPerson } from '../transfers/fixtures.ts';

/**
 * [PG] Decision 0031: a code's send locks the person's row to order that person's sends, at the
 * strength of an update of a column that is not a key. A transfer of the person in flight holds a
 * key-share lock on that row to its commit (its rows name the person: the foreign keys' check), so
 * a send locking the row FOR UPDATE waited for every transfer of the person in flight.
 */
let database: TestDatabase | undefined;
before(async () => {
  if (!onPostgres) return;
  database = await createTestDatabase({ poolSize: 4 });
});
after(() => database?.drop());

test("a code is sent while a transfer of the same person is in flight, without waiting for its commit", { skip: needsPostgres, timeout: 30_000 }, async () => {
  const deps = testDeps(database!.db);
  const { contractId } = await addContract(deps);
  const actor = await addPerson(deps, contractId, { register: true, send: true });
  const inFlight = new pg.Client({ connectionString: database!.url! });
  await inFlight.connect();
  try {
    // What a transfer's insert leaves on the person's row until its transaction ends.
    await inFlight.query('BEGIN');
    await inFlight.query('SELECT id FROM users WHERE id = $1 FOR KEY SHARE', [actor.user.id]);

    const target = { purpose: 'transfer' as const, subject: 'test:beside', digest: canonicalDigest('transfer', { amountYen: '1000' }) };
    const send = sendChallenge(deps, { user: actor.user, context: { ip: '198.51.100.7', userAgent: 'test' } }, target, actor.user.otp_email!, {
      subject: 'transfers.otpMail.subject',
      intro: 'transfers.otpMail.intro',
      details: [],
    }).then(() => 'sent');
    const outcome = await Promise.race([send, delay(5_000, undefined, { ref: false }).then(() => 'still waiting')]);
    await inFlight.query('COMMIT');
    await send;
    assert.equal(outcome, 'sent');
  } finally {
    await inFlight.end();
  }
});
