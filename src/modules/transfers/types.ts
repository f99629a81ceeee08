import type { Account, AccountType, Contract, User } from '../../db/schema.ts';
import type { Transfer, TransferStatus } from '../../db/schema-transfers.ts';

/**
 * The shapes of the transfers use cases (R8.2, R8.5): who acts, what they ask, and what the pages
 * are given back.
 */

/** The person acting, from their live session, with where they connect from and their protections (R9.1). */
export interface Actor {
  user: User;
  contract: Contract;
  ip: string;
  userAgent?: string;
  /** What protected this session (R9.1): e.g. `{ certificate: true }` for a client-certificate logon. */
  protections?: Record<string, unknown>;
}

/** R8.2: a registered payee, or an account given for this transfer only [都度指定]. */
export type Destination =
  | { payeeId: number }
  | { adHoc: { bankCode: string; branchCode: string; accountType: AccountType; accountNumber: string; nameInput: string } };

export interface TransferInput {
  fromAccountId: number;
  destination: Destination;
  amountYen: bigint;
  /** 'YYYY-MM-DD' (Asia/Tokyo). */
  executionDate: string;
  /** R8.6: one key per request the person makes; a retry carries the same key. */
  idempotencyKey: string;
  /** R8.6: the person says this is a separate payment from a like one made lately (duplicate.ts); not part of the request's hash. */
  separatePayment?: boolean;
}

/** Where the money goes, as a transfer record carries it, with names for the pages. */
export interface TransferDestination {
  bankCode: string;
  bankName: string;
  bankKana: string;
  branchCode: string;
  branchName: string;
  branchKana: string;
  accountType: AccountType;
  accountNumber: string;
  nameKana: string;
  payeeId: number | null;
}

/** Everything the confirmation page shows, computed by the same checks the creation makes. */
export interface TransferQuote {
  fromAccount: Account;
  to: TransferDestination;
  amountYen: bigint;
  feeYen: bigint;
  totalYen: bigint;
  executionDate: string;
  approvalsRequired: number;
  /** The confirmation sends the transfer at once (no approval needed, and the person holds the send step). */
  sendsNow: boolean;
  /** R8.6: a like transfer made lately (duplicate.ts), which this one is held for until confirmed as separate. */
  duplicateOf?: { id: bigint; createdAt: Date };
  /**
   * The account is at this bank and its holder's name is not the name given [口座名義の確認]: the
   * person is warned before confirming. Other banks' names are checked at execution (src/interbank.ts).
   */
  holderNameDiffers?: boolean;
  /** A transfer between the contract's own accounts at this bank [振替]: it has no fee. */
  ownTransfer?: boolean;
}

export interface StepResult {
  transfer: Transfer;
  /** A retry of a request already carried out: this is its first result, nothing was done again. */
  replayed: boolean;
}

/** A person as the transfer pages name them. */
export interface PersonLabel {
  ref: number;
  userId: string;
  displayName: string;
}

export interface TransferSummary {
  id: bigint;
  status: TransferStatus;
  fromAccount: { id: number; branchCode: string; accountType: AccountType; accountNumber: string };
  to: TransferDestination;
  amountYen: bigint;
  feeYen: bigint;
  executionDate: string;
  approvalsRequired: number;
  approvalsDone: number;
  createdBy: PersonLabel;
  createdAt: Date;
  updatedAt: Date;
  /** A send-back reason or a failure reason. */
  statusReason: string | null;
}

export interface TransferDetail extends TransferSummary {
  transfer: Transfer;
  approvals: { step: number; by: PersonLabel; at: Date }[];
  sentBy: PersonLabel | null;
  sentAt: Date | null;
  completedAt: Date | null;
  /** What this actor may do with it now (R8.5), so a page shows only the buttons that will work. */
  mayApprove: boolean;
  /** This person's approval would be the final one and send the transfer (they hold the send step). */
  approvalSends: boolean;
  maySend: boolean;
  mayWithdraw: boolean;
  maySendBack: boolean;
  /** R8.5: the step the transfer waits for and the people who may take it, by name. */
  awaited: { step: 'approve' | 'send'; people: PersonLabel[] } | undefined;
}
