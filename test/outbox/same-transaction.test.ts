import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { testDeps } from '../helpers/deps.ts';
import { onboardMaster } from '../helpers/people.ts';
import { enqueueEmail } from '../../src/outbox/enqueue.ts';
import { inTransaction } from '../../src/db/transaction.ts';
import { notifyStop } from '../../src/access/stop-notice.ts';

let database: TestDatabase;
before(async () => {
  database = await createTestDatabase();
});
after(() => database.drop());

const outboxFor = (recipient: string) =>
  database.db.selectFrom('outbox').select(['subject', 'body', 'status']).where('recipient', '=', recipient).execute();

class Interrupted extends Error {}

test('house rule 8: a message enqueued in a transaction that rolls back is never in the outbox', async () => {
  const deps = testDeps(database.db);
  await assert.rejects(
    inTransaction(database.db, async (tx) => {
      await enqueueEmail(tx, { contractId: null, recipient: 'rolled-back@customer.example', subject: 's', body: 'b' }, deps.clock.now());
      throw new Interrupted('the change failed after the email was written');
    }),
    Interrupted,
  );
  assert.deepEqual(await outboxFor('rolled-back@customer.example'), []);

  await inTransaction(database.db, (tx) =>
    enqueueEmail(tx, { contractId: null, recipient: 'committed@customer.example', subject: 's', body: 'b' }, deps.clock.now()),
  );
  assert.equal((await outboxFor('committed@customer.example')).length, 1);
});

test('R2.3: a stop notice to the person and the master commits or rolls back with the stop', async () => {
  const deps = testDeps(database.db);
  const master = await onboardMaster(deps);
  await database.db.updateTable('users').set({ email: master.email }).where('contract_id', '=', master.contractId).execute();
  const contract = await database.db.selectFrom('contract').selectAll().where('id', '=', master.contractId).executeTakeFirstOrThrow();
  const masterRow = await database.db.selectFrom('users').selectAll().where('contract_id', '=', master.contractId).executeTakeFirstOrThrow();
  const userRow = await database.db
    .insertInto('users')
    .values({
      contract_id: master.contractId,
      user_id: 'clerk1',
      display_name: 'clerk',
      role: 'user',
      email: 'clerk1@customer.example',
      created_at: deps.clock.now(),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  const stop = { user: userRow, contract, at: deps.clock.now(), ip: '203.0.113.7' };

  await assert.rejects(
    inTransaction(database.db, async (tx) => {
      await tx.updateTable('users').set({ stopped_at: stop.at }).where('id', '=', userRow.id).execute();
      await notifyStop(deps, tx, stop);
      throw new Interrupted('the stop did not commit');
    }),
    Interrupted,
  );
  assert.deepEqual(await outboxFor('clerk1@customer.example'), []);
  assert.deepEqual(await outboxFor(master.email), []);
  const notStopped = await database.db.selectFrom('users').select('stopped_at').where('id', '=', userRow.id).executeTakeFirstOrThrow();
  assert.equal(notStopped.stopped_at, null);

  await inTransaction(database.db, async (tx) => {
    await tx.updateTable('users').set({ stopped_at: stop.at }).where('id', '=', userRow.id).execute();
    await notifyStop(deps, tx, stop);
  });
  const toUser = await outboxFor('clerk1@customer.example');
  const toMaster = await outboxFor(master.email);
  assert.equal(toUser.length, 1);
  assert.equal(toMaster.length, 1);
  assert.match(toUser[0]!.body, /clerk1/);
  assert.match(toUser[0]!.body, /203\.0\.113\.7/);
  assert.equal(toUser[0]!.status, 'pending');

  // The master's own stop: one notice, not two copies to the same address.
  await inTransaction(database.db, (tx) => notifyStop(deps, tx, { ...stop, user: { ...masterRow, email: master.email } }));
  assert.equal((await outboxFor(master.email)).length, 2);
});
