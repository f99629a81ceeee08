import 'reflect-metadata';
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, needsPostgres, type TestDatabase } from '../helpers/database.ts';
import { testDeps } from '../helpers/deps.ts';
import { openDatabase } from '../../src/db/open.ts';
import type { Deps } from '../../src/deps.ts';
import { FakeClock } from '../../src/platform/clock.ts';
import { inTransaction } from '../../src/db/transaction.ts';
import { ensureAuthority } from '../../src/modules/certificates/authority.ts';
import { revokeCertificate } from '../../src/modules/certificates/revoke.ts';
import { firstReminderDaysBefore, runCertificateReminders, secondReminderDaysBefore, startCertificateReminders } from '../../src/modules/certificates/reminders.ts';
import { addUser, outboxTo } from '../helpers/http-app.ts';
import type { TestPerson } from '../helpers/people.ts';
import { acquire, certificateContract } from './support.ts';

/** R4.4: reminders 30 and 10 days before expiry, each exactly once, whoever runs them. */
let database: TestDatabase;
before(async () => {
  database = await createTestDatabase();
  await ensureAuthority(testDeps(database.db));
});
after(() => database.drop());

const day = 86_400;

async function reminders(deps: Deps, person: TestPerson) {
  const mails = await outboxTo(deps, person.email, 'certificates.mail.reminder.subject');
  return mails.map((mail) => ({ days: Number(/あと (\d+) 日/.exec(mail.body)?.[1]), at: mail.created_at }));
}

test('stepping a fake clock day by day through the year sends exactly two reminders, at 30 and at 10 days', async () => {
  const clock = new FakeClock('2026-05-01T09:00:00Z');
  const deps = testDeps(database.db, { clock });
  const { user } = await certificateContract(deps);
  const issued = await acquire(deps, user);
  const sentOn: number[] = [];
  for (let step = 1; step <= 366; step++) {
    clock.advanceSeconds(day);
    const count = await runCertificateReminders(deps);
    if (count > 0) sentOn.push(step);
  }
  const mails = await reminders(deps, user);
  assert.deepEqual(mails.map((m) => m.days), [firstReminderDaysBefore, secondReminderDaysBefore]);
  assert.deepEqual(sentOn, [365 - firstReminderDaysBefore, 365 - secondReminderDaysBefore]);
  assert.equal(mails[0]!.at.getTime(), issued.notAfter.getTime() - firstReminderDaysBefore * day * 1000);
  assert.equal(mails[1]!.at.getTime(), issued.notAfter.getTime() - secondReminderDaysBefore * day * 1000);
  const row = await deps.db.selectFrom('client_certificate').selectAll().where('serial_hex', '=', issued.serialHex).executeTakeFirstOrThrow();
  assert.notEqual(row.reminder_30_sent_at, null);
  assert.notEqual(row.reminder_10_sent_at, null);
});

test('a certificate first seen inside 10 days gets the 10-day reminder alone', async () => {
  const clock = new FakeClock('2026-06-01T00:00:00Z');
  const deps = testDeps(database.db, { clock });
  const { user } = await certificateContract(deps);
  await acquire(deps, user);
  clock.advanceSeconds(360 * day);
  await runCertificateReminders(deps);
  clock.advanceSeconds(day);
  await runCertificateReminders(deps);
  assert.deepEqual((await reminders(deps, user)).map((m) => m.days), [5]);
  const row = await deps.db
    .selectFrom('client_certificate')
    .innerJoin('users', 'users.id', 'client_certificate.user_ref')
    .select(['reminder_30_sent_at', 'reminder_10_sent_at'])
    .where('users.user_id', '=', user.userId)
    .where('users.contract_id', '=', user.contractId)
    .executeTakeFirstOrThrow();
  assert.equal(row.reminder_30_sent_at, null, 'the 30-day reminder was never sent');
});

test('a revoked certificate, and an expired one, get no reminder', async () => {
  const clock = new FakeClock('2026-07-01T00:00:00Z');
  const deps = testDeps(database.db, { clock });
  const { master, user } = await certificateContract(deps);
  const issued = await acquire(deps, user);
  await acquire(deps, master);
  const id = (await deps.db.selectFrom('client_certificate').select('id').where('serial_hex', '=', issued.serialHex).executeTakeFirstOrThrow()).id;
  await inTransaction(deps.db, (tx) => revokeCertificate(deps, tx, id, 'reissue', { actor: 'operator:test' }));
  clock.advanceSeconds(400 * day);
  await runCertificateReminders(deps);
  assert.deepEqual(await reminders(deps, user), []);
  assert.deepEqual(await reminders(deps, master), [], 'expired before anyone looked');
});

test('the reminder loop runs at once when started and stops cleanly', async () => {
  const clock = new FakeClock('2026-08-01T00:00:00Z');
  const deps = testDeps(database.db, { clock });
  const { user } = await certificateContract(deps);
  await acquire(deps, user);
  clock.advanceSeconds(340 * day);
  const errors: unknown[] = [];
  const loop = startCertificateReminders(deps, { intervalMs: 3_600_000, onError: (error) => errors.push(error) });
  for (let i = 0; i < 200 && (await reminders(deps, user)).length === 0; i++) await new Promise((resolve) => setImmediate(resolve));
  await loop.stop();
  assert.deepEqual(errors, []);
  assert.deepEqual((await reminders(deps, user)).map((m) => m.days), [25]);
});

test('two service processes running the reminders at every step of the year still send exactly two per certificate', { skip: needsPostgres }, async () => {
  const clock = new FakeClock('2026-09-01T00:00:00Z');
  const second = await openDatabase({ databaseUrl: database.url!, poolSize: 4 });
  try {
    const one = testDeps(database.db, { clock });
    const two = testDeps(second, { clock });
    const { master, user } = await certificateContract(one);
    const people = [master, user, await addUser(one, master.contractId), await addUser(one, master.contractId)];
    for (const person of people) {
      await acquire(one, person);
      clock.advanceSeconds(3600);
    }
    for (let step = 1; step <= 366; step++) {
      clock.advanceSeconds(day);
      await Promise.all([runCertificateReminders(one), runCertificateReminders(two), runCertificateReminders(one), runCertificateReminders(two)]);
    }
    for (const person of people) {
      assert.deepEqual((await reminders(one, person)).map((m) => m.days), [firstReminderDaysBefore, secondReminderDaysBefore], person.userId);
    }
  } finally {
    await second.destroy();
  }
});
