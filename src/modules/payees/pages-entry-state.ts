import type { Deps } from '../../deps.ts';
import type { LiveSession } from '../../access/sessions.ts';
import type { FormState } from '../../web/form.ts';
import { findBank, findBranch, searchBanks, searchBranches } from '../../domain/bank-directory.ts';
import { draftLengthMax, openDraft } from './draft.ts';
import type { PayeeDetails, PayeeEntry } from './form-input.ts';
import type { EntryValues, Search } from './form-views.ts';
import { ownBank } from './own-bank.ts';
import { sentTextUpTo } from './pages-request.ts';

/** A search typed into the bank or branch search is cut at this length. */
const searchQueryLengthMax = 40;

const emptyEntry: EntryValues = { bankCode: '', branchCode: '', accountType: 'ordinary', accountNumber: '', name: '', nickname: '' };

function valuesOfDraft(draft: PayeeEntry): EntryValues {
  return { bankCode: draft.bankCode, branchCode: draft.branchCode, accountType: draft.accountType, accountNumber: draft.accountNumber, name: draft.nameTyped, nickname: draft.nickname ?? '' };
}

function valuesOfPayee(stored: PayeeDetails): EntryValues {
  return { bankCode: stored.bankCode, branchCode: stored.branchCode, accountType: stored.accountType, accountNumber: stored.accountNumber, name: stored.nameKana, nickname: stored.nickname ?? '' };
}

function valuesSent(state: FormState): EntryValues {
  const sent = state.values ?? {};
  return {
    bankCode: sent.bankCode ?? '',
    branchCode: sent.branchCode ?? '',
    accountType: sent.accountType ?? '',
    accountNumber: sent.accountNumber ?? '',
    name: sent.name ?? '',
    nickname: sent.nickname ?? '',
  };
}

/**
 * What the payee form shows: the values sent (after an error), else a draft brought back from the
 * review, else the payee being changed, with the bank and branch picked and the searches asked for
 * in the address.
 */
export async function entryFormState(
  deps: Deps,
  live: LiveSession,
  query: unknown,
  state: FormState,
  form: { path: string; payeeId: number | undefined; stored: PayeeDetails | undefined },
): Promise<{ values: EntryValues; search: Search }> {
  let draft: PayeeEntry | undefined;
  let sealed = sentTextUpTo(query, 'draft', draftLengthMax);
  if (sealed) {
    try {
      draft = openDraft(deps, live, form.payeeId, sealed);
    } catch {
      sealed = undefined;
    }
  }
  let values = draft ? valuesOfDraft(draft) : form.stored ? valuesOfPayee(form.stored) : emptyEntry;
  if (state.error) {
    values = valuesSent(state);
  } else {
    const pickedBank = sentTextUpTo(query, 'bankCode', 4);
    const pickedBranch = sentTextUpTo(query, 'branchCode', 3);
    // A bank picked from the search replaces the branch too, unless the branch was picked with it.
    if (pickedBank !== undefined && pickedBank !== values.bankCode) values = { ...values, bankCode: pickedBank, branchCode: '' };
    if (pickedBranch !== undefined) values = { ...values, branchCode: pickedBranch };
  }
  const own = ownBank(deps);
  // The directory answers only codes of the right form (src/domain/account-designation.ts).
  const bank = findBank(own, values.bankCode);
  const branch = bank && (await findBranch(own, bank.code, values.branchCode));
  const bankQuery = (sentTextUpTo(query, 'bankQuery') ?? '').slice(0, searchQueryLengthMax);
  const branchQuery = (sentTextUpTo(query, 'branchQuery') ?? '').slice(0, searchQueryLengthMax);
  return {
    values,
    search: {
      path: form.path,
      bankQuery,
      branchQuery,
      banks: bankQuery.trim() ? searchBanks(own, bankQuery) : undefined,
      branches: bank && branchQuery.trim() ? await searchBranches(own, bank.code, branchQuery) : undefined,
      bank,
      branch,
      draft: sealed,
    },
  };
}
