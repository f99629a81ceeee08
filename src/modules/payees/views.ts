import { html, type Html } from '../../web/html.ts';
import type { FormState } from '../../web/form.ts';
import type { Translate } from '../../web/i18n/index.ts';
import type { Payee } from '../../db/schema-payees.ts';
import type { BankInfo, BranchInfo } from '../../domain/bank-directory.ts';
import type { PayeeDetails } from './form-input.ts';
import type { ApprovalRow } from './repository.ts';
import { describeCharacter, PayeeNameError } from './name-error.ts';

/** Pieces the payees pages share: the error box, a payee's facts (R8.2). */

/** Like the form error summary, and for a refused name it also names the character at fault. */
export function errorBox(t: Translate, state: FormState): Html | '' {
  const error = state.error;
  if (!error) return '';
  const params: Record<string, string> = error instanceof PayeeNameError && error.offending !== undefined ? { character: describeCharacter(error.offending) } : {};
  return html`<div class="error" role="alert" id="form-error" data-code="${error.code}">${t(error.messageKey, params)}</div>`;
}

export function statusLabel(t: Translate, status: Payee['status']): string {
  return t(`payees.status.${status}`);
}

export function accountTypeLabel(t: Translate, type: Payee['account_type']): string {
  return t(`payees.accountType.${type}`);
}

export interface Destination {
  details: PayeeDetails;
  bank: BankInfo | undefined;
  branch: BranchInfo | undefined;
}

function named(code: string, info: { name: string; kana: string } | undefined): Html {
  return info ? html`${code} ${info.name} <span class="kana">${info.kana}</span>` : html`${code}`;
}

/** The destination as a person checks it: codes with names and kana, and the Zengin name. */
export function destinationFacts(t: Translate, destination: Destination, extra: Html | '' = ''): Html {
  const { details } = destination;
  return html`<dl class="facts payee-facts">
  <dt>${t('payees.field.bank')}</dt><dd>${named(details.bankCode, destination.bank)}</dd>
  <dt>${t('payees.field.branch')}</dt><dd>${named(details.branchCode, destination.branch)}</dd>
  <dt>${t('payees.field.accountType')}</dt><dd>${accountTypeLabel(t, details.accountType)}</dd>
  <dt>${t('payees.field.accountNumber')}</dt><dd>${details.accountNumber}</dd>
  <dt>${t('payees.field.nameKana')}</dt><dd class="kana">${details.nameKana}</dd>
  <dt>${t('payees.field.nickname')}</dt><dd>${details.nickname ?? t('payees.none')}</dd>
  ${extra}
</dl>`;
}

/** Status, registrant and approvals of a registered payee. */
export function stateFacts(t: Translate, payee: Payee, registrant: string, approvals: readonly ApprovalRow[]): Html {
  return html`<dt>${t('payees.col.status')}</dt><dd data-status="${payee.status}">${statusLabel(t, payee.status)}</dd>
  <dt>${t('payees.col.registrant')}</dt><dd>${registrant}</dd>
  ${payee.approvals_required > 0
    ? html`<dt>${t('payees.col.approvals')}</dt><dd>${t('payees.approvals.count', { given: payee.approvals_given, required: payee.approvals_required })}${
        approvals.length > 0 ? html`<br>${approvals.map((a, i) => html`${i > 0 ? html`、` : ''}${a.user_id} ${a.display_name}`)}` : ''
      }</dd>`
    : ''}
  ${payee.decision_reason ? html`<dt>${t('payees.col.reason')}</dt><dd>${payee.decision_reason}</dd>` : ''}`;
}
