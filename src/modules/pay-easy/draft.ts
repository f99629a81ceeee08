import type { Deps } from '../../deps.ts';
import { AppError } from '../../errors.ts';
import type { Bill, BillerKind, BillQuery } from './collector/collector.ts';
import { openDraftBody, sealDraftBody, type DraftKind } from '../../web/sealed-draft.ts';

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
  from: number;
  query: BillQuery;
  bill: Omit<Bill, 'amountYen'> & { amountYen: string };
}

const paymentDraft: DraftKind = {
  name: 'pay-easy-draft',
  validSeconds: draftValidSeconds,
  lengthMax: draftLengthMax,
  refused: () => new AppError('PAY_EASY_DRAFT_INVALID', { field: 'draft' }),
};

export function sealDraft(deps: Deps, sessionId: string, draft: PaymentDraft): string {
  const body: DraftBody = { from: draft.fromAccountId, query: draft.query, bill: { ...draft.bill, amountYen: draft.bill.amountYen.toString() } };
  return sealDraftBody(deps, paymentDraft, sessionId, body);
}

const billerKinds: readonly BillerKind[] = ['private', 'national', 'local'];

/** The draft this session sealed, not expired; anything else is refused. */
export function openDraft(deps: Deps, sessionId: string, sealed: unknown): PaymentDraft {
  const body = openDraftBody<DraftBody>(deps, paymentDraft, sessionId, sealed);
  if (!billerKinds.includes(body.bill.billerKind) || !/^[1-9][0-9]*$/.test(body.bill.amountYen)) throw paymentDraft.refused();
  return { fromAccountId: body.from, query: body.query, bill: { ...body.bill, amountYen: BigInt(body.bill.amountYen) } };
}
