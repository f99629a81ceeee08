import { test } from 'node:test';
import assert from 'node:assert/strict';
import { onboardMaster } from '../helpers/people.ts';
import { appForFile, userRow } from '../helpers/http-app.ts';
import { startPasswordStep } from '../../src/modules/logon/password-step.ts';

const t = appForFile();

/**
 * Decision 0029: the rate-limit hit, the look-up and the reservation are one statement. The parts
 * besides the reservation only add conditions to it: nothing is reserved for a refused hit, nor for
 * a person whose password is not tried at all — such a reservation would hold one of the seven
 * attempts (R2.3) until its lease passed, with nobody to give it back.
 */
test('decision 0029: the password step reserves an attempt only for an admitted address and a person whose password is tried', async () => {
  const person = await onboardMaster(t.deps);
  const { id } = await userRow(t.deps, person);
  const limitedDeps = { ...t.deps, config: { ...t.deps.config, logonRatePerMinute: 1 } };
  const start = (ip: string, deps = t.deps) => startPasswordStep(deps, person, { ip }, t.deps.clock.now());
  const inFlight = async () => (await userRow(t.deps, person)).attempts_in_flight;
  const setUser = (values: { status?: 'active' | 'suspended'; stopped_at?: Date | null }) => t.db.updateTable('users').set(values).where('id', '=', id).execute();

  const admitted = await start('192.0.2.61', limitedDeps);
  assert.ok(admitted.admitted && admitted.found?.triesPassword && admitted.firstTry.reservation, 'an admitted hit for an active person reserves');
  assert.equal(await inFlight(), 1);

  assert.deepEqual(await start('192.0.2.61', limitedDeps), { admitted: false }, 'the second hit of the minute is refused');
  assert.equal(await inFlight(), 1, 'a refused hit reserves nothing');

  await setUser({ status: 'suspended' });
  const suspended = await start('192.0.2.62');
  assert.ok(suspended.admitted && suspended.found && !suspended.found.triesPassword && !suspended.firstTry.reservation);
  assert.equal(await inFlight(), 1, 'a suspended person (R1.4) gets no reservation');

  await setUser({ status: 'active', stopped_at: t.deps.clock.now() });
  const stopped = await start('192.0.2.63');
  assert.ok(stopped.admitted && stopped.found && !stopped.found.triesPassword && !stopped.firstTry.reservation);
  assert.equal(await inFlight(), 1, 'a person stopped on their own (R2.3) gets no reservation');

  await setUser({ stopped_at: null });
  await t.db.updateTable('contract').set({ stopped_at: t.deps.clock.now() }).where('id', '=', person.contractId).execute();
  const contractStopped = await start('192.0.2.64');
  assert.ok(contractStopped.admitted && contractStopped.found?.triesPassword && contractStopped.firstTry.reservation, 'judged as usual (R2.3, R2.4)');
  assert.equal(await inFlight(), 2, 'a person blocked only by the contract\'s stop is tried, and reserves');

  const unknown = await startPasswordStep(t.deps, { contractId: person.contractId, userId: 'nobody' }, { ip: '192.0.2.65' }, t.deps.clock.now());
  assert.deepEqual(unknown, { admitted: true, found: undefined }, 'an unknown person: nothing to reserve');
});
