/**
 * The postings of the double-entry ledger (R8.6, house rule 2), as pure values: what a transfer
 * moves, how an entry is undone, and the check that an entry balances. Amounts are yen as bigint:
 * positive credits the ledger account, negative debits it.
 */
export interface PostingLine {
  ledgerAccountId: number;
  amountYen: bigint;
  /** The 摘要 this account's statement shows when it differs from the entry's (half-width kana). */
  description?: string;
}

/** An entry that does not balance, or has a posting of zero yen, is a programming error, never a customer's. */
export class UnbalancedEntryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnbalancedEntryError';
  }
}

/** House rule 2: asserted before any write; the database's constraint trigger checks again at commit. */
export function assertBalanced(postings: readonly Pick<PostingLine, 'amountYen'>[]): void {
  if (postings.length < 2) throw new UnbalancedEntryError(`an entry needs at least two postings, got ${postings.length}`);
  let total = 0n;
  for (const posting of postings) {
    if (typeof posting.amountYen !== 'bigint') throw new UnbalancedEntryError('a posting amount must be a bigint');
    if (posting.amountYen === 0n) throw new UnbalancedEntryError('a posting of zero yen');
    total += posting.amountYen;
  }
  if (total !== 0n) throw new UnbalancedEntryError(`postings sum to ${total} yen, not zero`);
}

export interface TransferPostingsInput {
  /** The customer's account the money leaves. */
  sourceLedgerAccountId: number;
  /** The payee's account at this bank, or the clearing account for another bank. */
  destinationLedgerAccountId: number;
  feeIncomeLedgerAccountId: number;
  amountYen: bigint;
  feeYen: bigint;
  /** What the payee's statement shows ('ﾌﾘｺﾐ <sender>'); none for the clearing account. */
  destinationDescription?: string;
  /** What the paying account's statement shows for the amount ('振込 <payee>', '振替 <payee>'). */
  sourceDescription?: string;
  /** What the paying account's statement shows for the fee ('振込手数料'). */
  feeDescription?: string;
}

/**
 * A transfer with its fee: the source gives the amount and, in a posting of its own, the fee; the
 * destination (or clearing) receives the amount, fee income receives the fee. The paying account's
 * statement so shows the transfer and its fee as two lines that reconcile with the payee's credit
 * and the fee invoice. A zero fee has no posting (a posting is never zero).
 */
export function transferPostings(input: TransferPostingsInput): PostingLine[] {
  if (input.amountYen <= 0n) throw new UnbalancedEntryError('a transfer amount must be positive');
  if (input.feeYen < 0n) throw new UnbalancedEntryError('a fee cannot be negative');
  const postings: PostingLine[] = [
    {
      ledgerAccountId: input.sourceLedgerAccountId,
      amountYen: -input.amountYen,
      ...(input.sourceDescription === undefined ? {} : { description: input.sourceDescription }),
    },
    {
      ledgerAccountId: input.destinationLedgerAccountId,
      amountYen: input.amountYen,
      ...(input.destinationDescription === undefined ? {} : { description: input.destinationDescription }),
    },
  ];
  if (input.feeYen > 0n) {
    postings.push(
      {
        ledgerAccountId: input.sourceLedgerAccountId,
        amountYen: -input.feeYen,
        ...(input.feeDescription === undefined ? {} : { description: input.feeDescription }),
      },
      { ledgerAccountId: input.feeIncomeLedgerAccountId, amountYen: input.feeYen },
    );
  }
  assertBalanced(postings);
  return postings;
}

/** Money coming into a customer's account from outside the ledger (a cash deposit, the demo's history). */
export function depositPostings(input: { cashLedgerAccountId: number; customerLedgerAccountId: number; amountYen: bigint }): PostingLine[] {
  if (input.amountYen <= 0n) throw new UnbalancedEntryError('a deposit amount must be positive');
  return [
    { ledgerAccountId: input.cashLedgerAccountId, amountYen: -input.amountYen },
    { ledgerAccountId: input.customerLedgerAccountId, amountYen: input.amountYen },
  ];
}

/** Undoes an entry: every posting with its sign turned; the entry's own description applies to all. */
export function reversalPostings(original: readonly Pick<PostingLine, 'ledgerAccountId' | 'amountYen'>[]): PostingLine[] {
  const postings = original.map((posting) => ({ ledgerAccountId: posting.ledgerAccountId, amountYen: -posting.amountYen }));
  assertBalanced(postings);
  return postings;
}

/**
 * What each ledger account's balance moves by: the sum of its postings, in the order the accounts
 * first appear. The balance just after each posting, and whether a customer's account would go
 * below zero, are computed in the posting's statement from the balances it locks
 * (src/modules/ledger/post.ts, decision 0031).
 */
export function netMoves(postings: readonly Pick<PostingLine, 'ledgerAccountId' | 'amountYen'>[]): Map<number, bigint> {
  const netYen = new Map<number, bigint>();
  for (const posting of postings) netYen.set(posting.ledgerAccountId, (netYen.get(posting.ledgerAccountId) ?? 0n) + posting.amountYen);
  return netYen;
}
