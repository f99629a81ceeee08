import { dayText } from '../../web/day.ts';
import { html, type Html } from '../../web/html.ts';
import { errorSummary, type FormState } from '../../web/form.ts';
import type { AppError } from '../../errors.ts';
import type { MessageKey, Translate } from '../../web/i18n/index.ts';
import { formatYen } from '../../domain/money.ts';
import type { AccountBalance, StatementLine } from './repository.ts';
import type { StatementPage } from './service.ts';
import { statementDefaultDays, statementRangeDaysMax, type AskedPeriod, type CsvEncoding, type StatementPeriod } from './statement-query.ts';

/** The inquiry pages (R8.1): the accounts with their balances, and one account's statement. */

export function accountPath(account: AccountBalance): string {
  return `/accounts/${account.id}/statement`;
}

function typeLabel(t: Translate, account: AccountBalance): string {
  return t(`accounts.type.${account.accountType}`);
}

/** "本店（001）": the bank's own name of the branch where it has one, and always its code. */
export function branchLabel(t: Translate, account: AccountBalance): string {
  return account.branchName ? t('accounts.branch.named', { name: account.branchName, code: account.branchCode }) : account.branchCode;
}

function yen(t: Translate, amount: bigint): string {
  return t('accounts.yen', { amount: formatYen(amount) });
}

export function accountsTable(t: Translate, accounts: readonly AccountBalance[]): Html {
  if (accounts.length === 0) return html`<p class="notice" id="no-accounts">${t('accounts.none')}</p>`;
  return html`<table class="uses inquiry-accounts">
<thead><tr><th scope="col">${t('accounts.col.branch')}</th><th scope="col">${t('accounts.col.type')}</th><th scope="col">${t('accounts.col.number')}</th><th scope="col">${t('accounts.col.holder')}</th><th scope="col" class="amount">${t('accounts.col.currentBalance')}</th><th scope="col">${t('accounts.col.statement')}</th></tr></thead>
<tbody>
${accounts.map(
  (account) => html`<tr data-account-id="${account.id}">
<td>${branchLabel(t, account)}</td>
<td>${typeLabel(t, account)}</td>
<td>${account.accountNumber}</td>
<td>${account.holderKana}</td>
<td class="amount balance">${yen(t, account.balanceYen)}</td>
<td><a href="${accountPath(account)}">${t('accounts.statementLink')}<span class="visually-hidden"> ${account.branchCode} ${account.accountNumber}</span></a></td>
</tr>`,
)}
</tbody>
</table>`;
}

export function accountFacts(t: Translate, account: AccountBalance): Html {
  return html`<dl class="facts">
  <dt>${t('accounts.col.branch')}</dt><dd>${branchLabel(t, account)}</dd>
  <dt>${t('accounts.col.type')}</dt><dd>${typeLabel(t, account)}</dd>
  <dt>${t('accounts.col.number')}</dt><dd>${account.accountNumber}</dd>
  <dt>${t('accounts.col.holder')}</dt><dd>${account.holderKana}</dd>
  <dt>${t('accounts.col.currentBalance')}</dt><dd class="balance" id="current-balance">${yen(t, account.balanceYen)}</dd>
</dl>`;
}

function invalid(state: FormState, name: string): Html | '' {
  return state.error?.field === name ? html` aria-invalid="true" aria-describedby="form-error"` : '';
}

function dateField(t: Translate, state: FormState, name: 'from' | 'to', label: MessageKey, value: string, today: string): Html {
  return html`<div class="field date${state.error?.field === name ? ' invalid' : ''}">
  <label for="f-${name}">${t(label)}</label>
  <input id="f-${name}" name="${name}" type="date" value="${value}" max="${today}" autocomplete="off"${invalid(state, name)}>
</div>`;
}

/** The period form: a GET, so the statement it shows has an address of its own (and needs no token). */
export function periodForm(t: Translate, state: FormState, account: AccountBalance, shown: AskedPeriod, today: string): Html {
  return html`${errorSummary(t, state)}
<form method="get" action="${accountPath(account)}" class="card period-form" novalidate>
  <div class="period-fields">
  ${dateField(t, state, 'from', 'accounts.field.from', shown.from, today)}
  ${dateField(t, state, 'to', 'accounts.field.to', shown.to, today)}
  </div>
  <p class="hint">${t('accounts.hint.period', { days: statementDefaultDays, max: statementRangeDaysMax })}</p>
  <div class="actions"><button type="submit">${t('accounts.submit')}</button></div>
</form>`;
}

function query(period: StatementPeriod, extra: Record<string, string> = {}): string {
  return new URLSearchParams({ from: period.from, to: period.to, ...extra }).toString();
}

function pageLinks(t: Translate, account: AccountBalance, period: StatementPeriod, result: StatementPage): Html | '' {
  if (result.pages <= 1) return '';
  const link = (page: number, label: MessageKey, rel: string) =>
    html`<a href="${accountPath(account)}?${query(period, { page: String(page) })}" rel="${rel}">${t(label)}</a>`;
  return html`<nav class="pages" aria-label="${t('accounts.pages')}">
  ${result.page > 1 ? html`${link(1, 'accounts.page.first', 'first')} ${link(result.page - 1, 'accounts.page.previous', 'prev')}` : ''}
  <span class="page-of">${t('accounts.page.of', { page: result.page, pages: result.pages })}</span>
  ${result.page < result.pages ? html`${link(result.page + 1, 'accounts.page.next', 'next')} ${link(result.pages, 'accounts.page.last', 'last')}` : ''}
</nav>`;
}

function downloadLinks(t: Translate, account: AccountBalance, period: StatementPeriod): Html {
  const href = (encoding: CsvEncoding) => `/accounts/${account.id}/statement.csv?${query(period, { encoding })}`;
  return html`<p class="downloads">${t('accounts.download')}:
  <a href="${href('utf-8')}" download>${t('accounts.download.utf8')}</a>
  <a href="${href('shift_jis')}" download>${t('accounts.download.sjis')}</a></p>`;
}

function lineRow(t: Translate, line: StatementLine): Html {
  const withdrawal = line.amountYen < 0n ? formatYen(-line.amountYen) : '';
  const deposit = line.amountYen > 0n ? formatYen(line.amountYen) : '';
  return html`<tr data-posting="${line.postingId}">
<td class="date">${dayText(t, line.valueDate)}</td>
<td class="description">${line.description}</td>
<td class="amount withdrawal">${withdrawal}</td>
<td class="amount deposit">${deposit}</td>
<td class="amount balance">${formatYen(line.balanceAfterYen)}</td>
<td class="transfer-number">${line.transferId === null ? '' : line.transferId.toString()}</td>
</tr>`;
}

/** The statement of a period: oldest first, newest last, as a passbook prints it. */
export function statementSection(t: Translate, account: AccountBalance, period: StatementPeriod, result: StatementPage): Html {
  const heading = html`<h2>${t('accounts.statement.period', { from: dayText(t, period.from), to: dayText(t, period.to) })}</h2>`;
  if (result.total === 0) return html`${heading}<p class="notice" id="no-lines">${t('accounts.statement.empty')}</p>`;
  return html`${heading}
<p class="hint">${t('accounts.statement.order', { total: result.total })}</p>
${downloadLinks(t, account, period)}
<table class="uses statement">
<thead><tr><th scope="col">${t('accounts.col.date')}</th><th scope="col">${t('accounts.col.description')}</th><th scope="col" class="amount">${t('accounts.col.withdrawal')}</th><th scope="col" class="amount">${t('accounts.col.deposit')}</th><th scope="col" class="amount">${t('accounts.col.balance')}</th><th scope="col">${t('accounts.col.transferNumber')}</th></tr></thead>
<tbody>
${result.lines.map((line) => lineRow(t, line))}
</tbody>
</table>
${pageLinks(t, account, period, result)}`;
}

/** What the statement page shows: a period's lines, or a refused query with what was asked. */
export type ShownStatement = { period: StatementPeriod; result: StatementPage } | { error: AppError; asked: AskedPeriod };

/** The account, the period form and, unless the query was refused, the period's lines. */
export function statementPageBody(t: Translate, account: AccountBalance, today: string, shown: ShownStatement): Html {
  const refused = 'error' in shown;
  const state: FormState = refused ? { error: shown.error } : {};
  const asked = refused ? shown.asked : { from: shown.period.from, to: shown.period.to };
  return html`${accountFacts(t, account)}
${periodForm(t, state, account, asked, today)}
${refused ? '' : statementSection(t, account, shown.period, shown.result)}
<p><a href="/accounts">${t('accounts.back')}</a></p>`;
}
