import { html, type Html } from '../../../web/html.ts';
import { csrfField, type PageContext } from '../../../web/layout.ts';
import { errorSummary, noticeBox, submitButton, type FormState } from '../../../web/form.ts';
import type { Translate } from '../../../web/i18n/index.ts';
import type { Staff } from '../../../db/schema.ts';
import { formatYen } from '../../../domain/money.ts';
import { dayMs } from '../../../domain/tokyo-time.ts';
import { tokenSerialLengthMax } from '../../../modules/contracts/application-payload.ts';
import { tokenAssignReasons } from '../../../modules/tokens/assign.ts';
import type { TokenSummary } from '../../../modules/tokens/queries.ts';
import { consoleLayout, jst, type ConsoleChrome } from '../layout.ts';
import { consolePaths } from '../paths.ts';
import { tokenPaths } from '../token-paths.ts';
import { referenceField } from './common.ts';
import { assignReasonLabel } from './token-summary.ts';
import { dayText } from '../../../web/day.ts';

/**
 * The console's hardware-token pages (R6.2, R6.7, the help desk): the bank's tokens, one token for
 * the help desk with its two forms, the tokens expiring soon, the import of a vendor's file and a
 * contract's tokens with the assignment form. Never a secret: a token is shown by its serial.
 */
export const tokensShownMax = 500;

type Columns = 'contract' | 'daysLeft';

function stateLabel(t: Translate, token: TokenSummary): string {
  return t(`tokens.console.state.${token.state}`);
}

function contractCell(t: Translate, contractId: string | null): Html | string {
  return contractId ? html`<a href="${consolePaths.contract(contractId)}">${contractId}</a>` : t('tokens.console.notAssigned');
}

function assignedText(t: Translate, token: TokenSummary): string {
  if (!token.assignedAt) return '—';
  return t('tokens.console.assignedValue', { at: jst(t, token.assignedAt), reason: token.assignReason ? assignReasonLabel(t, token.assignReason) : '' });
}

/** Whole days from today (Tokyo) to the expiry date: the token stops working at the start of that day. */
function daysUntil(today: string, expires: string): number {
  return Math.round((Date.parse(`${expires}T00:00:00Z`) - Date.parse(`${today}T00:00:00Z`)) / dayMs);
}

function tokensTable(t: Translate, tokens: TokenSummary[], options: { id: string; columns: Columns[]; today: string }): Html {
  const shown = tokens.slice(0, tokensShownMax);
  const contract = options.columns.includes('contract');
  const daysLeft = options.columns.includes('daysLeft');
  return html`<div class="scroll"><table class="uses tokens" id="${options.id}">
<thead><tr><th>${t('tokens.console.column.serial')}</th><th>${t('tokens.console.column.state')}</th><th>${t('tokens.console.column.expires')}</th>${daysLeft ? html`<th>${t('tokens.console.column.daysLeft')}</th>` : ''}${contract ? html`<th>${t('tokens.console.column.contract')}</th>` : ''}<th>${t('tokens.console.column.users')}</th><th>${t('tokens.console.column.assigned')}</th><th>${t('tokens.console.column.lastUsed')}</th></tr></thead>
<tbody>${shown.map(
    (token) => html`<tr data-serial="${token.serial}" data-state="${token.state}"${token.state === 'revoked' || token.state === 'expired' ? html` class="failure"` : ''}>
<td class="nowrap"><a href="${tokenPaths.token(token.serial)}">${token.serial}</a></td><td class="nowrap">${stateLabel(t, token)}</td><td class="nowrap">${dayText(t, token.expires)}</td>${
      daysLeft ? html`<td class="nowrap number">${t('tokens.console.daysLeft', { days: daysUntil(options.today, token.expires) })}</td>` : ''
    }${contract ? html`<td class="nowrap">${contractCell(t, token.contract)}</td>` : ''}<td>${token.users.join(', ') || t('tokens.console.nobody')}</td><td>${assignedText(t, token)}</td><td class="nowrap">${token.lastUsedAt ? jst(t, token.lastUsedAt) : t('tokens.console.neverUsed')}</td></tr>`,
  )}</tbody></table></div>
${tokens.length > shown.length ? html`<p class="hint">${t('tokens.console.list.truncated', { shown: shown.length })}</p>` : ''}`;
}

function tokenLinks(t: Translate): Html {
  return html`<p class="token-links"><a href="${tokenPaths.importFile}">${t('tokens.console.link.import')}</a> ・ <a href="${tokenPaths.expiring}">${t('tokens.console.link.expiring')}</a></p>`;
}

export interface TokenListView {
  tokens: TokenSummary[];
  contractId: string | undefined;
  today: string;
}

export function tokenListPage(page: PageContext, chrome: ConsoleChrome, view: TokenListView, state: FormState): Html {
  const { t } = page;
  const serialInvalid = state.error?.field === 'serial';
  const contractInvalid = state.error?.field === 'contract';
  return consoleLayout(
    page,
    'tokens.console.list.title',
    html`<p class="hint">${t('tokens.console.list.intro')}</p>
${tokenLinks(t)}
${errorSummary(t, state)}
<div class="record-forms">
<form method="get" action="${tokenPaths.list}" class="card search" role="search" id="find-token">
  <div class="field${serialInvalid ? ' invalid' : ''}"><label for="f-serial">${t('tokens.console.list.serial')}</label>
  <input id="f-serial" name="serial" type="text" value="${state.values?.serial ?? ''}" maxlength="${tokenSerialLengthMax}" autocomplete="off"${serialInvalid ? html` aria-invalid="true" aria-describedby="form-error"` : ''}></div>
  ${submitButton(t('tokens.console.list.find'))}
</form>
<form method="get" action="${tokenPaths.list}" class="card search" id="filter-tokens">
  <div class="field${contractInvalid ? ' invalid' : ''}"><label for="f-contract">${t('tokens.console.list.contract')}</label>
  <input id="f-contract" name="contract" type="text" inputmode="numeric" value="${state.values?.contract ?? view.contractId ?? ''}" maxlength="11" autocomplete="off"${contractInvalid ? html` aria-invalid="true" aria-describedby="form-error"` : ''}></div>
  ${submitButton(t('tokens.console.list.filter'))}
</form>
</div>
<h2>${view.contractId ? t('tokens.console.list.filtered', { contractId: view.contractId, count: view.tokens.length }) : t('tokens.console.list.count', { count: view.tokens.length })}</h2>
${view.contractId ? html`<p><a href="${tokenPaths.contract(view.contractId)}">${t('tokens.console.contract.link')}</a> ・ <a href="${tokenPaths.list}">${t('tokens.console.list.all')}</a></p>` : ''}
${view.tokens.length === 0 ? html`<p class="notice" role="status" id="no-tokens">${t('tokens.console.list.none')}</p>` : tokensTable(t, view.tokens, { id: 'tokens', columns: ['contract'], today: view.today })}`,
    chrome,
  );
}

export function expiringPage(page: PageContext, chrome: ConsoleChrome, tokens: TokenSummary[], today: string, until: string): Html {
  const { t } = page;
  return consoleLayout(
    page,
    'tokens.console.expiring.title',
    html`<p class="hint">${t('tokens.console.expiring.intro', { until })}</p>
${tokens.length === 0 ? html`<p class="notice" role="status" id="no-tokens">${t('tokens.console.expiring.none')}</p>` : tokensTable(t, tokens, { id: 'expiring', columns: ['daysLeft', 'contract'], today })}
<p><a href="${tokenPaths.list}">${t('tokens.console.token.back')}</a></p>`,
    chrome,
  );
}

export interface TokenView {
  token: TokenSummary;
  companyName: string | undefined;
  /** The outcome of the last help-desk action, from the address it redirected to. */
  tested?: 'accepted' | 'refused';
  resynced: boolean;
}

function codeInput(state: FormState, name: string, label: string): Html {
  const invalid = state.error?.field === name;
  return html`<div class="field${invalid ? ' invalid' : ''}"><label for="f-${name}">${label}</label>
  <input id="f-${name}" name="${name}" type="text" inputmode="numeric" pattern="[0-9]{6}" maxlength="6" autocomplete="off" class="code"${invalid ? html` aria-invalid="true" aria-describedby="form-error"` : ''}></div>`;
}

export function tokenPage(page: PageContext, chrome: ConsoleChrome & { staff: Staff }, view: TokenView, state: FormState): Html {
  const { t } = page;
  const { token } = view;
  const usable = token.state !== 'revoked' && token.state !== 'expired';
  const notice = view.resynced ? t('tokens.console.resync.done', { steps: token.driftSteps }) : view.tested === 'accepted' ? t('tokens.console.test.accepted') : undefined;
  return consoleLayout(
    page,
    { text: t('tokens.console.token.title', { serial: token.serial }) },
    html`${noticeBox(notice)}
${view.tested === 'refused' ? html`<div class="error" role="status" id="test-refused">${t('tokens.console.test.refused')}</div>` : ''}
${errorSummary(t, state)}
<dl class="facts" id="token-facts" data-state="${token.state}">
  <dt>${t('tokens.console.column.serial')}</dt><dd>${token.serial}</dd>
  <dt>${t('tokens.console.column.state')}</dt><dd id="token-state">${stateLabel(t, token)}</dd>
  <dt>${t('tokens.console.column.expires')}</dt><dd>${dayText(t, token.expires)}</dd>
  <dt>${t('tokens.console.column.contract')}</dt><dd id="token-contract">${token.contract ? html`${contractCell(t, token.contract)} ${view.companyName ?? ''}` : t('tokens.console.notAssigned')}</dd>
  <dt>${t('tokens.console.column.users')}</dt><dd id="token-users">${token.users.join(', ') || t('tokens.console.nobody')}</dd>
  <dt>${t('tokens.console.column.assigned')}</dt><dd>${assignedText(t, token)}</dd>
  <dt>${t('tokens.console.column.lastUsed')}</dt><dd id="token-last-used">${token.lastUsedAt ? jst(t, token.lastUsedAt) : t('tokens.console.neverUsed')}</dd>
  <dt>${t('tokens.console.column.drift')}</dt><dd id="token-drift" data-steps="${token.driftSteps}">${t('tokens.console.driftValue', { steps: token.driftSteps, seconds: token.driftSteps * 60 })}</dd>
  ${token.revokedAt ? html`<dt>${t('tokens.console.column.revoked')}</dt><dd>${t('tokens.console.revokedValue', { at: jst(t, token.revokedAt), reason: token.revokeReason ?? '' })}</dd>` : ''}
</dl>
<p>${token.contract ? html`<a href="${tokenPaths.contract(token.contract)}">${t('tokens.console.token.contractTokens')}</a> ・ ` : ''}<a href="${tokenPaths.list}">${t('tokens.console.token.back')}</a></p>
${usable
      ? html`<div class="decide">
<form method="post" action="${tokenPaths.test(token.serial)}" class="card" id="test-code" novalidate>
  <h2>${t('tokens.console.test.title')}</h2>
  ${csrfField(chrome.csrfToken)}
  <p class="hint">${t('tokens.console.test.intro')}</p>
  ${codeInput(state, 'code', t('tokens.console.test.code'))}
  ${submitButton(t('tokens.console.test.submit'))}
</form>
<form method="post" action="${tokenPaths.resync(token.serial)}" class="card" id="resync" novalidate>
  <h2>${t('tokens.console.resync.title')}</h2>
  ${csrfField(chrome.csrfToken)}
  <p class="hint">${t('tokens.console.resync.intro')}</p>
  ${codeInput(state, 'first', t('tokens.console.resync.first'))}
  ${codeInput(state, 'second', t('tokens.console.resync.second'))}
  ${submitButton(t('tokens.console.resync.submit'))}
</form>
</div>`
      : html`<p class="warning" id="not-usable">${t('tokens.console.notUsable')}</p>`}`,
    chrome,
  );
}

export function importPage(page: PageContext, chrome: ConsoleChrome, state: FormState): Html {
  const { t } = page;
  const invalid = (name: string) => state.error?.field === name;
  const described = (name: string) => (invalid(name) ? html` aria-invalid="true" aria-describedby="form-error"` : '');
  return consoleLayout(
    page,
    'tokens.console.import.title',
    html`<p class="hint">${t('tokens.console.import.intro')}</p>
${errorSummary(t, state)}
<form method="post" action="${tokenPaths.importFile}" enctype="multipart/form-data" class="card" id="import-tokens" novalidate>
  ${csrfField(chrome.csrfToken)}
  ${referenceField(t, state, 'import_tokens')}
  <div class="field${invalid('file') ? ' invalid' : ''}"><label for="f-file">${t('tokens.console.import.file')}</label>
  <input id="f-file" name="file" type="file" accept=".xml,.pskc,.pskcxml,application/pskc+xml,application/xml,text/xml"${described('file')}></div>
  <fieldset class="keys"><legend>${t('tokens.console.import.keys')}</legend>
  <div class="field${invalid('transportKey') ? ' invalid' : ''}"><label for="f-transportKey">${t('tokens.console.import.transportKey')}</label>
  <input id="f-transportKey" name="transportKey" type="password" maxlength="200" autocomplete="off"${described('transportKey')}></div>
  <div class="field${invalid('password') ? ' invalid' : ''}"><label for="f-password">${t('tokens.console.import.password')}</label>
  <input id="f-password" name="password" type="password" maxlength="256" autocomplete="off"${described('password')}></div>
  </fieldset>
  ${submitButton(t('tokens.console.import.submit'))}
</form>
<p><a href="${tokenPaths.list}">${t('tokens.console.token.back')}</a></p>`,
    chrome,
  );
}

export interface ContractTokensView {
  contractId: string;
  companyName: string;
  tokens: TokenSummary[];
  feeYen: bigint;
  today: string;
}

export function contractTokensPage(page: PageContext, chrome: ConsoleChrome, view: ContractTokensView, state: FormState): Html {
  const { t } = page;
  const newTokens = view.tokens.filter((token) => token.assignReason === 'new').length;
  const chosen = state.values?.reason ?? 'new';
  const serialInvalid = state.error?.field === 'serial';
  const reasonInvalid = state.error?.field === 'reason';
  return consoleLayout(
    page,
    { text: t('tokens.console.contract.title', { company: view.companyName }) },
    html`${errorSummary(t, state)}
<p><a href="${consolePaths.contract(view.contractId)}">${t('tokens.console.contract.back')}</a> <span class="hint">${view.contractId}</span></p>
<p class="hint" id="token-fees" data-new-tokens="${newTokens}">${t('tokens.console.contract.fees', { count: newTokens, fee: formatYen(view.feeYen) })}</p>
${view.tokens.length === 0 ? html`<p class="notice" role="status" id="no-tokens">${t('tokens.console.contract.none')}</p>` : tokensTable(t, view.tokens, { id: 'contract-tokens', columns: [], today: view.today })}
<form method="post" action="${tokenPaths.assign(view.contractId)}" class="card record" id="record-assign_token" novalidate>
  <h2>${t('tokens.console.assign.title')}</h2>
  ${csrfField(chrome.csrfToken)}
  <p class="hint">${t('tokens.console.assign.intro')}</p>
  <div class="field${serialInvalid ? ' invalid' : ''}"><label for="f-serial">${t('tokens.console.assign.serial')}</label>
  <input id="f-serial" name="serial" type="text" value="${state.values?.serial ?? ''}" maxlength="${tokenSerialLengthMax}" autocomplete="off"${serialInvalid ? html` aria-invalid="true" aria-describedby="form-error"` : ''}></div>
  <fieldset class="field${reasonInvalid ? ' invalid' : ''}"><legend>${t('tokens.console.assign.reason')}</legend>
  ${tokenAssignReasons.map((reason) => html`<label><input type="radio" name="reason" value="${reason}"${chosen === reason ? html` checked` : ''}> ${assignReasonLabel(t, reason)}</label>`)}
  </fieldset>
  ${referenceField(t, state, 'assign_token')}
  ${submitButton(t('operatorConsole.form.record'))}
</form>`,
    chrome,
  );
}
