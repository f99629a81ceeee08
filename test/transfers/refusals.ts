import assert from 'node:assert/strict';
import { isAppError } from '../../src/errors.ts';
import type { TransferRefusal } from '../../src/modules/transfers/service.ts';

/** Asserts a refusal's code (and field, when given), and returns it for a closer look. */
export async function refused(work: Promise<unknown>, code: string, field?: string): Promise<TransferRefusal> {
  try {
    await work;
  } catch (error) {
    assert.ok(isAppError(error), `expected ${code}, got ${String(error)}`);
    assert.equal(error.code, code);
    if (field !== undefined) assert.equal(error.field, field, `field of ${code}`);
    return error as TransferRefusal;
  }
  assert.fail(`expected ${code}, but it was accepted`);
}

/** The codes of the refused ones among settled results (undefined for an accepted one). */
export function codesOf(results: PromiseSettledResult<unknown>[]): (string | undefined)[] {
  return results.map((r) => {
    if (r.status === 'fulfilled') return undefined;
    if (isAppError(r.reason)) return r.reason.code;
    throw r.reason;
  });
}
