import { html, type Html } from '../../web/html.ts';
import { csrfField } from '../../web/layout.ts';
import { field, submitButton, type FormState } from '../../web/form.ts';
import type { Translate } from '../../web/i18n/index.ts';
import type { BankInfo, BranchInfo } from '../../domain/bank-directory.ts';
import { accountNumberDigits, accountTypes } from '../../domain/account-designation.ts';
import { nicknameLengthMax, typedNameLengthMax } from './form-input.ts';
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

interface DirectoryEntry {
  code: string;
  name: string;
  kana: string;
}

/** One look-up of the bank directory (banks, or a bank's branches): its form, what it found, what is chosen. */
interface DirectorySection {
  id: 'bank-search' | 'branch-search';
  title: string;
  label: string;
  submit: string;
  field: 'bankQuery' | 'branchQuery';
  query: string;
  /** Fields the look-up keeps (the chosen bank, for its branches), before the label. */
  kept: Html | '';
  found: readonly DirectoryEntry[] | undefined;
  linkTo(entry: DirectoryEntry): string;
  none: string;
  listClass: 'banks' | 'branches';
  chosen: { label: string; entry: DirectoryEntry } | undefined;
}

function directorySearch(search: Search, section: DirectorySection): Html {
  const { chosen } = section;
  return html`<section class="payee-search" aria-labelledby="${section.id}">
<h2 id="${section.id}">${section.title}</h2>
<form method="get" action="${search.path}" class="search-form">
  ${hiddenDraft(search)}
  ${section.kept}<label for="f-${section.field}">${section.label}</label>
  <input id="f-${section.field}" name="${section.field}" type="search" value="${section.query}" maxlength="40" autocomplete="off">
  <button type="submit">${section.submit}</button>
</form>
${section.found === undefined
  ? ''
  : section.found.length === 0
    ? html`<p class="hint" role="status">${section.none}</p>`
    : html`<ul class="search-results ${section.listClass}">${section.found.map(
        (entry) => html`<li><a href="${section.linkTo(entry)}">${entry.code} ${entry.name} <span class="kana">${entry.kana}</span></a></li>`,
      )}</ul>`}
${chosen ? html`<p class="chosen">${chosen.label}: ${chosen.entry.code} ${chosen.entry.name} <span class="kana">${chosen.entry.kana}</span></p>` : ''}
</section>`;
}

function bankSearch(t: Translate, search: Search): Html {
  return directorySearch(search, {
    id: 'bank-search',
    title: t('payees.search.bankTitle'),
    label: t('payees.search.bankLabel'),
    submit: t('payees.search.submit'),
    field: 'bankQuery',
    query: search.bankQuery,
    kept: '',
    found: search.banks,
    linkTo: (bank) => link(search, { bankCode: bank.code }),
    none: t('payees.search.noBanks'),
    listClass: 'banks',
    chosen: search.bank ? { label: t('payees.search.bankChosen'), entry: search.bank } : undefined,
  });
}

function branchSearch(t: Translate, search: Search): Html | '' {
  if (!search.bank) return '';
  const bankCode = search.bank.code;
  return directorySearch(search, {
    id: 'branch-search',
    title: t('payees.search.branchTitle'),
    label: t('payees.search.branchLabel'),
    submit: t('payees.search.submit'),
    field: 'branchQuery',
    query: search.branchQuery,
    kept: html`<input type="hidden" name="bankCode" value="${bankCode}">
  `,
    found: search.branches,
    linkTo: (branch) => link(search, { bankCode, branchCode: branch.code }),
    none: t('payees.search.noBranches'),
    listClass: 'branches',
    chosen: search.branch ? { label: t('payees.search.branchChosen'), entry: search.branch } : undefined,
  });
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
  ${field(shown, { name: 'accountNumber', label: t('payees.field.accountNumberInput'), inputMode: 'numeric', maxLength: accountNumberDigits, pattern: `[0-9]{1,${accountNumberDigits}}` })}
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
