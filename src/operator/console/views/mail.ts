import { html, type Html } from '../../../web/html.ts';
import { csrfField, type PageContext } from '../../../web/layout.ts';
import { errorSummary, noticeBox, type FormState } from '../../../web/form.ts';
import type { Translate } from '../../../web/i18n/index.ts';
import type { WatchedMessage } from '../../../outbox/watch.ts';
import { consoleLayout, jst, type ConsoleChrome } from '../layout.ts';
import { consolePaths } from '../paths.ts';

export interface MailWatch {
  failed: readonly WatchedMessage[];
  waiting: readonly WatchedMessage[];
  attemptsMax: number;
  waitingLongMinutes: number;
  /** The message just put back in the queue, to say so. */
  requeued: string | undefined;
}

/**
 * The outbox as the staff need it when mail stops arriving: what failed for good (each with the
 * button that puts it back in the queue) and what has been waiting long. Recipient, subject,
 * attempts and the server's last answer; never the body, which may carry a one-time password.
 */
export function mailPage(page: PageContext, chrome: ConsoleChrome, state: FormState, watch: MailWatch): Html {
  const { t } = page;
  const requeued = watch.requeued && /^\d+$/.test(watch.requeued) ? t('outbox.console.requeued', { id: watch.requeued }) : undefined;
  return consoleLayout(
    page,
    'outbox.console.title',
    html`${noticeBox(requeued)}${errorSummary(t, state)}
<h2>${t('outbox.console.failed')}</h2>
<p>${t('outbox.console.failedIntro', { attempts: watch.attemptsMax })}</p>
${watch.failed.length === 0 ? html`<p class="notice" role="status" id="failed-empty">${t('outbox.console.noFailed')}</p>` : messagesTable(t, 'failed', watch.failed, chrome.csrfToken)}
<h2>${t('outbox.console.waiting')}</h2>
<p>${t('outbox.console.waitingIntro', { minutes: watch.waitingLongMinutes })}</p>
${watch.waiting.length === 0 ? html`<p class="notice" role="status" id="waiting-empty">${t('outbox.console.noWaiting')}</p>` : messagesTable(t, 'waiting', watch.waiting, undefined)}`,
    chrome,
  );
}

/** With a CSRF token, each row has the re-queue button (the failed list); without, the next attempt (the waiting list). */
function messagesTable(t: Translate, id: 'failed' | 'waiting', rows: readonly WatchedMessage[], csrfToken: string | undefined): Html {
  const last = csrfToken ? '' : html`<th scope="col">${t('outbox.console.col.nextAttempt')}</th>`;
  return html`<div class="table-scroll">
<table class="uses" id="${id}">
<thead><tr><th scope="col">${t('outbox.console.col.id')}</th><th scope="col">${t('outbox.console.col.queuedAt')}</th><th scope="col">${t('outbox.console.col.contract')}</th><th scope="col">${t('outbox.console.col.recipient')}</th><th scope="col">${t('outbox.console.col.subject')}</th><th scope="col">${t('outbox.console.col.attempts')}</th><th scope="col">${t('outbox.console.col.lastError')}</th>${last}${csrfToken ? html`<th scope="col"></th>` : ''}</tr></thead>
<tbody>${rows.map(
    (row) => html`<tr data-outbox-id="${row.id.toString()}" data-attempts="${String(row.attempts)}">
<td>${row.id.toString()}</td><td>${jst(t, row.queuedAt)}</td><td>${row.contractId ? html`<a href="${consolePaths.contract(row.contractId)}">${row.contractId}</a>` : ''}</td><td>${row.recipient}</td><td>${row.subject}</td><td class="number">${String(row.attempts)}</td><td><code>${row.lastError ?? ''}</code></td>
${csrfToken ? html`<td><form method="post" action="${consolePaths.mailRequeue(row.id.toString())}" class="inline">${csrfField(csrfToken)}<button type="submit">${t('outbox.console.requeue')}</button></form></td>` : html`<td>${jst(t, row.nextAttemptAt)}</td>`}
</tr>`,
  )}</tbody>
</table>
</div>`;
}
