import { html, type Html } from '../../../web/html.ts';
import type { PageContext } from '../../../web/layout.ts';
import type { Translate } from '../../../web/i18n/index.ts';
import type { RecordedStop } from '../../../access/stop-origins.ts';
import type { RefusalMinute } from '../../../access/logon-refusals.ts';
import { consoleLayout, jst, type ConsoleChrome } from '../layout.ts';
import { consolePaths } from '../paths.ts';

export interface LogonWatch {
  neverSeenOnly: boolean;
  stops: readonly RecordedStop[];
  refusals: readonly RefusalMinute[];
  failuresMax: number;
  ratePerMinute: number;
}

/**
 * What the bank watches for attacks on the logon: stops caused from addresses the person never
 * logged on from (R2.3, decision 0021), and logons the rate limit refused per address and minute
 * (R2.4), each newest first.
 */
export function logonWatchPage(page: PageContext, chrome: ConsoleChrome, watch: LogonWatch): Html {
  const { t } = page;
  const toggle = watch.neverSeenOnly
    ? html`<a href="${consolePaths.logonWatch}?stops=all" id="stops-filter">${t('operatorConsole.watch.showAll')}</a>`
    : html`<a href="${consolePaths.logonWatch}" id="stops-filter">${t('operatorConsole.watch.showNeverSeen')}</a>`;
  return consoleLayout(
    page,
    'operatorConsole.watch.title',
    html`<h2>${t(watch.neverSeenOnly ? 'operatorConsole.watch.stops' : 'operatorConsole.watch.stopsAll')}</h2>
<p>${t(watch.neverSeenOnly ? 'operatorConsole.watch.stopsIntro' : 'operatorConsole.watch.stopsAllIntro', { count: watch.failuresMax })}</p>
<p>${toggle}</p>
${watch.stops.length === 0 ? html`<p class="notice" role="status" id="stops-empty">${t('operatorConsole.watch.noStops')}</p>` : stopsTable(t, watch)}
<h2>${t('operatorConsole.watch.refusals')}</h2>
<p>${t('operatorConsole.watch.refusalsIntro', { limit: watch.ratePerMinute })}</p>
${watch.refusals.length === 0 ? html`<p class="notice" role="status" id="refusals-empty">${t('operatorConsole.watch.noRefusals')}</p>` : refusalsTable(t, watch.refusals)}`,
    chrome,
  );
}

function stopsTable(t: Translate, watch: LogonWatch): Html {
  return html`<div class="table-scroll">
<table class="uses" id="stops">
<thead><tr><th scope="col">${t('operatorConsole.watch.col.stoppedAt')}</th><th scope="col">${t('operatorConsole.watch.col.contract')}</th><th scope="col">${t('operatorConsole.watch.col.company')}</th><th scope="col">${t('operatorConsole.watch.col.user')}</th><th scope="col">${t('operatorConsole.watch.col.addresses', { count: watch.failuresMax })}</th><th scope="col">${t('operatorConsole.watch.col.neverSeen')}</th></tr></thead>
<tbody>${watch.stops.map(
    (stop) => html`<tr data-contract="${stop.contractId}" data-user="${stop.userId}" data-never-seen="${stop.share}"${stop.share === 'all' ? html` class="failure"` : ''}>
<td>${jst(t, stop.at)}</td><td><a href="${consolePaths.contract(stop.contractId)}">${stop.contractId}</a></td><td>${stop.companyName}${stop.contractStopped ? html`<br><span class="hint">${t('operatorConsole.watch.contractStopped')}</span>` : ''}</td><td>${stop.userId}</td>
<td>${addressList(t, stop)}</td><td>${t(`operatorConsole.watch.share.${stop.share}`)}</td>
</tr>`,
  )}</tbody>
</table>
</div>`;
}

function addressList(t: Translate, stop: RecordedStop): Html | string {
  if (!stop.origins) return '';
  const neverSeen = new Set(stop.origins.neverSeen);
  return html`${stop.origins.addresses.map(
    (address, index) => html`${index > 0 ? html`<br>` : ''}<code data-address="${address}">${address}</code>${neverSeen.has(address) ? html` <strong class="warning" data-never-seen>${t('operatorConsole.watch.neverSeenTag')}</strong>` : ''}`,
  )}`;
}

function refusalsTable(t: Translate, rows: readonly RefusalMinute[]): Html {
  return html`<div class="table-scroll">
<table class="uses" id="refusals">
<thead><tr><th scope="col">${t('operatorConsole.watch.col.minute')}</th><th scope="col">${t('operatorConsole.watch.col.portal')}</th><th scope="col">${t('operatorConsole.watch.col.address')}</th><th scope="col">${t('operatorConsole.watch.col.refusals')}</th></tr></thead>
<tbody>${rows.map(
    (row) => html`<tr data-portal="${row.portal}" data-ip="${row.ip}" data-minute="${row.minute.toISOString()}" data-refusals="${String(row.refusals)}">
<td>${jst(t, row.minute)}</td><td>${t(`operatorConsole.watch.portal.${row.portal}`)}</td><td><code>${row.ip}</code></td><td class="number">${String(row.refusals)}</td>
</tr>`,
  )}</tbody>
</table>
</div>`;
}
