/**
 * The transfers use cases (R8.2, R8.5, R8.6): quote, create, approve, send, send back, withdraw,
 * and the lists the pages show. Each lives in a file of its own; this is the area's one entry.
 */
export type { Actor, Destination, PersonLabel, StepResult, TransferDestination, TransferDetail, TransferInput, TransferQuote, TransferSummary } from './types.ts';
export { quoteTransfer } from './prepare.ts';
export { createTransfer } from './create.ts';
export { approveTransfer, sendTransfer, sendBackTransfer, withdrawTransfer } from './steps.ts';
export { listTransfers, getTransfer, awaitingActor, transferListPageSize } from './queries.ts';
export { executionDaysAheadMax } from './execution-date.ts';
export { TransferRefusal, type TransferField } from './refusal.ts';
export { finalises, newTransferTarget, openTransferCode, sendNewTransferCode, sendTransferCode, transferTarget } from './email-otp.ts';
