import { html, type Html } from '../../../web/html.ts';
import { csrfField, type PageContext } from '../../../web/layout.ts';
import { errorSummary, field, submitButton, type FormState } from '../../../web/form.ts';
import type { Translate } from '../../../web/i18n/index.ts';
import type { LockMode, Staff } from '../../../db/schema.ts';
import type { ChangeKind } from '../../../modules/contracts/application-payload.ts';
import type { ContractHit, ContractOverview, PersonRow } from '../../../modules/contracts/console-queries.ts';
import { tokyoDate } from '../../../domain/business-days.ts';
import { addDaysTo, daysBetween } from '../../../domain/tokyo-time.ts';
import { consoleLayout, jst, type ConsoleChrome } from '../layout.ts';
import { consolePaths } from '../paths.ts';
import { tokenPaths } from '../token-paths.ts';
import { applicationsTable, certificateChoice, lockModeChoice, referenceField } from './common.ts';
import { dayText } from '../../../web/day.ts';

export function searchPage(page: PageContext, chrome: ConsoleChrome, query: string, hits: ContractHit[] | undefined, state: FormState): Html {
  const { t } = page;
  return consoleLayout(
    page,
    'operatorConsole.search.title',
    html`${errorSummary(t, state)}
<form method="get" action="${consolePaths.contracts}" class="card search" role="search">
  ${field({ ...state, values: { q: query } }, { name: 'q', label: t('operatorConsole.search.query'), maxLength: 100 })}
  ${submitButton(t('operatorConsole.search.submit'))}
</form>
${hits === undefined ? '' : hits.length === 0 ? html`<p class="notice" role="status">${t('operatorConsole.search.none')}</p>` : resultsTable(t, hits)}`,
    chrome,
  );
}

function resultsTable(t: Translate, hits: ContractHit[]): Html {
  return html`<h2>${t('operatorConsole.search.results', { count: hits.length })}</h2>
<table class="uses" id="search-results">
<thead><tr><th>${t('operatorConsole.contract.contractId')}</th><th>${t('operatorConsole.contract.company')}</th><th>${t('operatorConsole.contract.lockMode')}</th><th>${t('operatorConsole.contract.state')}</th></tr></thead>
<tbody>${hits.map(
    (hit) => html`<tr${hit.stopped_at ? html` class="failure"` : ''}><td><a href="${consolePaths.contract(hit.id)}">${hit.id}</a></td><td>${hit.company_name}</td><td>${t(`operatorConsole.lockMode.${hit.lock_mode}`)}</td><td>${hit.stopped_at ? t('operatorConsole.contract.stoppedSince', { at: jst(t, hit.stopped_at) }) : t('operatorConsole.contract.inService')}</td></tr>`,
  )}</tbody></table>`;
}

export function contractPage(page: PageContext, chrome: ConsoleChrome & { staff: Staff }, overview: ContractOverview, now: Date, state: FormState): Html {
  const { t } = page;
  const { contract } = overview;
  return consoleLayout(
    page,
    { text: contract.company_name },
    html`${errorSummary(t, state)}
<dl class="facts" id="contract-facts">
  <dt>${t('operatorConsole.contract.contractId')}</dt><dd>${contract.id}</dd>
  <dt>${t('operatorConsole.contract.company')}</dt><dd>${contract.company_name}</dd>
  <dt>${t('operatorConsole.contract.lockMode')}</dt><dd>${t(`operatorConsole.lockMode.${contract.lock_mode}`)}</dd>
  <dt>${t('operatorConsole.contract.state')}</dt><dd id="contract-state"${contract.stopped_at ? html` class="warning"` : ''}>${contract.stopped_at ? t('operatorConsole.contract.stoppedSince', { at: jst(t, contract.stopped_at) }) : t('operatorConsole.contract.inService')}</dd>
  <dt>${t('operatorConsole.contract.created')}</dt><dd>${jst(t, contract.created_at)}</dd>
  <dt>${t('operatorConsole.contract.certificates')}</dt><dd id="contract-certificates" data-required="${contract.certificate_required ? 'on' : 'off'}">${t(contract.certificate_required ? 'operatorConsole.contract.certificatesOn' : 'operatorConsole.contract.certificatesOff')}</dd>
</dl>

<h2>${t('operatorConsole.contract.people')}</h2>
${peopleTable(t, overview.people, now)}

<h2>${t('tokens.console.nav')}</h2>
<p id="contract-tokens-link"><a href="${tokenPaths.contract(contract.id)}">${t('tokens.console.contract.link')}</a></p>

<h2>${t('operatorConsole.contract.applications')}</h2>
${overview.applications.length === 0 ? html`<p class="hint">${t('operatorConsole.contract.noApplications')}</p>` : applicationsTable(t, overview.applications, { contract: false })}

<h2>${t('operatorConsole.contract.record')}</h2>
<p class="hint">${t('operatorConsole.contract.recordIntro')}</p>
<div class="record-forms">
${recordForms(t, chrome.csrfToken, overview, state)}
</div>

<h2>${t('operatorConsole.export.title')}</h2>
${exportForm(t, contract.id, now)}

<h2>${t('operatorConsole.contract.events')}</h2>
${eventsTable(t, overview)}`,
    chrome,
  );
}

function passwordAge(t: Translate, changedAt: Date | null, now: Date): string {
  if (!changedAt) return t('operatorConsole.person.passwordNotSet');
  const days = daysBetween(changedAt, now);
  return days === 0 ? t('operatorConsole.person.passwordToday') : t('operatorConsole.person.passwordAgeDays', { days });
}

/** R7.3: the address notices go to, marked until its owner confirmed it, and one an administrator set that waits for the owner's code. */
function emailCell(t: Translate, p: PersonRow): Html {
  const inUse = p.email ? html`${p.email}${p.email_confirmed_at ? '' : html` ${t('operatorConsole.person.emailNotConfirmed')}`}` : t('operatorConsole.person.noEmail');
  return html`${inUse}${p.unconfirmed_email ? html`<br><span class="unconfirmed">${t('operatorConsole.person.emailWaiting', { email: p.unconfirmed_email })}</span>` : ''}`;
}

function peopleTable(t: Translate, people: PersonRow[], now: Date): Html {
  return html`<div class="scroll"><table class="uses people" id="people">
<thead><tr><th>${t('operatorConsole.person.userId')}</th><th>${t('operatorConsole.person.name')}</th><th>${t('operatorConsole.person.role')}</th><th>${t('operatorConsole.person.status')}</th><th>${t('operatorConsole.person.failures')}</th><th>${t('operatorConsole.person.card')}</th><th>${t('operatorConsole.person.cardRequest')}</th><th>${t('operatorConsole.person.passwordAge')}</th><th>${t('operatorConsole.person.certificate')}</th><th>${t('operatorConsole.person.email')}</th></tr></thead>
<tbody>${people.map(
    (p) => html`<tr data-user-id="${p.user_id}"${p.stopped_at ? html` class="failure"` : ''}>
<td class="nowrap">${p.user_id}</td><td class="nowrap">${p.display_name}</td><td class="nowrap">${t(`operatorConsole.person.role.${p.role}`)}</td>
<td class="stop${p.stopped_at ? '' : ' nowrap'}">${p.stopped_at ? html`<strong>${t('operatorConsole.person.stopped', { at: jst(t, p.stopped_at) })}</strong>` : t(`operatorConsole.person.status.${p.status}`)}</td>
<td class="number">${p.failed_attempts}</td>
<td>${p.card_serial ? t('operatorConsole.person.cardValue', { serial: p.card_serial, expires: dayText(t, tokyoDate(p.card_expires_at!)) }) : t('operatorConsole.person.noCard')}</td>
<td>${p.request_reason ? t('operatorConsole.person.cardRequestValue', { reason: t(`operatorConsole.cardReason.${p.request_reason}`), at: jst(t, p.requested_at) }) : t('operatorConsole.person.noCardRequest')}</td>
<td>${passwordAge(t, p.login_password_changed_at, now)}</td>
<td class="certificate">${p.certificate_serial ? t('operatorConsole.person.certificateValue', { serial: p.certificate_serial, expires: dayText(t, tokyoDate(p.certificate_not_after!)) }) : t('operatorConsole.person.noCertificate')}</td>
<td class="email">${emailCell(t, p)}</td></tr>`,
  )}</tbody></table></div>`;
}

/** Who each kind of application can be about, so the form offers only them (the service checks again). */
function candidates(kind: ChangeKind, overview: ContractOverview): PersonRow[] {
  const alive = overview.people.filter((p) => p.status !== 'deleted');
  const { contract } = overview;
  switch (kind) {
    case 'issue_card':
      return alive;
    case 'invalidate_card':
      return alive.filter((p) => p.card_serial !== null);
    case 'new_registration_password':
      return alive.filter((p) => p.role === 'master');
    case 'lift_stop':
      return alive.filter((p) => (p.role === 'master' && (p.stopped_at || contract.stopped_at)) || (contract.lock_mode === 'linked' && p.stopped_at));
    case 'reissue_master_certificate':
      return alive.filter((p) => p.role === 'master' && p.certificate_serial !== null);
    default:
      return [];
  }
}

function recordForms(t: Translate, csrfToken: string, overview: ContractOverview, state: FormState): Html[] {
  const kinds: ChangeKind[] = ['lift_stop', 'issue_card', 'invalidate_card', 'new_registration_password', 'set_lock_mode', 'set_certificate_required', 'reissue_master_certificate'];
  return kinds.map((kind) => {
    const mine = state.values?.kind === kind ? state : {};
    const people = candidates(kind, overview);
    const action = consolePaths.recordApplication(overview.contract.id);
    const other: LockMode = overview.contract.lock_mode === 'linked' ? 'unlinked' : 'linked';
    const body =
      kind === 'set_lock_mode'
        ? html`${lockModeChoice(t, mine, other)}${referenceField(t, mine, kind)}${submitButton(t('operatorConsole.form.record'))}`
        : kind === 'set_certificate_required'
          ? html`${certificateChoice(t, mine, overview.contract.certificate_required ? 'off' : 'on')}<p class="hint">${t('operatorConsole.form.certificateHint')}</p>${referenceField(t, mine, kind)}${submitButton(t('operatorConsole.form.record'))}`
          : people.length === 0
            ? html`<p class="hint">${t('operatorConsole.form.nobody')}</p>`
            : html`<div class="field"><label for="f-userId-${kind}">${t('operatorConsole.form.person')}</label>
<select id="f-userId-${kind}" name="userId">${people.map((p) => html`<option value="${p.user_id}"${mine.values?.userId === p.user_id ? html` selected` : ''}>${t('operatorConsole.form.personOption', { userId: p.user_id, name: p.display_name })}</option>`)}</select></div>
${kind === 'reissue_master_certificate' ? html`<p class="hint">${t('operatorConsole.form.reissueHint')}</p>` : ''}${referenceField(t, mine, kind)}${submitButton(t('operatorConsole.form.record'))}`;
    return html`<form method="post" action="${action}" class="card record" id="record-${kind}">
  <h3>${t(`operatorConsole.kind.${kind}`)}</h3>
  ${csrfField(csrfToken)}<input type="hidden" name="kind" value="${kind}">
  ${body}
</form>`;
  });
}

function exportForm(t: Translate, contractId: string, now: Date): Html {
  const today = tokyoDate(now);
  const monthAgo = tokyoDate(addDaysTo(now, -30));
  return html`<form method="get" action="${consolePaths.auditExport(contractId)}" class="card export" id="audit-export">
  <p class="hint">${t('operatorConsole.export.intro')}</p>
  <div class="field inline-fields"><label for="f-from">${t('operatorConsole.export.from')}</label><input id="f-from" name="from" type="date" value="${monthAgo}" required>
  <label for="f-to">${t('operatorConsole.export.to')}</label><input id="f-to" name="to" type="date" value="${today}" required></div>
  ${submitButton(t('operatorConsole.export.submit'))}
</form>`;
}

function eventsTable(t: Translate, overview: ContractOverview): Html {
  if (overview.events.length === 0) return html`<p class="hint">${t('operatorConsole.contract.noEvents')}</p>`;
  return html`<div class="scroll"><table class="uses" id="events">
<thead><tr><th>${t('operatorConsole.event.at')}</th><th>${t('operatorConsole.person.userId')}</th><th>${t('operatorConsole.event.action')}</th><th>${t('operatorConsole.event.outcome')}</th><th>${t('operatorConsole.event.reason')}</th><th>${t('operatorConsole.event.actor')}</th><th>${t('operatorConsole.event.ip')}</th></tr></thead>
<tbody>${overview.events.map(
    (e) => html`<tr${e.outcome === 'failure' ? html` class="failure"` : ''}><td>${jst(t, e.at)}</td><td>${e.user_id ?? ''}</td><td><code>${e.action}</code></td><td>${t(`operatorConsole.outcome.${e.outcome}`)}</td><td>${e.reason ?? ''}</td><td>${e.actor}</td><td>${e.ip ?? ''}</td></tr>`,
  )}</tbody></table></div>`;
}
