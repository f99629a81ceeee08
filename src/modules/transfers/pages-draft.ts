import { createHash } from 'node:crypto';
import type { Deps } from '../../deps.ts';
import { AppError } from '../../errors.ts';
import { isAccountType } from '../../domain/account-designation.ts';
import { field, type DestinationInput, type TransferFormInput } from './form-input.ts';
import { openDraftBody, sealDraftBody, type DraftKind } from '../../web/sealed-draft.ts';

/**
 * The inputs of the transfer form on their way to the confirmation page. They travel sealed with
 * the keyring (AES-256-GCM) in the page's address and its form: the address of a page is logged and
 * kept in the browser's history, where an account number and an amount do not belong, and a sealed
 * draft cannot be altered between what the person saw on the confirmation page and what is sent.
 * It is bound to the session that made it and expires; the service checks everything again anyway.
 */
export const draftValidSeconds = 30 * 60;
/** Far longer than any sealed draft; a longer value is refused unread. */
export const draftLengthMax = 2000;

interface DraftBody {
  from: number;
  to: { payeeId: number } | { bank: string; branch: string; type: string; number: string; name: string };
  yen: string;
  date: string;
}

const transferDraft: DraftKind = {
  name: 'transfer-draft',
  validSeconds: draftValidSeconds,
  lengthMax: draftLengthMax,
  refused: () => new AppError('TRANSFER_PAGES_DRAFT_INVALID', { field: field.draft }),
};

export function sealDraft(deps: Deps, sessionId: string, input: TransferFormInput): string {
  const { destination } = input;
  const body: DraftBody = {
    from: input.fromAccountId,
    to:
      'payeeId' in destination
        ? { payeeId: destination.payeeId }
        : {
            bank: destination.adHoc.bankCode,
            branch: destination.adHoc.branchCode,
            type: destination.adHoc.accountType,
            number: destination.adHoc.accountNumber,
            name: destination.adHoc.nameInput,
          },
    yen: input.amountYen.toString(),
    date: input.executionDate,
  };
  return sealDraftBody(deps, transferDraft, sessionId, body);
}

/** The inputs of a draft this session sealed and that has not expired; anything else is refused. */
export function openDraft(deps: Deps, sessionId: string, sealed: unknown): TransferFormInput {
  const body = openDraftBody<DraftBody>(deps, transferDraft, sessionId, sealed);
  const to = body.to;
  let destination: DestinationInput;
  if ('payeeId' in to) destination = { payeeId: to.payeeId };
  else {
    if (!isAccountType(to.type)) throw transferDraft.refused();
    destination = { adHoc: { bankCode: to.bank, branchCode: to.branch, accountType: to.type, accountNumber: to.number, nameInput: to.name } };
  }
  return { fromAccountId: body.from, destination, amountYen: BigInt(body.yen), executionDate: body.date };
}

/** The form's fields as the draft holds them, to fill the transfer form again for a correction. */
export function draftFormValues(input: TransferFormInput): Record<string, string> {
  const { destination } = input;
  const common = { [field.fromAccount]: String(input.fromAccountId), [field.amount]: input.amountYen.toString(), [field.executionDate]: input.executionDate };
  if ('payeeId' in destination) return { ...common, [field.destination]: 'payee', [field.payee]: String(destination.payeeId) };
  const { adHoc } = destination;
  return {
    ...common,
    [field.destination]: 'adHoc',
    [field.bankCode]: adHoc.bankCode,
    [field.branchCode]: adHoc.branchCode,
    [field.accountType]: adHoc.accountType,
    [field.accountNumber]: adHoc.accountNumber,
    [field.nameInput]: adHoc.nameInput,
  };
}

/**
 * R8.6: a confirmation page belongs to one draft, and its idempotency key is the draft's own (each
 * sealing is unique: the keyring seals with a fresh nonce). The browser's Back button reloads the
 * page with the same key, so confirming it again finds the transfer already made instead of making
 * a second one; "change the details" makes a new draft, and so a new key.
 */
export function draftKey(sealed: string): string {
  return createHash('sha256').update(`transfer-draft-key:${sealed}`).digest('base64url').slice(0, 32);
}
