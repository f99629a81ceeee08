import { problemText } from './problem-text.ts';
import { dayText, momentText } from '../../web/day.ts';
import { html, type Html } from '../../web/html.ts';
import { csrfField } from '../../web/layout.ts';
import { submitButton, type FormState } from '../../web/form.ts';
import type { MessageKey, Translate } from '../../web/i18n/index.ts';
import { sendBackReasonLengthMax } from '../../domain/approval.ts';
import type { BulkFile, BulkRecord } from '../../db/schema-bulk.ts';
import type { AccountType } from '../../db/schema.ts';
import { accountTypeLabel, facts, fieldMessage, formError, textInput, yen } from '../transfers/views-controls.ts';
import type { BulkProblem } from './check.ts';
import type { BulkAction, FileDetail, FileSummary, Person } from './queries.ts';
import { recordsPerPage } from './queries.ts';
import { awaitedNote } from '../transfers/views-detail.ts';

/** The pages of bulk transfer files (R8.4): the list, the upload with every problem named, and one file. */

export const bulkField = {
  file: 'file',
  idempotencyKey: 'idempotencyKey',
  confirmationPassword: 'confirmationPassword',
  duplicateConfirmed: 'duplicateConfirmed',
  reason: 'reason',
} as const;

function personText(person: Person | undefined): string {
  return person ? `${person.name} (${person.userId})` : '—';
}

function kindLabel(t: Translate, typeCode: string): string {
  return t(`bulk.kind.${typeCode}` as MessageKey);
}

function statusLabel(t: Translate, status: BulkFile['status']): string {
  return t(`bulk.status.${status}` as MessageKey);
}

function accountText(t: Translate, account: { branch_code: string; account_type: AccountType; account_number: string }): string {
  return t('transferPages.account.label', { branch: account.branch_code, type: accountTypeLabel(t, account.account_type), number: account.account_number });
}

export function listPage(t: Translate, options: { items: FileSummary[]; total: number; page: number; pages: number; canRegister: boolean }): Html {
  const pager = options.pages > 1
    ? html`<nav class="pager" aria-label="${t('transferPages.page.nav')}">
${options.page > 1 ? html`<a href="/bulk?page=${options.page - 1}" rel="prev">${t('transferPages.page.prev')}</a>` : ''}
<span>${t('transferPages.page.of', { page: options.page, pages: options.pages })}</span>
${options.page < options.pages ? html`<a href="/bulk?page=${options.page + 1}" rel="next">${t('transferPages.page.next')}</a>` : ''}
</nav>`
    : '';
  return html`<p>${t('bulk.list.intro')}</p>
${options.canRegister ? html`<p class="actions"><a class="button" href="/bulk/upload" id="bulk-upload-link">${t('bulk.upload.link')}</a> <a href="/bulk/build" id="bulk-build-link">${t('bulk.build.link')}</a></p>` : ''}
<p class="hint">${t('bulk.list.count', { total: options.total })}</p>
${options.items.length === 0
    ? html`<p class="hint" id="bulk-empty">${t('bulk.list.empty')}</p>`
    : html`<table class="uses bulk-files"><thead><tr>
<th scope="col">${t('bulk.col.id')}</th><th scope="col">${t('bulk.col.kind')}</th><th scope="col">${t('bulk.col.paymentDate')}</th>
<th scope="col">${t('bulk.col.from')}</th><th scope="col">${t('bulk.col.count')}</th><th scope="col">${t('bulk.col.total')}</th>
<th scope="col">${t('bulk.col.status')}</th><th scope="col">${t('bulk.col.createdBy')}</th></tr></thead>
<tbody>${options.items.map(({ file, createdBy, account }) => html`<tr data-bulk-id="${file.id.toString()}" class="${file.status}">
<td><a href="/bulk/files/${file.id.toString()}">${file.id.toString()}</a></td><td>${kindLabel(t, file.type_code)}</td><td>${dayText(t, file.payment_date)}</td>
<td>${accountText(t, account)}</td><td class="amount">${t('bulk.count', { count: file.record_count })}</td><td class="amount">${yen(t, file.total_yen)}</td>
<td>${statusLabel(t, file.status)}</td><td>${personText(createdBy)}</td></tr>`)}</tbody></table>`}
${pager}`;
}

/** R8.4: the problems of a file, every one, each with its record and field. */
function problemList(t: Translate, problems: readonly BulkProblem[]): Html {
  const fieldName = (field: string) => (field === 'file' || field === 'record' ? '—' : t(`zengin.field.${field}` as MessageKey));
  return html`<section class="problems" id="bulk-problems" aria-labelledby="problems-title">
<h2 id="problems-title">${t('bulk.problems.title', { count: problems.length })}</h2>
<table class="uses problems"><thead><tr><th scope="col">${t('bulk.problems.record')}</th><th scope="col">${t('bulk.problems.field')}</th><th scope="col">${t('bulk.problems.reason')}</th></tr></thead>
<tbody>${problems.map((p) => html`<tr data-record="${p.record ?? ''}" data-field="${p.field}"><td>${p.record === null ? t('bulk.problems.wholeFile') : t('bulk.problems.recordNumber', { record: p.record })}</td><td>${fieldName(p.field)}</td><td>${problemText(t, p)}</td></tr>`)}</tbody></table>
</section>`;
}

export function uploadPage(t: Translate, state: FormState, options: { csrfToken: string; bytesMax: number; problems: readonly BulkProblem[] | undefined }): Html {
  return html`<p>${t('bulk.upload.intro')}</p>
<ul class="hint"><li>${t('bulk.upload.formats')}</li><li>${t('bulk.upload.limit', { megabytes: (options.bytesMax / 1024 / 1024).toFixed(1) })}</li></ul>
${options.problems ? '' : formError(t, state, [bulkField.file])}
${options.problems ? html`<div class="error" role="alert" id="form-error" data-code="${state.error?.code ?? ''}">${t('error.BULK_FILE_INVALID')}</div>${problemList(t, options.problems)}` : ''}
<form method="post" action="/bulk/upload" enctype="multipart/form-data" class="card" id="bulk-upload" novalidate>
  ${csrfField(options.csrfToken)}
  <div class="field${state.error?.field === bulkField.file ? ' invalid' : ''}">
    <label for="f-file">${t('bulk.upload.file')}</label>
    ${fieldMessage(t, state, bulkField.file)}
    <input id="f-file" name="${bulkField.file}" type="file" accept=".txt,.dat,.csv,text/plain,application/octet-stream">
  </div>
  ${submitButton(t('bulk.upload.submit'))}
</form>
<p><a href="/bulk">${t('bulk.back')}</a></p>`;
}

function recordsTable(t: Translate, records: readonly BulkRecord[], withResult: boolean): Html {
  return html`<table class="uses bulk-records"><thead><tr>
<th scope="col">${t('bulk.col.recordNumber')}</th><th scope="col">${t('bulk.col.bank')}</th><th scope="col">${t('bulk.col.account')}</th>
<th scope="col">${t('bulk.col.name')}</th><th scope="col">${t('bulk.col.amount')}</th><th scope="col">${t('bulk.col.fee')}</th>${withResult ? html`<th scope="col">${t('bulk.col.result')}</th>` : ''}</tr></thead>
<tbody>${records.map((r) => html`<tr data-seq="${r.seq}" class="${r.status}"><td>${r.record_number}</td><td>${r.bank_name} ${r.branch_name}<br><span class="hint">${r.bank_code}-${r.branch_code}</span></td>
<td>${t(`bulk.accountType.${r.account_type}` as MessageKey)} ${r.account_number}</td><td class="kana">${r.name_kana}</td><td class="amount">${yen(t, r.amount_yen)}</td><td class="amount">${yen(t, r.fee_yen)}</td>
${withResult ? html`<td>${r.status === 'returned' ? t(`bulk.return.${r.return_reason!}` as MessageKey) : t(`bulk.record.${r.status}` as MessageKey)}</td>` : ''}</tr>`)}</tbody></table>`;
}

export interface FilePageOptions {
  csrfToken: string;
  idempotencyKey: string;
  records: readonly BulkRecord[];
  page: number;
  returnedRecords: readonly BulkRecord[];
  done?: string;
}

const actionLabels: Record<BulkAction, MessageKey> = {
  register: 'bulk.action.register',
  discard: 'bulk.action.discard',
  approve: 'bulk.action.approve',
  send: 'bulk.action.send',
  send_back: 'bulk.action.sendBack',
  withdraw: 'bulk.action.withdraw',
};

const actionPaths: Record<BulkAction, string> = {
  register: 'register', discard: 'discard', approve: 'approve', send: 'send', send_back: 'send-back', withdraw: 'withdraw',
};

function actionForm(t: Translate, state: FormState, detail: FileDetail, action: BulkAction, options: FilePageOptions): Html {
  const asksPassword = action === 'approve' || action === 'send' || (action === 'register' && detail.registerSends);
  const id = detail.file.id.toString();
  const fields: string[] = [bulkField.confirmationPassword, bulkField.duplicateConfirmed, bulkField.reason];
  return html`<section class="action" id="action-${actionPaths[action]}">
<h2>${t(actionLabels[action])}</h2>
<p class="hint">${t(`${actionLabels[action]}.intro` as MessageKey)}</p>
${state.values?.action === action ? formError(t, state, fields) : ''}
<form method="post" action="/bulk/files/${id}" class="card" novalidate>
  ${csrfField(options.csrfToken)}
  <input type="hidden" name="${bulkField.idempotencyKey}" value="${options.idempotencyKey}">
  <input type="hidden" name="action" value="${action}">
  ${action === 'register' && detail.duplicateOf ? html`<div class="field${state.error?.field === bulkField.duplicateConfirmed ? ' invalid' : ''}">
    ${fieldMessage(t, state, bulkField.duplicateConfirmed)}
    <label><input type="checkbox" name="${bulkField.duplicateConfirmed}" value="yes" id="f-duplicateConfirmed"> ${t('bulk.duplicate.confirm')}</label></div>` : ''}
  ${action === 'send_back' ? textInput(t, state, { name: bulkField.reason, label: t('bulk.field.reason'), value: '', maxLength: sendBackReasonLengthMax, size: 'long' }) : ''}
  ${asksPassword ? textInput(t, state, { name: bulkField.confirmationPassword, label: t('bulk.field.confirmationPassword'), value: '', type: 'password', autocomplete: 'current-password' }) : ''}
  ${submitButton(t(action === 'register' && detail.registerSends ? 'bulk.action.registerAndSend' : actionLabels[action]))}
</form>
</section>`;
}

export function filePage(t: Translate, state: FormState, detail: FileDetail, options: FilePageOptions): Html {
  const { file } = detail;
  const id = file.id.toString();
  const pages = Math.max(1, Math.ceil(file.record_count / recordsPerPage));
  const result = file.status === 'completed';
  const pager = pages > 1
    ? html`<nav class="pager" aria-label="${t('transferPages.page.nav')}">
${options.page > 1 ? html`<a href="/bulk/files/${id}?page=${options.page - 1}" rel="prev">${t('transferPages.page.prev')}</a>` : ''}
<span>${t('transferPages.page.of', { page: options.page, pages })}</span>
${options.page < pages ? html`<a href="/bulk/files/${id}?page=${options.page + 1}" rel="next">${t('transferPages.page.next')}</a>` : ''}
</nav>`
    : '';
  // A refusal of a step the page no longer offers (the file moved on, the person may not take it) is shown on top.
  const shownInForm = detail.actions.some((action) => action === state.values?.action);
  return html`${!shownInForm ? formError(t, state, []) : ''}
${options.done ? html`<p class="notice" role="status" id="bulk-done">${t(`bulk.done.${options.done}` as MessageKey)}</p>` : ''}
${awaitedNote(t, detail.awaited)}
${detail.duplicateOf && file.status === 'draft' ? html`<div class="warning" role="alert" id="bulk-duplicate">${t('bulk.duplicate.warning', { id: detail.duplicateOf.id.toString(), at: momentText(t, detail.duplicateOf.createdAt) })}</div>` : ''}
${facts([
    [t('bulk.col.id'), id],
    [t('bulk.col.kind'), kindLabel(t, file.type_code)],
    [t('bulk.col.fileName'), file.file_name],
    [t('bulk.col.status'), html`<span class="status ${file.status}" id="bulk-status" data-status="${file.status}">${statusLabel(t, file.status)}</span>`],
    [t('bulk.col.paymentDate'), dayText(t, file.payment_date)],
    [t('bulk.col.from'), accountText(t, detail.account)],
    [t('bulk.col.batches'), String(file.batch_count)],
    [t('bulk.col.count'), html`<span id="bulk-count">${t('bulk.count', { count: file.record_count })}</span>`],
    [t('bulk.col.total'), html`<span id="bulk-total">${yen(t, file.total_yen)}</span>`],
    [t('bulk.col.fees'), yen(t, file.fee_yen)],
    [t('bulk.col.createdBy'), personText(detail.createdBy)],
    ...detail.approvals.map((a) => [t('bulk.col.approvedBy', { step: a.step }), `${personText(a.by)} ${momentText(t, a.at)}`] as const),
    ...(detail.sentBy ? [[t('bulk.col.sentBy'), `${personText(detail.sentBy)} ${file.sent_at ? momentText(t, file.sent_at) : ''}`] as const] : []),
    ...(file.status_reason ? [[t('bulk.col.reason'), file.status_reason] as const] : []),
  ])}
${result ? html`<section class="result" id="bulk-result"><h2>${t('bulk.result.title')}</h2>
<p>${detail.returned.count === 0 ? t('bulk.result.all', { count: file.record_count }) : t('bulk.result.returned', { count: detail.returned.count, total: yen(t, detail.returned.totalYen) })}</p>
${options.returnedRecords.length > 0 ? html`<h3>${t('bulk.result.returnedTitle')}</h3>${recordsTable(t, options.returnedRecords, true)}` : ''}
<p><a href="/bulk/files/${id}/result.csv" id="bulk-result-csv" download>${t('bulk.result.csv')}</a>${detail.returned.count > 0 ? html` ・ <a href="/bulk/files/${id}/result.txt" id="bulk-result-zengin" download>${t('bulk.result.zengin')}</a>` : ''}</p></section>` : ''}
${detail.actions.length === 0 ? html`<p class="hint" id="bulk-no-action">${t('bulk.actions.none')}</p>` : detail.actions.map((action) => actionForm(t, state, detail, action, options))}
<h2>${t('bulk.records.title')}</h2>
${recordsTable(t, options.records, result)}
${pager}
<p><a href="/bulk/files/${id}/file" download>${t('bulk.file.download')}</a> ・ <a href="/bulk">${t('bulk.back')}</a></p>`;
}
