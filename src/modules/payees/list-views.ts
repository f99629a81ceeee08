import { html, type Html } from '../../web/html.ts';
import { noticeBox } from '../../web/form.ts';
import type { Translate } from '../../web/i18n/index.ts';
import type { ListFilter } from './queries.ts';
import type { PayeeListRow } from './repository.ts';
import { accountTypeLabel, statusLabel } from './views.ts';

/** The list of the contract's payees (R8.2): those in use or waiting, or those that ended. */

export interface ListPageOptions {
  notice: string | undefined;
  /** R1.4: the register step offers a new registration. */
  canRegister: boolean;
  filter: ListFilter;
  payees: readonly PayeeListRow[];
  bankName: (code: string) => string;
}

export function listPage(t: Translate, options: ListPageOptions): Html {
  return html`${noticeBox(options.notice)}
<p>${t('payees.intro')}</p>
${options.canRegister ? html`<p class="actions"><a href="/payees/new">${t('payees.new')}</a></p>` : ''}
<p class="payee-filter">${options.filter === 'current'
  ? html`<strong>${t('payees.list.current')}</strong> | <a href="/payees?show=ended">${t('payees.list.ended')}</a>`
  : html`<a href="/payees">${t('payees.list.current')}</a> | <strong>${t('payees.list.ended')}</strong>`}</p>
${payeesTable(t, options.payees, options.bankName)}`;
}

function payeesTable(t: Translate, payees: readonly PayeeListRow[], bankName: (code: string) => string): Html {
  if (payees.length === 0) return html`<p class="hint">${t('payees.list.empty')}</p>`;
  return html`<table class="uses payees">
<thead><tr><th scope="col">${t('payees.field.nameKana')}</th><th scope="col">${t('payees.field.nickname')}</th><th scope="col">${t('payees.field.bank')}</th><th scope="col">${t('payees.field.branch')}</th><th scope="col">${t('payees.field.accountType')}</th><th scope="col">${t('payees.field.accountNumber')}</th><th scope="col">${t('payees.col.status')}</th><th scope="col">${t('payees.col.registrant')}</th></tr></thead>
<tbody>
${payees.map(
  (payee) => html`<tr class="payee-${payee.status}" data-payee-id="${payee.id}">
<td class="kana"><a href="/payees/${payee.id}">${payee.name_kana}</a></td>
<td>${payee.nickname ?? ''}</td>
<td>${payee.bank_code} ${bankName(payee.bank_code)}</td>
<td>${payee.branch_code}</td>
<td>${accountTypeLabel(t, payee.account_type)}</td>
<td>${payee.account_number}</td>
<td>${statusLabel(t, payee.status)}${payee.replaces_payee_id !== null && payee.status === 'pending' ? html` <span class="hint">${t('payees.list.isChange')}</span>` : ''}</td>
<td>${payee.registrant_user_id}</td>
</tr>`,
)}
</tbody>
</table>`;
}
