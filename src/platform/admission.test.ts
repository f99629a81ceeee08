import { test } from 'node:test';
import assert from 'node:assert/strict';
import { admissionGate } from './admission.ts';

test('places are given up to the bound, then in arrival order as they are given back', async () => {
  const gate = admissionGate({ inFlightMax: 2, queuedMax: 2, queueWaitMs: 10_000 });
  const first = await gate.enter();
  const second = await gate.enter();
  assert.ok(first && second);
  const order: string[] = [];
  const third = gate.enter().then((release) => (order.push('third'), release));
  const fourth = gate.enter().then((release) => (order.push('fourth'), release));
  assert.deepEqual(gate.figures(), { inFlight: 2, queued: 2, admitted: 2, refusedFull: 0, refusedWaited: 0 });
  first();
  first(); // a second call gives nothing back twice
  (await third)!();
  second();
  (await fourth)!();
  assert.deepEqual(order, ['third', 'fourth']);
  assert.deepEqual(gate.figures(), { inFlight: 0, queued: 0, admitted: 4, refusedFull: 0, refusedWaited: 0 });
});

test('beyond the places and the queue a request is refused at once', async () => {
  const gate = admissionGate({ inFlightMax: 1, queuedMax: 1, queueWaitMs: 10_000 });
  const held = await gate.enter();
  const queued = gate.enter();
  assert.equal(await gate.enter(), undefined);
  assert.equal(gate.figures().refusedFull, 1);
  held!();
  (await queued)!();
});

test('a request that waited the bound without a place is refused, and leaves the queue', async () => {
  const gate = admissionGate({ inFlightMax: 1, queuedMax: 1, queueWaitMs: 30 });
  const held = await gate.enter();
  assert.equal(await gate.enter(), undefined);
  assert.deepEqual(gate.figures(), { inFlight: 1, queued: 0, admitted: 1, refusedFull: 0, refusedWaited: 1 });
  held!();
  assert.ok(await gate.enter(), 'the place given back is free again');
});


test('a request is turned away on arrival exactly when entering would refuse it at once', async () => {
  const gate = admissionGate({ inFlightMax: 1, queuedMax: 1, queueWaitMs: 10_000 });
  assert.equal(gate.turnsAway(), false, 'a place is free');
  const held = await gate.enter();
  assert.equal(gate.turnsAway(), false, 'the queue has room');
  const queued = gate.enter();
  assert.equal(gate.turnsAway(), true, 'every place taken and the queue full');
  assert.deepEqual(gate.figures(), { inFlight: 1, queued: 1, admitted: 1, refusedFull: 1, refusedWaited: 0 });
  held!();
  const release = await queued;
  assert.equal(gate.turnsAway(), false, 'the queue emptied');
  release!();
});
