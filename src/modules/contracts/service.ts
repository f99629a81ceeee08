/**
 * The bank operator's use cases: onboard a contract with its master (R1.3, onboard.ts), issue and
 * invalidate grid cards (R3.3, grid-cards.ts), issue a new registration password (R2.5,
 * registration.ts), lift a stop and set the lock mode (R2.3, stops.ts). Each change is audited with
 * who made it. The `…InTx` forms run inside the caller's transaction (the operator console approves
 * a change application and makes the change in one); the others are the CLI's, each in a
 * transaction of its own. The operator CLI, the demo seed and the grid card printer find them here.
 */
export type { ChangeActor } from './change-actor.ts';
export { findPerson, OperatorInputError } from './operator-input.ts';
export { invalidateCardsInTx, issueCardInTx, issueGridCard, type IssuedCard } from './grid-cards.ts';
export { issueRegistrationPassword, prepareRegistration, setRegistrationPasswordInTx, type PreparedRegistration } from './registration.ts';
export {
  checkOnboardInput,
  companyNameLengthMax,
  masterDailyLimitYen,
  masterPerTransactionLimitYen,
  onboardContract,
  onboardInTx,
  type OnboardInput,
  type OnboardResult,
} from './onboard.ts';
export { liftStop, liftStopInTx, setLockModeInTx } from './stops.ts';
