import { dayText } from '../../web/day.ts';
import { html, type Html } from '../../web/html.ts';
import type { Translate } from '../../web/i18n/index.ts';
import type { FormState } from '../../web/form.ts';
import type { TransferStatus } from '../../db/schema-transfers.ts';
import type { TransferSummary } from './service.ts';
import { transferStatuses } from './pages-query.ts';
import { accountTypeLabel, formError, selectInput, yen } from './views-controls.ts';
import { personLabel, statusLabel } from './views-detail.ts';

/** The transfers list with its status filter and pages, and the list of items awaiting the person (R8.5). */


function summaryRow(t: Translate, item: TransferSummary, extra: Html | '' = ''): Html {
  const id = item.id.toString();
  return html`<tr data-transfer-id="${id}" class="${item.status}">
<td><a href="/transfers/${id}">${id}</a></td>
<td>${dayText(t, item.executionDate)}</td>
<td>${t('transferPages.account.label', { branch: item.fromAccount.branchCode, type: accountTypeLabel(t, item.fromAccount.accountType), number: item.fromAccount.accountNumber })}</td>
<td>${item.to.bankName} ${item.to.branchName}<br><span class="kana">${item.to.nameKana}</span></td>
<td class="amount">${yen(t, item.amountYen)}</td>
<td>${statusLabel(t, item.status)}</td>
<td>${personLabel(t, item.createdBy)}</td>
${extra}
</tr>`;
}

function summaryHead(t: Translate, extra: Html | '' = ''): Html {
  return html`<thead><tr>
<th scope="col">${t('transferPages.col.id')}</th><th scope="col">${t('transferPages.col.executionDate')}</th><th scope="col">${t('transferPages.col.from')}</th>
<th scope="col">${t('transferPages.col.to')}</th><th scope="col">${t('transferPages.col.amount')}</th><th scope="col">${t('transferPages.col.status')}</th>
<th scope="col">${t('transferPages.col.createdBy')}</th>${extra}
</tr></thead>`;
}

export interface ListOptions {
  status: TransferStatus | undefined;
  page: number;
  items: TransferSummary[];
  total: number;
  pageSize: number;
}

function listHref(status: TransferStatus | undefined, page: number): string {
  const query = new URLSearchParams();
  if (status) query.set('status', status);
  if (page > 1) query.set('page', String(page));
  const text = query.toString();
  return text ? `/transfers?${text}` : '/transfers';
}

/** The filter is a GET form: a list is a view, changing nothing, and its address can be kept. */
function filterForm(t: Translate, state: FormState, status: TransferStatus | undefined): Html {
  return html`${formError(t, state, ['status'])}
<form method="get" action="/transfers" class="filter">
  ${selectInput(t, state, {
    name: 'status',
    label: t('transferPages.filter.status'),
    value: status ?? '',
    placeholder: t('transferPages.filter.all'),
    choices: transferStatuses.map((s) => ({ value: s, label: statusLabel(t, s) })),
  })}
  <div class="actions"><button type="submit">${t('transferPages.filter.submit')}</button></div>
</form>`;
}

export function listPage(t: Translate, state: FormState, options: ListOptions): Html {
  const pages = Math.max(1, Math.ceil(options.total / options.pageSize));
  const pager =
    pages > 1
      ? html`<nav class="pager" aria-label="${t('transferPages.page.nav')}">
${options.page > 1 ? html`<a href="${listHref(options.status, options.page - 1)}" rel="prev">${t('transferPages.page.prev')}</a>` : ''}
<span>${t('transferPages.page.of', { page: options.page, pages })}</span>
${options.page < pages ? html`<a href="${listHref(options.status, options.page + 1)}" rel="next">${t('transferPages.page.next')}</a>` : ''}
</nav>`
      : '';
  return html`<p>${t('transferPages.list.intro')}</p>
${filterForm(t, state, options.status)}
<p class="hint" id="transfer-count">${t('transferPages.list.count', { total: options.total })}</p>
${
  options.items.length === 0
    ? html`<p class="hint">${t('transferPages.list.empty')}</p>`
    : html`<table class="uses transfers">${summaryHead(t)}<tbody>${options.items.map((item) => summaryRow(t, item))}</tbody></table>`
}
${pager}
<p><a href="/transfers/new">${t('transferPages.new.link')}</a></p>`;
}

/** R8.5: what waits for this person: an approval, or a send after the approvals. */
export function approvalsPage(t: Translate, items: TransferSummary[]): Html {
  const waitingFor = (item: TransferSummary) => t(item.status === 'awaiting_approval' ? 'transferPages.waiting.approve' : 'transferPages.waiting.send');
  return html`<p>${t('transferPages.approvals.intro')}</p>
${
  items.length === 0
    ? html`<p class="hint" id="approvals-empty">${t('transferPages.approvals.empty')}</p>`
    : html`<table class="uses transfers awaiting">${summaryHead(t, html`<th scope="col">${t('transferPages.col.waitingFor')}</th>`)}
<tbody>${items.map((item) => summaryRow(t, item, html`<td>${waitingFor(item)}</td>`))}</tbody></table>`
}`;
}
