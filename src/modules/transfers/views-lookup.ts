import { html, type Html } from '../../web/html.ts';
import type { MessageKey, Translate } from '../../web/i18n/index.ts';
import type { BankInfo, BranchInfo } from '../../domain/bank-directory.ts';
import { lookupQueryLengthMax } from './pages-query.ts';

/**
 * R8.2: finding a bank's and a branch's codes by name for an ad hoc transfer, without JavaScript:
 * small GET searches under the form whose results are links that fill the codes into the form.
 */
export interface CodeLookup {
  bankQuery: string;
  branchQuery: string;
  banks: BankInfo[] | undefined;
  branches: BranchInfo[] | undefined;
  /** The bank the branch search is about (chosen from the results, or typed into the form). */
  bank: BankInfo | undefined;
  /** What was typed on the transfer form, sealed (pages-typed.ts): carried through the look-up and back. */
  typed?: string | undefined;
}

function pick(params: Record<string, string>, typed: string | undefined): string {
  return `/transfers/new?${new URLSearchParams({ destination: 'adHoc', ...params, ...(typed === undefined ? {} : { typed }) }).toString()}#code-lookup`;
}

/** One small GET search: its box (keeping the bank already chosen), under it the results found. */
function search<T extends BankInfo | BranchInfo>(
  t: Translate,
  options: {
    chosenBankCode: string | undefined;
    typed: string | undefined;
    name: 'bankQuery' | 'branchQuery';
    label: MessageKey;
    query: string;
    found: T[] | undefined;
    none: MessageKey;
    className: 'banks' | 'branches';
    href: (found: T) => string;
  },
): Html {
  const { found } = options;
  return html`<form method="get" action="/transfers/new#code-lookup" class="search-form">
  <input type="hidden" name="destination" value="adHoc">
${options.typed === undefined ? '' : html`  <input type="hidden" name="typed" value="${options.typed}">
`}${options.chosenBankCode === undefined ? '' : html`  <input type="hidden" name="bankCode" value="${options.chosenBankCode}">
`}  <label for="f-${options.name}">${t(options.label)}</label>
  <input id="f-${options.name}" name="${options.name}" type="search" value="${options.query}" maxlength="${lookupQueryLengthMax}" autocomplete="off">
  <button type="submit">${t('transferPages.lookup.submit')}</button>
</form>
${found === undefined
  ? ''
  : found.length === 0
    ? html`<p class="hint" role="status">${t(options.none)}</p>`
    : html`<ul class="search-results ${options.className}">${found.map(
        (one) => html`<li><a href="${options.href(one)}">${one.code} ${one.name} <span class="kana">${one.kana}</span></a></li>`,
      )}</ul>`}`;
}

export function codeLookup(t: Translate, lookup: CodeLookup): Html {
  const { bank } = lookup;
  return html`<section class="card code-lookup" id="code-lookup" aria-labelledby="code-lookup-title">
<h2 id="code-lookup-title">${t('transferPages.lookup')}</h2>
${lookup.typed === undefined
  ? html`<p class="hint"><button type="submit" form="transfer-form" name="do" value="lookup" formnovalidate>${t('transferPages.lookup.keepTyped')}</button></p>
`
  : ''}${search(t, {
  chosenBankCode: undefined,
  typed: lookup.typed,
  name: 'bankQuery',
  label: 'transferPages.lookup.bank',
  query: lookup.bankQuery,
  found: lookup.banks,
  none: 'transferPages.lookup.noBanks',
  className: 'banks',
  href: (found) => pick({ bankCode: found.code }, lookup.typed),
})}
${bank
  ? html`<p class="chosen">${t('transferPages.lookup.bankChosen', { code: bank.code, name: bank.name })}</p>
${search(t, {
  chosenBankCode: bank.code,
  typed: lookup.typed,
  name: 'branchQuery',
  label: 'transferPages.lookup.branch',
  query: lookup.branchQuery,
  found: lookup.branches,
  none: 'transferPages.lookup.noBranches',
  className: 'branches',
  href: (branch) => pick({ bankCode: bank.code, branchCode: branch.code }, lookup.typed),
})}`
  : ''}
<p class="hint">${t('transferPages.lookup.hint')}</p>
</section>`;
}
