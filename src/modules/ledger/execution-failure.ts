import type { InterbankOutcome } from '../../interbank.ts';

/** Why a transfer could not be made; each has its message `ledger.failure.<reason>`. */
export type ExecutionFailure =
  | 'insufficient_funds'
  | 'account_unknown'
  | 'account_closed'
  | 'source_account_closed'
  | Extract<InterbankOutcome, { settled: false }>['reason'];

/** Every reason, so a stored one (transfer.status_reason) is known for what it is before its message is looked up. */
const executionFailureNames: Readonly<Record<ExecutionFailure, true>> = {
  insufficient_funds: true,
  account_unknown: true,
  account_closed: true,
  source_account_closed: true,
  name_mismatch: true,
  rejected: true,
};

export function isExecutionFailure(value: string): value is ExecutionFailure {
  return Object.hasOwn(executionFailureNames, value);
}
