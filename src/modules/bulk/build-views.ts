import { problemText } from './problem-text.ts';
import { html, type Html } from '../../web/html.ts';
import { csrfField } from '../../web/layout.ts';
import type { FormState } from '../../web/form.ts';
import type { MessageKey, Translate } from '../../web/i18n/index.ts';
import { bulkPaymentDaysAheadMax } from '../../domain/bulk-schedule.ts';
import { typeCodes } from '../../domain/zengin/fields.ts';
import { accountTypeLabel, fieldMessage, formError, selectInput, textInput } from '../transfers/views-controls.ts';
import type { BulkProblem } from './check.ts';
import type { BuildChoices, BuildPayee } from './build-file.ts';
import { amountField, buildField, employeeField, templateNameLengthMax } from './build-input.ts';
import type { TemplateSummary } from './build-templates.ts';

/** R8.4: the build page — the form, its lines one per payee, the templates — working without JavaScript. */

export interface BuildPageOptions {
  csrfToken: string;
  choices: BuildChoices;
  templates: readonly TemplateSummary[];
  /** The form's values: typed, from a template, or the defaults. */
  values: Record<string, string>;
  problems: readonly BulkProblem[] | undefined;
  notice: string | undefined;
  cutoffTime: string;
  salaryBusinessDays: number;
}

function payeeName(payee: BuildPayee): string {
  return payee.nickname ? `${payee.nickname}（${payee.name}）` : payee.name;
}

/**
 * The problems of the file made, each named by what the person typed: the header is the paying
 * account and the date, record n + 1 the n-th payee paid (the file has one batch).
 */
function problemList(t: Translate, problems: readonly BulkProblem[], paid: readonly BuildPayee[]): Html {
  const where = (record: number | null): string => {
    const payee = record === null ? undefined : paid[record - 2];
    if (record === 1) return t('bulk.build.problem.header');
    if (record !== null && payee) return t('bulk.build.problem.line', { line: record - 1, name: payeeName(payee) });
    return t('bulk.problems.wholeFile');
  };
  const fieldName = (field: string) => (field === 'file' || field === 'record' ? '—' : t(`zengin.field.${field}` as MessageKey));
  return html`<div class="error" role="alert" id="form-error" data-code="BULK_FILE_INVALID">${t('error.BULK_FILE_INVALID')}</div>
<section class="problems" id="bulk-problems" aria-labelledby="problems-title">
<h2 id="problems-title">${t('bulk.build.problemsTitle', { count: problems.length })}</h2>
<table class="uses problems"><thead><tr><th scope="col">${t('bulk.problems.record')}</th><th scope="col">${t('bulk.problems.field')}</th><th scope="col">${t('bulk.problems.reason')}</th></tr></thead>
<tbody>${problems.map((p) => html`<tr data-record="${p.record ?? ''}" data-field="${p.field}"><td>${where(p.record)}</td><td>${fieldName(p.field)}</td><td>${problemText(t, p)}</td></tr>`)}</tbody></table>
</section>`;
}

function templateList(t: Translate, templates: readonly TemplateSummary[]): Html {
  return html`<section class="templates" id="bulk-templates" aria-labelledby="templates-title">
<h2 id="templates-title">${t('bulk.build.template.list')}</h2>
${templates.length === 0
    ? html`<p class="hint">${t('bulk.build.template.none')}</p>`
    : html`<ul>${templates.map((template) => html`<li data-template-id="${template.id}"><a href="/bulk/build?template=${template.id}">${template.name}</a> <span class="hint">${t('bulk.build.template.item', { kind: t(`bulk.kind.${template.typeCode}` as MessageKey), count: template.lineCount })}</span></li>`)}</ul>`}
</section>`;
}

function lineRow(t: Translate, state: FormState, payee: BuildPayee, values: Record<string, string>): Html {
  const amount = amountField(payee.id);
  const employee = employeeField(payee.id);
  const name = payeeName(payee);
  const invalid = (field: string) => (state.error?.field === field ? html` aria-invalid="true" aria-describedby="form-error"` : '');
  return html`<tr data-payee-id="${payee.id}">
<td class="kana">${name}</td>
<td>${payee.bankName} ${payee.branchName}<br><span class="hint">${payee.bankCode}-${payee.branchCode}</span></td>
<td>${accountTypeLabel(t, payee.accountType)} ${payee.accountNumber}</td>
<td class="amount${state.error?.field === amount ? ' invalid' : ''}">${fieldMessage(t, state, amount)}<label class="visually-hidden" for="f-${amount}">${t('bulk.build.amountLabel', { name })}</label>
<input id="f-${amount}" name="${amount}" type="text" inputmode="numeric" maxlength="20" autocomplete="off" value="${values[amount] ?? ''}"${invalid(amount)}></td>
<td class="${state.error?.field === employee ? 'invalid' : ''}">${fieldMessage(t, state, employee)}<label class="visually-hidden" for="f-${employee}">${t('bulk.build.employeeLabel', { name })}</label>
<input id="f-${employee}" name="${employee}" type="text" inputmode="numeric" maxlength="10" autocomplete="off" value="${values[employee] ?? ''}"${invalid(employee)}></td>
</tr>`;
}

export function buildPage(t: Translate, state: FormState, options: BuildPageOptions): Html {
  const { choices, values } = options;
  const lineFields = choices.payees.flatMap((payee) => [amountField(payee.id), employeeField(payee.id)]);
  // An error of a field the page shows is shown next to it; any other above the form.
  const formFields = [buildField.kind, buildField.paymentDate, buildField.templateName, ...(choices.accounts.length > 0 ? [buildField.fromAccountId] : []), ...lineFields];
  // The payees paid, in the order of the file's records: those with an amount typed.
  const paid = choices.payees.filter((payee) => (values[amountField(payee.id)] ?? '').trim() !== '');
  const accountChoices = choices.accounts.map((account) => ({
    value: String(account.id),
    label: t('bulk.build.account', { branch: account.branchName ?? account.branchCode, type: accountTypeLabel(t, account.accountType), number: account.accountNumber, holder: account.holderKana }),
  }));
  return html`<p>${t('bulk.build.intro')}</p>
<p class="hint">${t('bulk.build.salaryNote')}</p>
${options.notice ? html`<p class="notice" role="status" id="bulk-build-notice">${options.notice}</p>` : ''}
${options.problems ? problemList(t, options.problems, paid) : formError(t, state, formFields)}
<form method="post" action="/bulk/build" class="card transfer-form" id="bulk-build" novalidate>
  ${csrfField(options.csrfToken)}
  ${selectInput(t, state, { name: buildField.kind, label: t('bulk.build.kind'), value: values[buildField.kind] ?? '21', choices: typeCodes.map((code) => ({ value: code, label: t(`bulk.kind.${code}`) })) })}
  ${choices.accounts.length === 0
    ? html`<p class="warning" id="bulk-build-no-accounts">${t('bulk.build.noAccounts')}</p>`
    : selectInput(t, state, { name: buildField.fromAccountId, label: t('bulk.build.from'), value: values[buildField.fromAccountId] ?? '', choices: accountChoices, hint: t('bulk.build.fromHint') })}
  ${textInput(t, state, {
    name: buildField.paymentDate,
    label: t('bulk.build.date'),
    value: values[buildField.paymentDate] ?? choices.defaultDate,
    type: 'date',
    hint: t('bulk.build.dateHint', { days: bulkPaymentDaysAheadMax, businessDays: options.salaryBusinessDays, cutoff: options.cutoffTime }),
  })}
  <h2>${t('bulk.build.lines')}</h2>
  ${choices.payees.length === 0
    ? html`<p class="warning" id="bulk-build-no-payees">${t('bulk.build.noPayees')} <a href="/payees">${t('bulk.build.payeesLink')}</a></p>`
    : html`<p class="hint">${t('bulk.build.linesHint')}</p>
  <table class="uses bulk-build-lines"><thead><tr>
<th scope="col">${t('bulk.build.col.payee')}</th><th scope="col">${t('bulk.build.col.bank')}</th><th scope="col">${t('bulk.build.col.account')}</th>
<th scope="col">${t('bulk.build.col.amount')}</th><th scope="col">${t('bulk.build.col.employee')}</th></tr></thead>
<tbody>${choices.payees.map((payee) => lineRow(t, state, payee, values))}</tbody></table>`}
  <div class="actions">
    <button type="submit" name="${buildField.action}" value="make" id="bulk-build-make">${t('bulk.build.make')}</button>
    <button type="submit" name="${buildField.action}" value="download" id="bulk-build-download">${t('bulk.build.download')}</button>
  </div>
  <p class="hint">${t('bulk.build.downloadHint')}</p>
  <section class="template-save" aria-labelledby="template-title">
  <h2 id="template-title">${t('bulk.build.template.title')}</h2>
  <p class="hint">${t('bulk.build.template.intro')}</p>
  ${textInput(t, state, { name: buildField.templateName, label: t('bulk.build.template.name'), value: values[buildField.templateName] ?? '', maxLength: templateNameLengthMax, hint: t('bulk.build.template.nameHint', { max: templateNameLengthMax }), size: 'long' })}
  <div class="actions"><button type="submit" name="${buildField.action}" value="save" id="bulk-build-save">${t('bulk.build.template.save')}</button></div>
  </section>
</form>
${templateList(t, options.templates)}
<p><a href="/bulk">${t('bulk.back')}</a></p>`;
}
