import { html, type Html } from '../../web/html.ts';
import { noticeBox } from '../../web/form.ts';
import type { Translate } from '../../web/i18n/index.ts';
import type { PayeePage } from './queries.ts';
import { destinationFacts, stateFacts, type Destination } from './views.ts';

/** One payee's page: its destination and state, the payee it changes or its waiting change, and what the person may do. */

export interface DetailPageOptions {
  notice: string | undefined;
  found: PayeePage;
  destination: Destination;
}

/** The actions a payee's page offers, in this order, each where the rules allow it. */
const offered = ['approve', 'reject', 'withdraw', 'change', 'delete'] as const;

export function detailPage(t: Translate, options: DetailPageOptions): Html {
  const { found } = options;
  const path = `/payees/${found.payee.id}`;
  const links = offered.filter((act) => !found.refused[act]).map((act) => ({ href: `${path}/${act}`, label: t(`payees.${act}.link`) }));
  return html`${noticeBox(options.notice)}
${destinationFacts(t, options.destination, stateFacts(t, found.payee, found.registrant.user_id, found.approvals))}
${found.replaces ? html`<p>${t('payees.detail.replaces')} <a href="/payees/${found.replaces.id}">${found.replaces.name_kana}</a></p>` : ''}
${found.pendingChange ? html`<p class="notice">${t('payees.detail.changePending')} <a href="/payees/${found.pendingChange.id}">${t('payees.detail.seeChange')}</a></p>` : ''}
${links.length > 0 ? html`<h2>${t('payees.detail.actions')}</h2><ul class="payee-actions">${links.map((l) => html`<li><a href="${l.href}">${l.label}</a></li>`)}</ul>` : ''}
<p><a href="/payees">${t('payees.back')}</a></p>`;
}
