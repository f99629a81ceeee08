import { html, type Html } from '../../web/html.ts';
import type { Translate } from '../../web/i18n/index.ts';
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
}


function pick(params: Record<string, string>): string {
  return `/transfers/new?${new URLSearchParams({ destination: 'adHoc', ...params }).toString()}#code-lookup`;
}

export function codeLookup(t: Translate, lookup: CodeLookup): Html {
  const { bank } = lookup;
  return html`<section class="card code-lookup" id="code-lookup" aria-labelledby="code-lookup-title">
<h2 id="code-lookup-title">${t('transferPages.lookup')}</h2>
<form method="get" action="/transfers/new#code-lookup" class="search-form">
  <input type="hidden" name="destination" value="adHoc">
  <label for="f-bankQuery">${t('transferPages.lookup.bank')}</label>
  <input id="f-bankQuery" name="bankQuery" type="search" value="${lookup.bankQuery}" maxlength="${lookupQueryLengthMax}" autocomplete="off">
  <button type="submit">${t('transferPages.lookup.submit')}</button>
</form>
${lookup.banks === undefined
  ? ''
  : lookup.banks.length === 0
    ? html`<p class="hint" role="status">${t('transferPages.lookup.noBanks')}</p>`
    : html`<ul class="search-results banks">${lookup.banks.map(
        (found) => html`<li><a href="${pick({ bankCode: found.code })}">${found.code} ${found.name} <span class="kana">${found.kana}</span></a></li>`,
      )}</ul>`}
${bank
  ? html`<p class="chosen">${t('transferPages.lookup.bankChosen', { code: bank.code, name: bank.name })}</p>
<form method="get" action="/transfers/new#code-lookup" class="search-form">
  <input type="hidden" name="destination" value="adHoc">
  <input type="hidden" name="bankCode" value="${bank.code}">
  <label for="f-branchQuery">${t('transferPages.lookup.branch')}</label>
  <input id="f-branchQuery" name="branchQuery" type="search" value="${lookup.branchQuery}" maxlength="${lookupQueryLengthMax}" autocomplete="off">
  <button type="submit">${t('transferPages.lookup.submit')}</button>
</form>
${lookup.branches === undefined
  ? ''
  : lookup.branches.length === 0
    ? html`<p class="hint" role="status">${t('transferPages.lookup.noBranches')}</p>`
    : html`<ul class="search-results branches">${lookup.branches.map(
        (branch) => html`<li><a href="${pick({ bankCode: bank.code, branchCode: branch.code })}">${branch.code} ${branch.name} <span class="kana">${branch.kana}</span></a></li>`,
      )}</ul>`}`
  : ''}
<p class="hint">${t('transferPages.lookup.hint')}</p>
</section>`;
}
