import { html, type Html } from '../../web/html.ts';
import type { Translate } from '../../web/i18n/index.ts';
import { formatYen } from '../../domain/money.ts';
import type { BankNotice } from '../../db/schema-bank-notices.ts';
import type { AccountBalance } from '../accounts/repository.ts';
import type { WaitingList } from '../approvals/waiting-items.ts';
import { waitingCounts } from '../approvals/views.ts';

/** The sections of the top page beside the last uses: each stays small and reads its own facts. */
export function bankNoticesSection(t: Translate, notices: BankNotice[]): Html {
  return html`<section class="bank-notices" id="bank-notices"><h2>${t('bankNotices.title')}</h2>
${
  notices.length === 0
    ? html`<p class="hint">${t('bankNotices.none')}</p>`
    : html`<ul>${notices.map((notice) => html`<li data-notice-id="${notice.id.toString()}"><strong>${notice.title}</strong> <span class="hint">${notice.shown_from}</span>${notice.body ? html`<p class="notice-body">${notice.body}</p>` : ''}</li>`)}</ul>`
}</section>`;
}

export function waitingSection(t: Translate, waiting: WaitingList): Html {
  return html`<section class="waiting" id="waiting" data-total="${waiting.total}"><h2>${t('home.waiting.title')}</h2>
${waiting.total === 0 ? html`<p class="hint">${t('home.waiting.none')}</p>` : html`${waitingCounts(t, waiting, '/approvals')}<p><a href="/approvals">${t('home.waiting.link', { count: waiting.total })}</a></p>`}
</section>`;
}

/** R8.1: only for a holder of inquiry, and only the accounts they may use. */
export function balancesSection(t: Translate, balances: AccountBalance[] | undefined): Html | '' {
  if (balances === undefined) return '';
  return html`<section class="balances" id="balances"><h2>${t('home.balances.title')}</h2>
${
  balances.length === 0
    ? html`<p class="hint">${t('home.balances.none')}</p>`
    : html`<table class="uses"><thead><tr><th scope="col">${t('home.balances.account')}</th><th scope="col">${t('home.balances.balance')}</th></tr></thead>
<tbody>${balances.map(
        (account) => html`<tr data-account-id="${account.id}"><td><a href="/accounts/${account.id}/statement">${account.branchName ?? account.branchCode} ${t(`accounts.type.${account.accountType}`)} ${account.accountNumber}</a></td><td class="amount" data-balance="${account.balanceYen.toString()}">${t('accounts.yen', { amount: formatYen(account.balanceYen) })}</td></tr>`,
      )}</tbody></table>`
}</section>`;
}
