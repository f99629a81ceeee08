import { html, type Html } from '../../web/html.ts';
import { csrfField } from '../../web/layout.ts';
import { submitButton, type FormState } from '../../web/form.ts';
import type { Translate } from '../../web/i18n/index.ts';
import { formatYen } from '../../domain/money.ts';
import type { AccountBalance } from '../accounts/repository.ts';
import { accountTypeLabel, facts, formError, selectInput, textInput, yen } from '../transfers/views-controls.ts';
import { otpInput } from '../transfers/views-otp.ts';
import type { Biller, BillerKind } from './collector/collector.ts';
import {
  billerNumberDigits,
  confirmationNumberDigitsMax,
  customerNumberDigitsMax,
  field,
  paymentClassDigitsMax,
  paymentNumberDigitsMax,
} from './form-input.ts';
import type { PaymentQuote } from './pay.ts';
import type { PaymentView } from './queries.ts';
import { momentText } from '../../web/day.ts';

/** The Pay-easy pages (R8.3): the biller, the bill, its confirmation, the receipt and the history. */

export function kindLabel(t: Translate, kind: BillerKind): string {
  return t(`payEasy.kind.${kind}`);
}

/** The label of the number that names a bill: お客様番号 for a private biller, 納付番号 for a public one. */
function numberLabel(t: Translate, kind: BillerKind): string {
  return t(kind === 'private' ? 'payEasy.field.customerNumber' : 'payEasy.field.paymentNumber');
}

function historyLink(t: Translate): Html {
  return html`<p><a href="/pay-easy/payments">${t('payEasy.history.link')}</a></p>`;
}

/** Step 1: the 収納機関番号 printed on the bill. */
export function billerPage(t: Translate, state: FormState, csrfToken: string): Html {
  return html`<p>${t('payEasy.start.intro')}</p>
${formError(t, state, [field.billerNumber])}
<form method="post" action="/pay-easy" class="card transfer-form" novalidate>
  ${csrfField(csrfToken)}
  ${textInput(t, state, {
    name: field.billerNumber,
    label: t('payEasy.field.billerNumber'),
    value: state.values?.[field.billerNumber] ?? '',
    inputMode: 'numeric',
    maxLength: billerNumberDigits,
    size: 'short',
    hint: t('payEasy.hint.billerNumber'),
  })}
  ${submitButton(t('payEasy.start.submit'))}
</form>
${historyLink(t)}`;
}

export function billerFacts(t: Translate, biller: Pick<Biller, 'number' | 'name' | 'kind'>): Html {
  return facts([
    [t('payEasy.col.billerNumber'), html`<span id="biller-number">${biller.number}</span>`],
    [t('payEasy.col.biller'), html`<span id="biller-name">${biller.name}</span>`],
    [t('payEasy.col.kind'), kindLabel(t, biller.kind)],
  ]);
}

function accountChoices(t: Translate, accounts: readonly AccountBalance[]) {
  return accounts.map((account) => ({
    value: String(account.id),
    label: t('transferPages.account.option', {
      branch: account.branchName ? `${account.branchName}（${account.branchCode}）` : account.branchCode,
      type: accountTypeLabel(t, account.accountType),
      number: account.accountNumber,
      balance: formatYen(account.balanceYen),
    }),
  }));
}

/** Step 2: the numbers of the bill, by the biller's kind, and the account to pay from. */
export function billPage(t: Translate, state: FormState, options: { csrfToken: string; biller: Biller; accounts: readonly AccountBalance[] }): Html {
  const { biller } = options;
  const value = (name: string) => state.values?.[name] ?? '';
  const choices = accountChoices(t, options.accounts);
  const isPrivate = biller.kind === 'private';
  return html`<p>${t(isPrivate ? 'payEasy.bill.introPrivate' : 'payEasy.bill.introPublic')}</p>
${billerFacts(t, biller)}
${formError(t, state, [field.number, field.confirmationNumber, field.paymentClass, field.fromAccount])}
<form method="post" action="/pay-easy/bill" class="card transfer-form" novalidate>
  ${csrfField(options.csrfToken)}
  <input type="hidden" name="${field.billerNumber}" value="${biller.number}">
  ${textInput(t, state, {
    name: field.number,
    label: numberLabel(t, biller.kind),
    value: value(field.number),
    inputMode: 'numeric',
    maxLength: 40,
    hint: t(isPrivate ? 'payEasy.hint.customerNumber' : 'payEasy.hint.paymentNumber', { digits: isPrivate ? customerNumberDigitsMax : paymentNumberDigitsMax }),
  })}
  ${textInput(t, state, {
    name: field.confirmationNumber,
    label: t('payEasy.field.confirmationNumber'),
    value: value(field.confirmationNumber),
    inputMode: 'numeric',
    maxLength: 40,
    size: 'short',
    hint: t('payEasy.hint.confirmationNumber', { digits: confirmationNumberDigitsMax }),
  })}
  ${isPrivate
    ? ''
    : textInput(t, state, {
        name: field.paymentClass,
        label: t('payEasy.field.paymentClass'),
        value: value(field.paymentClass),
        inputMode: 'numeric',
        maxLength: 40,
        size: 'short',
        hint: t('payEasy.hint.paymentClass', { digits: paymentClassDigitsMax }),
      })}
  ${selectInput(t, state, {
    name: field.fromAccount,
    label: t('payEasy.field.fromAccount'),
    value: value(field.fromAccount) || (choices.length === 1 ? choices[0]!.value : ''),
    choices,
    placeholder: t('payEasy.account.choose'),
  })}
  ${submitButton(t('payEasy.bill.submit'))}
</form>
<p><a href="/pay-easy">${t('payEasy.bill.otherBiller')}</a></p>`;
}

function accountText(t: Translate, account: { branchCode: string; accountType: PaymentView['fromAccount']['accountType']; accountNumber: string }): string {
  return t('transferPages.account.label', { branch: account.branchCode, type: accountTypeLabel(t, account.accountType), number: account.accountNumber });
}

/** The bill as the biller answered it: the amount is shown, never asked. */
export function quoteFacts(t: Translate, quote: PaymentQuote): Html {
  const { bill, query } = quote.draft;
  return facts([
    [t('payEasy.col.biller'), html`<span id="biller-name">${bill.billerName}</span>（${bill.billerNumber}）`],
    [t('payEasy.col.kind'), kindLabel(t, bill.billerKind)],
    [numberLabel(t, bill.billerKind), query.number],
    ...(query.paymentClass === '' ? [] : [[t('payEasy.field.paymentClass'), query.paymentClass] as const]),
    [t('payEasy.col.feeName'), html`<span id="fee-name">${bill.feeName}</span>`],
    [t('payEasy.col.amount'), html`<strong id="bill-amount">${yen(t, bill.amountYen)}</strong>`],
    [t('payEasy.col.dueDate'), bill.dueDate],
    [t('payEasy.col.from'), accountText(t, { branchCode: quote.account.branch_code, accountType: quote.account.account_type, accountNumber: quote.account.account_number })],
  ]);
}

export interface ConfirmView {
  csrfToken: string;
  draft: string;
  idempotencyKey: string;
  quote: PaymentQuote | undefined;
  /** The email one-time password's section (where the code goes, the button that sends it). */
  otpSection: Html | undefined;
  /** Where "change" leads: the bill form of the same biller. */
  billerNumber: string | undefined;
}

/** Step 3: the bill as answered, the email one-time password and the confirmation password. */
export function confirmPage(t: Translate, state: FormState, view: ConfirmView): Html {
  const back = html`<p><a href="${view.billerNumber ? `/pay-easy/bill?billerNumber=${view.billerNumber}` : '/pay-easy'}">${t('payEasy.confirm.edit')}</a></p>`;
  if (!view.quote) return html`${formError(t, state, [])}${back}`;
  return html`<p>${t('payEasy.confirm.intro')}</p>
${quoteFacts(t, view.quote)}
<p class="notice" id="amount-note">${t('payEasy.confirm.amountNote')}</p>
${view.otpSection ?? ''}
${formError(t, state, [field.confirmationPassword, field.otp])}
<form method="post" action="/pay-easy/confirm" class="card transfer-form" novalidate>
  ${csrfField(view.csrfToken)}
  <input type="hidden" name="${field.draft}" value="${view.draft}">
  <input type="hidden" name="${field.idempotencyKey}" value="${view.idempotencyKey}">
  ${otpInput(t, state)}
  ${textInput(t, state, {
    name: field.confirmationPassword,
    label: t('transferPages.field.confirmationPassword'),
    value: '',
    type: 'password',
    autocomplete: 'current-password',
    hint: t('payEasy.hint.confirmationPassword'),
  })}
  ${submitButton(t('payEasy.confirm.submit'))}
</form>
${back}`;
}

/** A confirmation page without a draft that opens: nothing to confirm. */
export function noDraftPage(t: Translate, state: FormState): Html {
  return html`${formError(t, state, [])}
<p>${t('payEasy.confirm.unavailable')}</p>
<p><a href="/pay-easy">${t('payEasy.confirm.restart')}</a></p>`;
}

/** R8.3: the receipt [領収証書に代わるもの]. */
export function receiptPage(t: Translate, payment: PaymentView, done: boolean): Html {
  return html`${done ? html`<p class="notice" role="status" id="paid-notice">${t('payEasy.receipt.done')}</p>` : ''}
<p>${t('payEasy.receipt.intro')}</p>
${facts([
  [t('payEasy.col.receiptNumber'), html`<strong id="receipt-number">${payment.receiptNumber}</strong>`],
  [t('payEasy.col.paidAt'), html`<span id="paid-at">${momentText(t, payment.paidAt)}</span>`],
  [t('payEasy.col.biller'), html`<span id="biller-name">${payment.billerName}</span>（${payment.billerNumber}）`],
  [t('payEasy.col.kind'), kindLabel(t, payment.billerKind)],
  [numberLabel(t, payment.billerKind), payment.number],
  ...(payment.paymentClass === '' ? [] : [[t('payEasy.field.paymentClass'), payment.paymentClass] as const]),
  [t('payEasy.col.feeName'), html`<span id="fee-name">${payment.feeName}</span>`],
  [t('payEasy.col.amount'), html`<strong id="paid-amount">${yen(t, payment.amountYen)}</strong>`],
  [t('payEasy.col.dueDate'), payment.dueDate],
  [t('payEasy.col.from'), accountText(t, payment.fromAccount)],
  [t('payEasy.col.paidBy'), payment.paidBy],
])}
<p class="hint">${t('payEasy.receipt.note')}</p>
<p><a href="/pay-easy">${t('payEasy.receipt.another')}</a> ・ <a href="/pay-easy/payments">${t('payEasy.history.link')}</a></p>`;
}

/** R8.3: the payments of the last days, newest first. */
export function historyPage(t: Translate, history: { payments: PaymentView[]; since: Date; more: boolean; days: number }): Html {
  const rows = history.payments.map(
    (p) => html`<tr data-payment-id="${p.id.toString()}">
<td><a href="/pay-easy/payments/${p.id.toString()}">${p.receiptNumber}</a></td>
<td>${momentText(t, p.paidAt)}</td>
<td>${p.billerName}（${p.billerNumber}）<br>${p.feeName}</td>
<td class="amount">${yen(t, p.amountYen)}</td>
<td>${accountText(t, p.fromAccount)}</td>
<td>${p.paidBy}</td>
</tr>`,
  );
  return html`<p>${t('payEasy.history.intro', { days: history.days })}</p>
${history.payments.length === 0
  ? html`<p id="no-payments">${t('payEasy.history.none')}</p>`
  : html`<table class="uses transfers payments" id="payments">
<thead><tr><th scope="col">${t('payEasy.col.receiptNumber')}</th><th scope="col">${t('payEasy.col.paidAt')}</th><th scope="col">${t('payEasy.col.biller')} / ${t('payEasy.col.feeName')}</th>
<th scope="col">${t('payEasy.col.amount')}</th><th scope="col">${t('payEasy.col.from')}</th><th scope="col">${t('payEasy.col.paidBy')}</th></tr></thead>
<tbody>${rows}</tbody></table>`}
${history.more ? html`<p class="hint">${t('payEasy.history.more')}</p>` : ''}
<p><a href="/pay-easy">${t('payEasy.receipt.another')}</a></p>`;
}
