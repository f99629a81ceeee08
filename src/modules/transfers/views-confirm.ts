import { dayText, momentText } from '../../web/day.ts';
import { html, type Html } from '../../web/html.ts';
import { tokenCodeInput } from '../../web/token-field.ts';
import type { TokenAsk } from '../../access/hardware-token/requirement.ts';
import { csrfField } from '../../web/layout.ts';
import { submitButton, type FormState } from '../../web/form.ts';
import type { Translate } from '../../web/i18n/index.ts';
import { field } from './form-input.ts';
import type { TransferDestination, TransferQuote } from './service.ts';
import { accountTypeLabel, facts, fieldMessage, formError, textInput, yen } from './views-controls.ts';
import { otpField, otpInput } from './views-otp.ts';

/** The confirmation page (R8.2): the quote, then the confirmation password. */

export function bankLabel(t: Translate, to: Pick<TransferDestination, 'bankCode' | 'bankName' | 'bankKana'>): Html {
  return html`${t('transferPages.codeName', { name: to.bankName, code: to.bankCode })} <span class="kana">${to.bankKana}</span>`;
}

export function branchLabel(t: Translate, to: Pick<TransferDestination, 'branchCode' | 'branchName' | 'branchKana'>): Html {
  return html`${t('transferPages.codeName', { name: to.branchName, code: to.branchCode })} <span class="kana">${to.branchKana}</span>`;
}

function approvalsNote(t: Translate, quote: TransferQuote): string {
  if (quote.approvalsRequired > 0) return t('transferPages.approvals.count', { count: quote.approvalsRequired });
  return t(quote.sendsNow ? 'transferPages.approvals.none.now' : 'transferPages.approvals.none.send');
}

export function quoteFacts(t: Translate, quote: TransferQuote): Html {
  const from = quote.fromAccount;
  return facts([
    [t('transferPages.col.from'), t('transferPages.account.label', { branch: from.branch_code, type: accountTypeLabel(t, from.account_type), number: from.account_number })],
    [t('transferPages.col.payeeKind'), t(quote.to.payeeId === null ? 'transferPages.payeeKind.adHoc' : 'transferPages.payeeKind.registered')],
    [t('transferPages.col.bank'), bankLabel(t, quote.to)],
    [t('transferPages.col.branch'), branchLabel(t, quote.to)],
    [t('transferPages.col.account'), t('transferPages.accountText', { type: accountTypeLabel(t, quote.to.accountType), number: quote.to.accountNumber })],
    [t('transferPages.col.name'), html`<span class="kana" id="payee-kana">${quote.to.nameKana}</span>${quote.holderNameDiffers ? html`<p class="notice" id="holder-name-differs" role="alert">${t('transferPages.holderNameDiffers')}</p>` : ''}`],
    [t('transferPages.col.amount'), html`<span id="quote-amount">${yen(t, quote.amountYen)}</span>`],
    [t('transferPages.col.fee'), html`<span id="quote-fee">${yen(t, quote.feeYen)}</span>`],
    [t('transferPages.col.total'), html`<strong id="quote-total">${yen(t, quote.totalYen)}</strong>`],
    [t('transferPages.col.executionDate'), dayText(t, quote.executionDate)],
    [t('transferPages.col.approvals'), quote.approvalsRequired > 0 ? t('transferPages.approvals.required', { count: quote.approvalsRequired }) : t('transferPages.approvals.notRequired')],
  ]);
}

export interface ConfirmOptions {
  csrfToken: string;
  draft: string;
  idempotencyKey: string;
  /** The quote as it stands now; undefined when the service refuses the transfer as it is. */
  quote: TransferQuote | undefined;
  /** R5.2: the email one-time password, when this confirmation sends the transfer (views-otp.ts). */
  otpSection: Html | undefined;
  /** R6.5: the token password, when this confirmation sends a transfer to an ad hoc destination. */
  tokenAsk: TokenAsk | undefined;
}

/** The form that submits the transfer: the sealed inputs, the key made for it, the password. */
export function confirmPage(t: Translate, state: FormState, options: ConfirmOptions): Html {
  const edit = html`<p><a href="/transfers/new?draft=${options.draft}">${t('transferPages.confirm.edit')}</a></p>`;
  if (!options.quote) return html`${formError(t, state, [])}${edit}`;
  return html`<p>${t('transferPages.confirm.intro')}</p>
${quoteFacts(t, options.quote)}
<p class="notice" id="approvals-note">${approvalsNote(t, options.quote)}</p>
${options.otpSection ?? ''}
${duplicateWarning(t, options.quote)}
${formError(t, state, [field.confirmationPassword, otpField, field.separatePayment])}
<form method="post" action="/transfers/confirm" class="card" novalidate>
  ${csrfField(options.csrfToken)}
  <input type="hidden" name="${field.draft}" value="${options.draft}">
  <input type="hidden" name="${field.idempotencyKey}" value="${options.idempotencyKey}">
  ${options.quote.duplicateOf ? separatePaymentInput(t, state) : ''}
  ${options.otpSection ? otpInput(t, state) : ''}
  ${tokenCodeInput(t, state, options.tokenAsk)}
  ${textInput(t, state, {
    name: field.confirmationPassword,
    label: t('transferPages.field.confirmationPassword'),
    value: '',
    type: 'password',
    autocomplete: 'current-password',
    hint: t('transferPages.hint.confirmationPassword'),
  })}
  ${submitButton(t('transferPages.confirm.submit'))}
</form>
${edit}`;
}

/** R8.6: the like transfer made lately, with a link to it, above the form that asks whether this is another. */
function duplicateWarning(t: Translate, quote: TransferQuote): Html | '' {
  const earlier = quote.duplicateOf;
  if (!earlier) return '';
  const id = earlier.id.toString();
  return html`<div class="warning" role="alert" id="duplicate-warning" data-transfer-id="${id}">${t('transferPages.duplicate.warning', { id, at: momentText(t, earlier.createdAt) })}
<a href="/transfers/${id}" id="duplicate-earlier">${t('transferPages.duplicate.link', { id })}</a></div>`;
}

/** R8.6: the tick 「別の振込として実行する」, with its error next to it. */
function separatePaymentInput(t: Translate, state: FormState): Html {
  const invalid = state.error?.field === field.separatePayment;
  return html`<div class="field${invalid ? ' invalid' : ''}">
  ${fieldMessage(t, state, field.separatePayment)}
  <label><input type="checkbox" id="f-${field.separatePayment}" name="${field.separatePayment}" value="yes"${state.values?.[field.separatePayment] === 'yes' ? html` checked` : ''}${invalid ? html` aria-invalid="true" aria-describedby="form-error"` : ''}> ${t('transferPages.duplicate.separate')}</label>
</div>`;
}

/** A confirmation page asked for without a draft that opens: nothing to confirm. */
export function noDraftPage(t: Translate, state: FormState): Html {
  return html`${formError(t, state, [])}
<p>${t('transferPages.confirm.unavailable')}</p>
<p><a href="/transfers/new">${t('transferPages.confirm.restart')}</a></p>`;
}
