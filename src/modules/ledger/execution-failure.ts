import type { InterbankOutcome } from '../../interbank.ts';

/** Why a transfer could not be made; each has its message `ledger.failure.<reason>`. */
export type ExecutionFailure =
  | 'insufficient_funds'
  | 'account_unknown'
  | 'account_closed'
  | 'source_account_closed'
  | Extract<InterbankOutcome, { settled: false }>['reason'];
