import { html, type Html } from '../../../web/html.ts';
import type { PageContext } from '../../../web/layout.ts';
import type { Translate } from '../../../web/i18n/index.ts';
import type { QueueItem } from '../../../modules/contracts/console-queue.ts';
import { consoleLayout, jst, type ConsoleChrome } from '../layout.ts';
import { consolePaths } from '../paths.ts';

/** The work queue: one row per item, oldest first, each leading to its contract. */
export function queuePage(page: PageContext, chrome: ConsoleChrome, items: readonly QueueItem[]): Html {
  const { t } = page;
  return consoleLayout(
    page,
    'operatorConsole.queue.title',
    html`<p>${t('operatorConsole.queue.intro')}</p>
${items.length === 0 ? html`<p class="notice" role="status" id="queue-empty">${t('operatorConsole.queue.empty')}</p>` : queueTable(t, items)}`,
    chrome,
  );
}

function queueTable(t: Translate, items: readonly QueueItem[]): Html {
  return html`<p class="hint">${t('operatorConsole.queue.count', { count: items.length })}</p>
<div class="table-scroll">
<table class="uses" id="queue">
<thead><tr><th scope="col">${t('operatorConsole.queue.col.since')}</th><th scope="col">${t('operatorConsole.queue.col.kind')}</th><th scope="col">${t('operatorConsole.queue.col.contract')}</th><th scope="col">${t('operatorConsole.queue.col.company')}</th><th scope="col">${t('operatorConsole.queue.col.user')}</th><th scope="col">${t('operatorConsole.queue.col.detail')}</th></tr></thead>
<tbody>${items.map(
    (item) => html`<tr data-kind="${item.kind}" data-contract="${item.contractId}" data-user="${item.userId}"${item.kind === 'stop' && item.liftedBy === 'operator' ? html` class="failure"` : ''}>
<td>${jst(t, item.at)}</td><td>${t(`operatorConsole.queue.kind.${item.kind}`)}</td><td><a href="${consolePaths.contract(item.contractId)}">${item.contractId}</a></td><td>${item.companyName}</td><td>${item.userId}</td><td>${detail(t, item)}</td>
</tr>`,
  )}</tbody>
</table>
</div>`;
}

function detail(t: Translate, item: QueueItem): string {
  if (item.kind === 'card_request') return t(`operatorConsole.cardReason.${item.reason}`);
  return t(`operatorConsole.queue.stop.${item.liftedBy}`, { role: t(`operatorConsole.queue.role.${item.role}`) });
}
