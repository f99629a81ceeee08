import { html, type Html } from '../../web/html.ts';
import type { Translate } from '../../web/i18n/index.ts';
import { stopRules, type PersonRole } from '../../domain/lock-modes.ts';
import { lockoutFailuresMax } from '../../access/attempts.ts';
import { roleKey, subjectPath } from '../user-security/views.ts';
import { daysBetween } from '../../domain/tokyo-time.ts';
import type { PersonSecurity, SecurityOverview } from './service.ts';
import { recentLogonsPerPerson } from './service.ts';
import { momentText } from '../../web/day.ts';

const businessKey = {
  inquiry: 'securityPage.business.inquiry',
  transfer: 'securityPage.business.transfer',
  tax_payment: 'securityPage.business.tax_payment',
  bulk_transfer: 'securityPage.business.bulk_transfer',
  user_admin: 'securityPage.business.user_admin',
} as const;
const accountTypeKey = {
  ordinary: 'securityPage.accountType.ordinary',
  current: 'securityPage.accountType.current',
  savings: 'securityPage.accountType.savings',
} as const;
const reasonKey = {
  new_user: 'securityPage.reason.new_user',
  lost: 'securityPage.reason.lost',
  damaged: 'securityPage.reason.damaged',
  expired: 'securityPage.reason.expired',
} as const;
const releaserKey = { master: 'securityPage.releaser.master', admin_user: 'securityPage.releaser.admin_user', operator: 'securityPage.releaser.operator' } as const;
const stoppedKey = { master: 'securityPage.rule.stopped.master', user: 'securityPage.rule.stopped.user' } as const;
const scopeKey = { person: 'securityPage.rule.blocks.person', contract: 'securityPage.rule.blocks.contract' } as const;
const kindKey = { login: 'password.kind.login', confirmation: 'password.kind.confirmation' } as const;

export interface ViewContext {
  t: Translate;
  now: Date;
  passwordMaxAgeDays: number;
}

function yen(t: Translate, amount: bigint | null): string {
  return amount === null ? '-' : t('securityPage.yen', { amount: amount.toLocaleString('ja-JP') });
}

/** R2.3 as the contract lives it: the mode, explained, and the rule table it follows. */
function lockModeSection(t: Translate, overview: SecurityOverview): Html {
  const mode = overview.contract.lockMode;
  const roles: PersonRole[] = ['master', 'user'];
  return html`<section id="lock-mode" data-lock-mode="${mode}">
<h2>${t('securityPage.lockMode')}: ${t(mode === 'linked' ? 'securityPage.lockMode.linked' : 'securityPage.lockMode.unlinked')}</h2>
<p>${t(mode === 'linked' ? 'securityPage.lockMode.explain.linked' : 'securityPage.lockMode.explain.unlinked')}</p>
<table class="uses">
<thead><tr><th>${t('securityPage.rule.stopped')}</th><th>${t('securityPage.rule.blocks')}</th><th>${t('securityPage.rule.liftedBy')}</th></tr></thead>
<tbody>
${roles.map((role) => {
  const rule = stopRules[mode][role];
  return html`<tr><td>${t(stoppedKey[role])}</td><td>${t(scopeKey[rule.blocks])}</td><td>${rule.liftedBy.map((r) => t(releaserKey[r])).join(t('securityPage.separator'))}</td></tr>`;
})}
</tbody>
</table>
<p class="hint">${t('securityPage.lockMode.change')}</p>
</section>`;
}

function passwordLines(view: ViewContext, person: PersonSecurity): Html[] {
  const { t } = view;
  const line = (kind: 'login' | 'confirmation', changedAt: Date | null, mustChange: boolean): Html => {
    const name = t(kindKey[kind]);
    if (person.firstLogonPending || !changedAt) return html`<li>${t('securityPage.passwordNone', { kind: name })}</li>`;
    if (mustChange) return html`<li class="warning">${t('securityPage.mustChange', { kind: name })}</li>`;
    const days = daysBetween(changedAt, view.now);
    const old = days > view.passwordMaxAgeDays;
    return html`<li${old ? html` class="warning"` : ''}>${t('securityPage.passwordAge', { kind: name, date: momentText(t, changedAt), days })}${
      old ? html` ${t('securityPage.passwordOld', { days: view.passwordMaxAgeDays })}` : ''
    }</li>`;
  };
  return [
    line('login', person.loginPasswordChangedAt, person.mustChangeLogin),
    line('confirmation', person.confirmationPasswordChangedAt, person.mustChangeConfirmation),
  ];
}

function cardLines(view: ViewContext, person: PersonSecurity): Html {
  const { t } = view;
  const card = person.card
    ? html`${t('securityPage.card.value', { serial: person.card.serial, issued: momentText(t, person.card.issuedAt), expires: momentText(t, person.card.expiresAt) })}${
        person.card.expiresAt <= view.now ? html` <strong class="warning">${t('securityPage.card.expired')}</strong>` : ''
      }`
    : t('securityPage.card.none');
  const request = person.cardRequest
    ? t('securityPage.card.requested', { at: momentText(t, person.cardRequest.requestedAt), reason: t(reasonKey[person.cardRequest.reason]) })
    : t('securityPage.card.noRequest');
  return html`<ul class="card-facts"><li class="card-serial">${card}</li><li class="card-request">${request}</li></ul>`;
}

function permissionsTable(t: Translate, person: PersonSecurity): Html {
  if (person.permissions.length === 0) return html`<p class="hint">${t('securityPage.permissions.none')}</p>`;
  return html`<table class="uses permissions">
<thead><tr><th>${t('securityPage.business')}</th><th>${t('securityPage.steps')}</th><th>${t('securityPage.perTransaction')}</th><th>${t('securityPage.daily')}</th></tr></thead>
<tbody>
${person.permissions.map((p) => {
  const steps = [p.register ? t('securityPage.step.register') : '', p.approve ? t('securityPage.step.approve') : '', p.send ? t('securityPage.step.send') : ''].filter(Boolean);
  const hasSteps = p.business === 'transfer' || p.business === 'bulk_transfer';
  return html`<tr data-business="${p.business}"><td>${t(businessKey[p.business])}</td><td>${hasSteps ? steps.join(t('securityPage.separator')) : '-'}</td><td>${yen(t, p.perTransactionLimitYen)}</td><td>${yen(t, p.dailyLimitYen)}</td></tr>`;
})}
</tbody>
</table>`;
}

function logonsTable(t: Translate, person: PersonSecurity): Html {
  if (person.recentLogons.length === 0) return html`<p class="hint">${t('securityPage.logons.none')}</p>`;
  return html`<table class="uses logons">
<thead><tr><th>${t('status.when')}</th><th>${t('status.ip')}</th><th>${t('status.result')}</th></tr></thead>
<tbody>
${person.recentLogons.map(
  (logon) => html`<tr class="${logon.outcome}"><td>${momentText(t, logon.at)}</td><td>${logon.ip ?? '-'}</td><td>${t(logon.outcome === 'success' ? 'status.result.success' : 'status.result.failure')}</td></tr>`,
)}
</tbody>
</table>`;
}

/** R5.1: the OTP address a person has, or that they lack one they need. */
function otpAddressLine(t: Translate, person: PersonSecurity): Html | string {
  const { needed, confirmedMasked } = person.otpAddress;
  if (confirmedMasked) return confirmedMasked;
  return needed ? html`<strong class="warning">${t('securityPage.otpAddress.missing')}</strong>` : t('securityPage.otpAddress.notNeeded');
}

/** R5.1: for the administrators, the people who need an OTP address and have none confirmed, at the top. */
/** R6.3, R6.6: the token in use, and its stop, which the master or an admin user lifts on the person's page. */
function tokenLine(t: Translate, person: PersonSecurity): Html | string {
  const { serial, stoppedAt } = person.token;
  const inUse = serial ? t('userSecurity.token.active', { serial }) : t('userSecurity.token.none');
  return stoppedAt ? html`${inUse} <strong class="warning">${t('userSecurity.token.stopped', { at: momentText(t, stoppedAt) })}</strong>` : inUse;
}

function otpAddressMissing(t: Translate, overview: SecurityOverview): Html | '' {
  const missing = overview.people.filter((person) => person.otpAddress.needed && !person.otpAddress.confirmedMasked);
  if (overview.viewer.kind === 'general_user' || missing.length === 0) return '';
  return html`<section id="otp-address-missing" class="notice">
<h2>${t('securityPage.otpAddress.missingTitle')}</h2>
<p>${t('securityPage.otpAddress.missingIntro')}</p>
<ul>${missing.map((person) => html`<li data-user-id="${person.userId}">${t('securityPage.person', { name: person.displayName, userId: person.userId })}</li>`)}</ul>
</section>`;
}

function personSection(view: ViewContext, overview: SecurityOverview, person: PersonSecurity): Html {
  const { t } = view;
  const self = person.ref === overview.viewer.ref;
  const state = person.stoppedAt
    ? html`<strong class="warning">${t('userSecurity.state.stopped', { at: momentText(t, person.stoppedAt) })}</strong>`
    : person.status === 'suspended'
      ? html`<strong class="warning">${t('userSecurity.state.suspended')}</strong>`
      : t('userSecurity.state.usable');
  const manage = overview.viewer.kind !== 'general_user' && !self && person.kind !== 'master';
  return html`<section class="person" id="person-${person.userId}" data-user-id="${person.userId}">
<h3>${t('securityPage.person', { name: person.displayName, userId: person.userId })}${self ? t('securityPage.you') : ''}</h3>
<dl class="facts">
  <dt>${t('userSecurity.role')}</dt><dd>${t(roleKey[person.kind])}</dd>
  <dt>${t('securityPage.state')}</dt><dd class="person-state">${state}</dd>
  <dt>${t('securityPage.failures')}</dt><dd>${t('userSecurity.failuresValue', { count: person.failedAttempts, max: lockoutFailuresMax })}</dd>
  <dt>${t('securityPage.passwords')}</dt><dd><ul class="password-ages">${passwordLines(view, person)}</ul></dd>
  <dt>${t('securityPage.card')}</dt><dd>${cardLines(view, person)}</dd>
  <dt>${t('securityPage.otpAddress')}</dt><dd class="otp-address">${otpAddressLine(t, person)}</dd>
  <dt>${t('userSecurity.token.title')}</dt><dd class="token">${tokenLine(t, person)}</dd>
</dl>
<h4>${t('securityPage.permissions')}</h4>
${permissionsTable(t, person)}
<h4>${t('securityPage.accounts')}</h4>
${
  person.accounts.length === 0
    ? html`<p class="hint">${t('securityPage.accounts.none')}</p>`
    : html`<ul class="accounts">${person.accounts.map(
        (a) => html`<li>${t('securityPage.account', { branch: a.branchCode, type: t(accountTypeKey[a.accountType]), number: a.accountNumber })}</li>`,
      )}</ul>`
}
<h4>${t('securityPage.logons', { count: recentLogonsPerPerson })}</h4>
${logonsTable(t, person)}
${manage ? html`<p><a href="${subjectPath(person.userId)}">${t('securityPage.manage')}</a></p>` : ''}
</section>`;
}

function guidance(t: Translate, passwordMaxAgeDays: number): Html {
  return html`<section id="guidance">
<h2>${t('securityPage.guidance')}</h2>
<ul>
  <li>${t('securityPage.guidance.noAsking')}</li>
  <li>${t('securityPage.guidance.checkLogons')}</li>
  <li>${t('securityPage.guidance.lostCard')}</li>
  <li>${t('securityPage.guidance.ownId')}</li>
  <li>${t('securityPage.guidance.changePasswords', { days: passwordMaxAgeDays })}</li>
  <li>${t('securityPage.guidance.pcCare')}</li>
  <li>${t('securityPage.guidance.emails')}</li>
</ul>
</section>`;
}

export function securityPageBody(view: ViewContext, overview: SecurityOverview): Html {
  const { t } = view;
  const general = overview.viewer.kind === 'general_user';
  return html`<dl class="facts">
  <dt>${t('securityPage.contractId')}</dt><dd>${overview.contract.id}</dd>
  <dt>${t('securityPage.company')}</dt><dd>${overview.contract.companyName}</dd>
</dl>
${lockModeSection(t, overview)}
${otpAddressMissing(t, overview)}
<section id="people">
<h2>${t('securityPage.people')}</h2>
<p class="hint">${t(general ? 'securityPage.scope.own' : 'securityPage.scope.all')}</p>
${overview.people.map((person) => personSection(view, overview, person))}
</section>
${
  general
    ? html`<section id="administrators">
<h2>${t('securityPage.administrators')}</h2>
<p>${t('securityPage.administratorsHint')}</p>
<ul>${overview.administrators.map((a) => html`<li>${t('securityPage.person', { name: a.displayName, userId: a.userId })} — ${t(roleKey[a.kind])}</li>`)}</ul>
</section>`
    : ''
}
${guidance(t, view.passwordMaxAgeDays)}`;
}
