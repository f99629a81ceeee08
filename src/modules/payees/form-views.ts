import { html, type Html } from '../../web/html.ts';
import { csrfField } from '../../web/layout.ts';
import { field, submitButton, type FormState } from '../../web/form.ts';
import type { Translate } from '../../web/i18n/index.ts';
import type { BankInfo, BranchInfo } from '../../domain/bank-directory.ts';
import { accountTypes, nicknameLengthMax, typedNameLengthMax } from './form-input.ts';
import { accountTypeLabel, destinationFacts, errorBox, type Destination } from './views.ts';

/**
 * The payee form (R8.2) without JavaScript: the bank and the branch are found by code or name with
 * small search forms (GET) whose results are links that fill the code in; then the form proper,
 * checked and shown again converted on a review page, where the confirmation password is asked.
 */

/** What the form shows in its fields (as typed, or as stored). */
export interface EntryValues {
  bankCode: string;
  branchCode: string;
  accountType: string;
  accountNumber: string;
  name: string;
  nickname: string;
}

export interface Search {
  /** The page's own path: searches and picks come back to it. */
  path: string;
  bankQuery: string;
  branchQuery: string;
  banks: BankInfo[] | undefined;
  branches: BranchInfo[] | undefined;
  /** The bank and branch the codes name, when they exist. */
  bank: BankInfo | undefined;
  branch: BranchInfo | undefined;
  /** A draft carried through searches, so going back from the review keeps what was typed. */
  draft: string | undefined;
}

function link(search: Search, params: Record<string, string>): string {
  const query = new URLSearchParams(params);
  if (search.draft) query.set('draft', search.draft);
  return `${search.path}?${query.toString()}`;
}

function hiddenDraft(search: Search): Html | '' {
  return search.draft ? html`<input type="hidden" name="draft" value="${search.draft}">` : '';
}

function bankSearch(t: Translate, search: Search): Html {
  return html`<section class="payee-search" aria-labelledby="bank-search">
<h2 id="bank-search">${t('payees.search.bankTitle')}</h2>
<form method="get" action="${search.path}" class="search-form">
  ${hiddenDraft(search)}
  <label for="f-bankQuery">${t('payees.search.bankLabel')}</label>
  <input id="f-bankQuery" name="bankQuery" type="search" value="${search.bankQuery}" maxlength="40" autocomplete="off">
  <button type="submit">${t('payees.search.submit')}</button>
</form>
${search.banks === undefined
  ? ''
  : search.banks.length === 0
    ? html`<p class="hint" role="status">${t('payees.search.noBanks')}</p>`
    : html`<ul class="search-results banks">${search.banks.map(
        (bank) => html`<li><a href="${link(search, { bankCode: bank.code })}">${bank.code} ${bank.name} <span class="kana">${bank.kana}</span></a></li>`,
      )}</ul>`}
${search.bank ? html`<p class="chosen">${t('payees.search.bankChosen')}: ${search.bank.code} ${search.bank.name} <span class="kana">${search.bank.kana}</span></p>` : ''}
</section>`;
}

function branchSearch(t: Translate, search: Search): Html | '' {
  if (!search.bank) return '';
  const bankCode = search.bank.code;
  return html`<section class="payee-search" aria-labelledby="branch-search">
<h2 id="branch-search">${t('payees.search.branchTitle')}</h2>
<form method="get" action="${search.path}" class="search-form">
  ${hiddenDraft(search)}
  <input type="hidden" name="bankCode" value="${bankCode}">
  <label for="f-branchQuery">${t('payees.search.branchLabel')}</label>
  <input id="f-branchQuery" name="branchQuery" type="search" value="${search.branchQuery}" maxlength="40" autocomplete="off">
  <button type="submit">${t('payees.search.submit')}</button>
</form>
${search.branches === undefined
  ? ''
  : search.branches.length === 0
    ? html`<p class="hint" role="status">${t('payees.search.noBranches')}</p>`
    : html`<ul class="search-results branches">${search.branches.map(
        (branch) => html`<li><a href="${link(search, { bankCode, branchCode: branch.code })}">${branch.code} ${branch.name} <span class="kana">${branch.kana}</span></a></li>`,
      )}</ul>`}
${search.branch ? html`<p class="chosen">${t('payees.search.branchChosen')}: ${search.branch.code} ${search.branch.name} <span class="kana">${search.branch.kana}</span></p>` : ''}
</section>`;
}

function accountTypeField(t: Translate, state: FormState, chosen: string): Html {
  const invalid = state.error?.field === 'accountType';
  return html`<fieldset class="field${invalid ? ' invalid' : ''}" id="f-accountType">
  <legend>${t('payees.field.accountType')}</legend>
  ${accountTypes.map(
    (type) => html`<label><input type="radio" name="accountType" value="${type}"${chosen === type ? html` checked` : ''}${invalid ? html` aria-invalid="true" aria-describedby="form-error"` : ''}> ${accountTypeLabel(t, type)}</label>`,
  )}
</fieldset>`;
}

export interface EntryFormOptions {
  /** Where the form posts (the page itself). */
  action: string;
  csrfToken: string;
  values: EntryValues;
  search: Search;
  submitLabel: string;
  /** The payee the page is about to change, shown above the form. */
  current: Destination | undefined;
  /** Where the way back leads: the list, or the payee being changed. */
  backHref: string;
}

export function entryPage(t: Translate, state: FormState, options: EntryFormOptions): Html {
  const shown: FormState = { error: state.error, values: { ...options.values } };
  const current = options.current ? html`<h2>${t('payees.change.current')}</h2>${destinationFacts(t, options.current)}` : undefined;
  return html`${current ?? ''}
<p>${t('payees.form.intro')}</p>
${bankSearch(t, options.search)}
${branchSearch(t, options.search)}
<h2>${t('payees.form.detailsTitle')}</h2>
${errorBox(t, state)}
<form method="post" action="${options.action}" class="card payee-form" novalidate>
  ${csrfField(options.csrfToken)}
  ${field(shown, { name: 'bankCode', label: t('payees.field.bankCode'), inputMode: 'numeric', maxLength: 4, pattern: '[0-9]{4}' })}
  ${field(shown, { name: 'branchCode', label: t('payees.field.branchCode'), inputMode: 'numeric', maxLength: 3, pattern: '[0-9]{3}' })}
  ${accountTypeField(t, state, options.values.accountType)}
  ${field(shown, { name: 'accountNumber', label: t('payees.field.accountNumberInput'), inputMode: 'numeric', maxLength: 7, pattern: '[0-9]{1,7}' })}
  ${field(shown, { name: 'name', label: t('payees.field.name'), maxLength: typedNameLengthMax })}
  <p class="hint">${t('payees.hint.name')}</p>
  ${field(shown, { name: 'nickname', label: t('payees.field.nicknameInput'), maxLength: nicknameLengthMax })}
  ${submitButton(options.submitLabel)}
</form><p><a href="${options.backHref}">${t('payees.back')}</a></p>`;
}

export interface ReviewOptions {
  action: string;
  csrfToken: string;
  draft: string;
  destination: Destination;
  nameTyped: string;
  /** R8.5: whether the registration waits for approval under the contract's setting. */
  needsApproval: boolean;
  backHref: string;
  submitLabel: string;
}

/** The review: the entry as it will be registered, the name typed next to its Zengin form. */
export function reviewPage(t: Translate, state: FormState, options: ReviewOptions): Html {
  return html`<p>${t('payees.review.intro')}</p>
${destinationFacts(t, options.destination, html`<dt>${t('payees.field.nameTyped')}</dt><dd>${options.nameTyped}</dd>`)}
${options.nameTyped !== options.destination.details.nameKana ? html`<p class="notice">${t('payees.review.converted')}</p>` : ''}
<p class="${options.needsApproval ? 'notice' : 'hint'}">${t(options.needsApproval ? 'payees.review.needsApproval' : 'payees.review.immediate')}</p>
${errorBox(t, state)}
<form method="post" action="${options.action}" class="card" novalidate>
  ${csrfField(options.csrfToken)}
  <input type="hidden" name="draft" value="${options.draft}">
  ${field(state, { name: 'confirmationPassword', label: t('payees.field.confirmationPassword'), type: 'password', autocomplete: 'current-password' })}
  <p class="hint">${t('payees.hint.confirm')}</p>
  ${submitButton(options.submitLabel)}
</form>
<p><a href="${options.backHref}">${t('payees.review.back')}</a></p>`;
}

/** A review whose draft does not open: why, with the way back to the form. */
export function reviewRestart(t: Translate, state: FormState, formPath: string): Html {
  return html`${errorBox(t, state)}<p><a href="${formPath}">${t('payees.review.restart')}</a></p>`;
}
