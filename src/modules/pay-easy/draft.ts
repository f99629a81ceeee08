import type { Deps } from '../../deps.ts';
import { AppError } from '../../errors.ts';
import type { Bill, BillerKind, BillQuery } from './collector/collector.ts';

/**
 * R8.3: a payment on its way to its confirmation: the account chosen, what the person typed from the
 * bill, and the bill exactly as the biller answered it. It travels sealed with the keyring
 * (AES-256-GCM), bound to the session that made it, and expires: the amount shown on the
 * confirmation page is the biller's, no field of the page can change it, and a draft altered in the
 * browser does not open. At payment the biller is asked again and must still answer this very bill.
 */
export const draftValidSeconds = 30 * 60;
/** Far longer than any sealed draft; a longer value is refused unread. */
export const draftLengthMax = 3000;

export interface PaymentDraft {
  fromAccountId: number;
  query: BillQuery;
  bill: Bill;
}

interface DraftBody {
  exp: number;
  from: number;
  query: BillQuery;
  bill: Omit<Bill, 'amountYen'> & { amountYen: string };
}

function purpose(sessionId: string): string {
  return `pay-easy-draft:${sessionId}`;
}

export function sealDraft(deps: Deps, sessionId: string, draft: PaymentDraft): string {
  const body: DraftBody = {
    exp: deps.clock.now().getTime() + draftValidSeconds * 1000,
    from: draft.fromAccountId,
    query: draft.query,
    bill: { ...draft.bill, amountYen: draft.bill.amountYen.toString() },
  };
  return deps.keyring.seal(JSON.stringify(body), purpose(sessionId));
}

function refused(): AppError {
  return new AppError('PAY_EASY_DRAFT_INVALID', { field: 'draft' });
}

const billerKinds: readonly BillerKind[] = ['private', 'national', 'local'];

/** The draft this session sealed, not expired; anything else is refused. */
export function openDraft(deps: Deps, sessionId: string, sealed: unknown): PaymentDraft {
  if (typeof sealed !== 'string' || sealed.length > draftLengthMax || !/^[A-Za-z0-9._-]+$/.test(sealed)) throw refused();
  let body: DraftBody;
  try {
    body = JSON.parse(deps.keyring.open(sealed, purpose(sessionId))) as DraftBody;
  } catch {
    throw refused();
  }
  if (typeof body.exp !== 'number' || body.exp < deps.clock.now().getTime()) throw refused();
  if (!billerKinds.includes(body.bill.billerKind) || !/^[1-9][0-9]*$/.test(body.bill.amountYen)) throw refused();
  return { fromAccountId: body.from, query: body.query, bill: { ...body.bill, amountYen: BigInt(body.bill.amountYen) } };
}
