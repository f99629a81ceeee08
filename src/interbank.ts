import type { Transfer } from './db/schema-transfers.ts';

/**
 * Where a real interbank link (the Zengin system, through the bank's own gateway) plugs in. A
 * transfer to another bank is first posted from the customer's account to the clearing account;
 * the adapter then settles it or rejects it, and a rejection is reversed (R8.6).
 */
export type InterbankOutcome = { settled: true } | { settled: false; reason: 'account_closed' | 'account_unknown' | 'rejected' };

export interface InterbankAdapter {
  settle(transfer: Transfer): Promise<InterbankOutcome>;
}

/** The built-in adapter: settles at once (the demo and the tests, unless a test brings its own). */
export const settleAtOnce: InterbankAdapter = {
  settle: async () => ({ settled: true }),
};
