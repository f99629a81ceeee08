import { html, type Html } from '../../../web/html.ts';
import { csrfField, type PageContext } from '../../../web/layout.ts';
import { errorSummary, field, noticeBox, submitButton, type FormState } from '../../../web/form.ts';
import type { Staff } from '../../../db/schema.ts';
import { gridColumns, gridRows } from '../../../auth/grid-card.ts';
import { emailLengthMax, userIdLengthMax } from '../../../domain/identifiers.ts';
import { tokyoDate } from '../../../domain/business-days.ts';
import type { ApplicationRow } from '../../../modules/contracts/console-queries.ts';
import { companyNameLengthMax } from '../../../modules/contracts/onboard.ts';
import { decisionNoteLengthMax, personNameLengthMax } from '../../../modules/contracts/application-payload.ts';
import type { HandedOver } from '../../../modules/contracts/applications.ts';
import type { MessageKey } from '../../../web/i18n/index.ts';
import { consoleLayout, jst, type ConsoleChrome } from '../layout.ts';
import { consolePaths } from '../paths.ts';
import { applicationsTable, lockModeChoice, payloadSummary, referenceField, resultFacts, statusLabel } from './common.ts';
import { importedTokensTable, tokenApproveIntro, tokenKinds, tokenResultFacts, withoutContract } from './token-summary.ts';
import { dayText } from '../../../web/day.ts';

const doneNotices: Record<string, MessageKey> = {
  recorded: 'operatorConsole.application.recorded',
  approved: 'operatorConsole.application.approved',
  rejected: 'operatorConsole.application.rejected',
  withdrawn: 'operatorConsole.application.withdrawn',
};

export function queuePage(page: PageContext, chrome: ConsoleChrome, queue: { pending: ApplicationRow[]; recent: ApplicationRow[] }): Html {
  const { t } = page;
  return consoleLayout(
    page,
    'operatorConsole.queue.title',
    html`<p class="hint">${t('operatorConsole.queue.intro')}</p>
${queue.pending.length === 0 ? html`<p class="notice" role="status" id="queue-empty">${t('operatorConsole.queue.none')}</p>` : applicationsTable(t, queue.pending, { contract: true, id: 'pending' })}
<h2>${t('operatorConsole.queue.recent')}</h2>
${queue.recent.length === 0 ? html`<p class="hint">${t('operatorConsole.queue.noRecent')}</p>` : applicationsTable(t, queue.recent, { contract: true, id: 'recent' })}`,
    chrome,
  );
}

export function newContractPage(page: PageContext, chrome: ConsoleChrome, state: FormState): Html {
  const { t } = page;
  return consoleLayout(
    page,
    'operatorConsole.newContract.title',
    html`<p class="hint">${t('operatorConsole.newContract.intro')}</p>
${errorSummary(t, state)}
<form method="post" action="${consolePaths.newContract}" class="card" novalidate>
  ${csrfField(chrome.csrfToken)}
  ${field(state, { name: 'companyName', label: t('operatorConsole.form.companyName'), maxLength: companyNameLengthMax })}
  ${field(state, { name: 'masterUserId', label: t('operatorConsole.form.masterUserId'), maxLength: userIdLengthMax })}
  ${field(state, { name: 'masterName', label: t('operatorConsole.form.masterName'), maxLength: personNameLengthMax })}
  ${field(state, { name: 'masterEmail', label: t('operatorConsole.form.masterEmail'), type: 'email', maxLength: emailLengthMax })}
  ${lockModeChoice(t, state, 'unlinked')}
  ${referenceField(t, state, 'onboard')}
  ${submitButton(t('operatorConsole.form.record'))}
</form>`,
    chrome,
  );
}

export function applicationPage(page: PageContext, chrome: ConsoleChrome & { staff: Staff }, row: ApplicationRow, done: string | undefined, state: FormState): Html {
  const { t } = page;
  const notice = done && doneNotices[done] ? t(doneNotices[done]) : undefined;
  return consoleLayout(
    page,
    { text: t('operatorConsole.application.title', { id: row.id }) },
    html`${noticeBox(notice)}
${errorSummary(t, state)}
<dl class="facts" id="application-facts">
  <dt>${t('operatorConsole.application.kind')}</dt><dd>${t(`operatorConsole.kind.${row.kind}`)}</dd>
  <dt>${t('operatorConsole.application.contract')}</dt><dd>${row.contract_id ? html`<a href="${consolePaths.contract(row.contract_id)}">${row.contract_id}</a> ${row.company_name}` : withoutContract(t, row.kind)}</dd>
  <dt>${t('operatorConsole.application.details')}</dt><dd>${payloadSummary(t, row)}</dd>
  <dt>${t('operatorConsole.application.reference')}</dt><dd>${row.reference}</dd>
  <dt>${t('operatorConsole.application.status')}</dt><dd id="application-status" data-status="${row.status}">${statusLabel(t, row.status)}</dd>
  <dt>${t('operatorConsole.application.recordedBy')}</dt><dd>${t('operatorConsole.application.byAt', { name: row.recorded_name, login: row.recorded_login, at: jst(t, row.recorded_at) })}</dd>
  ${row.decided_login ? html`<dt>${t('operatorConsole.application.decidedBy')}</dt><dd>${t('operatorConsole.application.byAt', { name: row.decided_name!, login: row.decided_login, at: jst(t, row.decided_at) })}</dd>` : ''}
  ${row.decision_note ? html`<dt>${t('operatorConsole.application.note')}</dt><dd>${row.decision_note}</dd>` : ''}
</dl>
${importedTokensTable(t, row)}
${row.status === 'approved' && row.result ? html`<h2>${t('operatorConsole.application.result')}</h2>${tokenKinds.has(row.kind) ? tokenResultFacts(t, row) : resultFacts(t, row.result)}` : ''}
${actions(page, chrome, row)}`,
    chrome,
  );
}

function actions(page: PageContext, chrome: ConsoleChrome & { staff: Staff }, row: ApplicationRow): Html | string {
  const { t } = page;
  const me = chrome.staff;
  const path = consolePaths.application(row.id);
  if (row.status === 'approved' && row.result?.handover && row.decided_by === me.id) {
    if (row.result.handover === 'done') return html`<p class="hint" id="handed-over">${t('operatorConsole.application.handedOver', { at: jst(t, String(row.result.handedOverAt)) })}</p>`;
    return html`<form method="post" action="${path}/handover" class="card" id="handover">
  ${csrfField(chrome.csrfToken)}
  <p class="warning">${t('operatorConsole.application.handoverIntro')}</p>
  ${submitButton(t('operatorConsole.application.handoverButton'))}
</form>`;
  }
  if (row.status !== 'pending') return '';
  if (row.recorded_by === me.id) {
    return html`<p class="hint" id="own-application">${t('operatorConsole.application.ownPending')}</p>
<form method="post" action="${path}/withdraw" class="card" id="withdraw">${csrfField(chrome.csrfToken)}<div class="actions"><button type="submit" class="secondary">${t('operatorConsole.application.withdraw')}</button></div></form>`;
  }
  if (me.role !== 'approver') return html`<p class="hint" id="approver-only">${t('operatorConsole.application.approverOnly')}</p>`;
  return html`<div class="decide">
<form method="post" action="${path}/approve" class="card" id="approve">
  ${csrfField(chrome.csrfToken)}
  <p>${tokenKinds.has(row.kind) ? tokenApproveIntro(t, row.kind) : t('operatorConsole.application.approveIntro')}</p>
  ${submitButton(t('operatorConsole.application.approve'))}
</form>
<form method="post" action="${path}/reject" class="card reject" id="reject">
  ${csrfField(chrome.csrfToken)}
  <div class="field"><label for="f-note">${t('operatorConsole.application.rejectNote')}</label>
  <input id="f-note" name="note" type="text" maxlength="${decisionNoteLengthMax}" autocomplete="off"></div>
  <div class="actions"><button type="submit" class="secondary">${t('operatorConsole.application.reject')}</button></div>
</form>
</div>`;
}

/** The one-time display of what the approval made for the customer, printable as it stands. */
export function handoverPage(page: PageContext, chrome: ConsoleChrome, handed: HandedOver): Html {
  const { t } = page;
  const card = handed.card;
  return consoleLayout(
    page,
    'operatorConsole.handover.title',
    html`<p class="warning no-print">${t('operatorConsole.handover.intro')}</p>
<p class="hint no-print">${t('operatorConsole.handover.print')}</p>
${handed.registrationPassword
      ? html`<section class="card secret" id="registration-password">
  <h2>${t('operatorConsole.handover.registrationPassword')}</h2>
  <p class="secret-value"><code>${handed.registrationPassword.password}</code></p>
  <p class="hint">${t('operatorConsole.handover.cardHolder', { contractId: handed.contractId, userId: String(handed.application.result?.masterUserId ?? handed.application.result?.userId ?? ''), company: handed.companyName })}<br>
  ${t('operatorConsole.handover.expires', { at: jst(t, handed.registrationPassword.expiresAt) })}</p>
</section>`
      : ''}
${card
      ? html`<section class="printable-card" id="grid-card">
  <h2>${page.bankName} ${t('operatorConsole.handover.card')}</h2>
  <p class="meta">${t('operatorConsole.handover.cardSerial', { serial: card.serial, expires: dayText(t, tokyoDate(card.expiresAt)) })}<br>
  ${t('operatorConsole.handover.cardHolder', { contractId: handed.contractId, userId: card.userId, company: handed.companyName })}</p>
  <table class="grid"><thead><tr><th></th>${gridColumns.map((c) => html`<th>${c}</th>`)}</tr></thead>
  <tbody>${gridRows(card.digits).map((digits, r) => html`<tr><th>${r + 1}</th>${digits.map((d) => html`<td>${d}</td>`)}</tr>`)}</tbody></table>
  <p class="warn">${t('operatorConsole.handover.cardWarning')}</p>
</section>`
      : ''}
<p class="no-print"><a href="${consolePaths.application(handed.application.id)}">${t('operatorConsole.back')}</a></p>`,
    chrome,
  );
}
