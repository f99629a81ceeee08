import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { admissionGate } from '../platform/admission.ts';
import { refusalReporter } from './early-refusal.ts';

test('refusals made early are counted in one warning per interval, not one line each', async () => {
  const warnings: { refusedEarly: number }[] = [];
  const note = refusalReporter({ warn: (fields: { refusedEarly: number }) => void warnings.push(fields) } as never, admissionGate(), 30);
  note();
  note();
  note();
  assert.equal(warnings.length, 0, 'nothing is logged per refusal');
  await delay(60);
  assert.deepEqual(warnings.map((w) => w.refusedEarly), [3], 'one warning counts the three');
  note();
  await delay(60);
  assert.deepEqual(warnings.map((w) => w.refusedEarly), [3, 1], 'the next interval counts its own');
});
