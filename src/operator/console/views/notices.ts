import { html, type Html } from '../../../web/html.ts';
import { csrfField, type PageContext } from '../../../web/layout.ts';
import { errorSummary, field, noticeBox, submitButton, type FormState } from '../../../web/form.ts';
import { consoleLayout, type ConsoleChrome } from '../layout.ts';
import { consolePaths } from '../paths.ts';
import { bankNoticeBodyLengthMax, bankNoticeTitleLengthMax } from '../../../modules/bank-notices/notices.ts';

interface NoticeRow {
  id: bigint;
  contract_id: string | null;
  title: string;
  shown_from: string;
  shown_until: string;
  login_id: string;
}

export function noticesPage(page: PageContext, chrome: ConsoleChrome, state: FormState, rows: NoticeRow[], posted: string | undefined): Html {
  const { t } = page;
  const bodyInvalid = state.error?.field === 'body';
  const body = html`${noticeBox(posted && /^\d+$/.test(posted) ? t('bankNotices.console.posted', { id: posted }) : undefined)}
<p>${t('bankNotices.console.intro')}</p>
${errorSummary(t, state)}
<form method="post" action="${consolePaths.notices}" class="stack" novalidate>${csrfField(chrome.csrfToken)}
${field(state, { name: 'title', label: t('bankNotices.console.noticeTitle'), maxLength: bankNoticeTitleLengthMax })}
<div class="field${bodyInvalid ? ' invalid' : ''}"><label for="f-body">${t('bankNotices.console.body')}</label>
<textarea id="f-body" name="body" rows="5" maxlength="${bankNoticeBodyLengthMax}">${state.values?.['body'] ?? ''}</textarea></div>
${field(state, { name: 'shownFrom', label: t('bankNotices.console.from'), pattern: '\\d{4}-\\d{2}-\\d{2}' })}
${field(state, { name: 'shownUntil', label: t('bankNotices.console.until'), pattern: '\\d{4}-\\d{2}-\\d{2}' })}
${field(state, { name: 'contractId', label: t('bankNotices.console.target'), inputMode: 'numeric', maxLength: 11 })}
${submitButton(t('bankNotices.console.submit'))}
</form>
<h2>${t('bankNotices.console.list')}</h2>
${
  rows.length === 0
    ? html`<p class="hint">${t('bankNotices.console.empty')}</p>`
    : html`<table class="uses"><thead><tr><th>#</th><th>${t('bankNotices.console.noticeTitle')}</th><th>${t('bankNotices.console.period')}</th><th>${t('bankNotices.console.target')}</th><th>${t('bankNotices.console.postedBy')}</th></tr></thead>
<tbody>${rows.map((row) => html`<tr data-notice-id="${row.id.toString()}"><td>${row.id.toString()}</td><td>${row.title}</td><td>${row.shown_from} – ${row.shown_until}</td><td>${row.contract_id ?? t('bankNotices.console.targetAll')}</td><td>${row.login_id}</td></tr>`)}</tbody></table>`
}`;
  return consoleLayout(page, 'bankNotices.console.title', body, chrome);
}
