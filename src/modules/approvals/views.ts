import { html, type Html } from '../../web/html.ts';
import type { Translate } from '../../web/i18n/index.ts';
import { formatYen } from '../../domain/money.ts';
import { waitingKinds, type WaitingKind } from './waiting-rule.ts';
import type { WaitingEntry, WaitingList } from './waiting-items.ts';
import { dayText } from '../../web/day.ts';

const hrefOf: Record<WaitingKind, (id: string) => string> = {
  transfer: (id) => `/transfers/${id}`,
  payee: (id) => `/payees/${id}`,
  bulk: (id) => `/bulk/files/${id}`,
};

/** The count of each kind, each linking to its rows below; used on this page and the top page. */
export function waitingCounts(t: Translate, list: WaitingList, linkTo = ''): Html {
  return html`<ul class="waiting-counts" aria-label="${t('approvals.counts')}">${waitingKinds.map(
    (kind) => html`<li data-kind="${kind}" data-count="${list.counts[kind]}"><a href="${linkTo}#waiting-${kind}">${t(`approvals.kind.${kind}`)}</a> <strong>${t('approvals.count', { count: list.counts[kind] })}</strong></li>`,
  )}</ul>`;
}

function row(t: Translate, entry: WaitingEntry): Html {
  const subject = entry.kind === 'bulk' ? t(`bulk.kind.${entry.label as '21'}`) : entry.label;
  return html`<tr data-${entry.kind}-id="${entry.id}" data-step="${entry.step}">
<td>${entry.id}</td><td>${subject}</td><td class="amount">${entry.amountYen === undefined ? '-' : t('approvals.yen', { amount: formatYen(entry.amountYen) })}</td>
<td>${entry.date === undefined ? '-' : dayText(t, entry.date)}</td><td>${t(`approvals.step.${entry.step}`)}</td><td><a href="${hrefOf[entry.kind](entry.id)}">${t('approvals.open')}</a></td></tr>`;
}

function section(t: Translate, kind: WaitingKind, entries: WaitingEntry[]): Html {
  if (entries.length === 0) return html``;
  return html`<section id="waiting-${kind}"><h2>${t(`approvals.kind.${kind}`)} <span class="count">${t('approvals.count', { count: entries.length })}</span></h2>
<table class="uses awaiting"><thead><tr><th scope="col">${t('approvals.col.id')}</th><th scope="col">${t('approvals.col.subject')}</th><th scope="col">${t('approvals.col.amount')}</th><th scope="col">${t('approvals.col.date')}</th><th scope="col">${t('approvals.col.step')}</th><th scope="col"></th></tr></thead>
<tbody>${entries.map((entry) => row(t, entry))}</tbody></table></section>`;
}

export function waitingPage(t: Translate, list: WaitingList): Html {
  if (list.total === 0) return html`<p>${t('approvals.intro')}</p><p class="hint" id="approvals-empty">${t('approvals.empty')}</p>`;
  return html`<p>${t('approvals.intro')}</p>
${waitingCounts(t, list)}
${waitingKinds.map((kind) => section(t, kind, list.entries.filter((entry) => entry.kind === kind)))}`;
}
