import { html, type Html } from '../../web/html.ts';
import { csrfField } from '../../web/layout.ts';
import { errorSummary, field, submitButton, type FormState } from '../../web/form.ts';
import type { Translate } from '../../web/i18n/index.ts';
import type { ClientCertificate } from '../../db/schema-certificates.ts';
import { tokyoDate } from '../../domain/business-days.ts';
import { dayMs } from '../../domain/tokyo-time.ts';
import { roleLabel } from '../users/views.ts';
import type { PersonRecord } from '../users/repository.ts';
import { firstReminderDaysBefore } from './reminders.ts';
import { refusalToReissue, type CertificatesOverview } from './administration.ts';
import { dayText } from '../../web/day.ts';


export type CertificateState = 'valid' | 'expiring' | 'expired' | 'none';

/** R4.4: from 30 days before expiry a certificate is shown as expiring, as the reminders say. */
export function certificateState(certificate: ClientCertificate | undefined, now: Date): CertificateState {
  if (!certificate) return 'none';
  const left = certificate.not_after.getTime() - now.getTime();
  if (left <= 0) return 'expired';
  return left <= firstReminderDaysBefore * dayMs ? 'expiring' : 'valid';
}

/** A certificate's last day of validity, as the customer reads it (Japan time). */
export function validUntil(certificate: ClientCertificate): string {
  return tokyoDate(certificate.not_after);
}

function stateLabel(t: Translate, state: CertificateState): Html | string {
  const label = t(`certificates.state.${state}`);
  return state === 'valid' ? label : html`<span class="${state === 'none' ? 'hint' : 'warning'}">${label}</span>`;
}

function actionCell(t: Translate, overview: CertificatesOverview, record: PersonRecord): Html | string {
  const certificate = overview.certificates.get(record.user.id);
  const refused = refusalToReissue(overview.actor.person, record.person);
  if (refused === 'CERT_MASTER_BY_BANK') return html`<span class="hint">${t('certificates.action.byBank')}</span>`;
  if (refused === 'USERS_SELF') return html`<span class="hint">${t('certificates.action.self')}</span>`;
  if (refused || !certificate) return t('certificates.action.nothing');
  return html`<a href="/certificates/${record.user.user_id}/reissue">${t('certificates.action.reissue')}</a>`;
}

export function certificatesTable(t: Translate, overview: CertificatesOverview, now: Date): Html {
  const people = overview.people.filter((record) => record.user.status !== 'deleted');
  return html`<table class="uses people" id="certificates">
<thead><tr><th>${t('certificates.col.userId')}</th><th>${t('certificates.col.name')}</th><th>${t('certificates.col.role')}</th><th>${t('certificates.col.serial')}</th><th>${t('certificates.col.validUntil')}</th><th>${t('certificates.col.state')}</th><th>${t('certificates.col.action')}</th></tr></thead>
<tbody>
${people.map((record) => {
  const certificate = overview.certificates.get(record.user.id);
  const state = certificateState(certificate, now);
  return html`<tr data-user-id="${record.user.user_id}" data-state="${state}">
<td>${record.user.user_id}</td>
<td>${record.user.display_name}</td>
<td>${roleLabel(t, record.person)}</td>
<td><code>${certificate?.serial_hex ?? ''}</code></td>
<td>${certificate ? dayText(t, validUntil(certificate)) : ''}</td>
<td>${stateLabel(t, state)}</td>
<td>${actionCell(t, overview, record)}</td>
</tr>`;
})}
</tbody>
</table>`;
}

/** The confirmation of a reissue: the actor's confirmation password (R1.5). */
export function reissueForm(t: Translate, state: FormState, options: { action: string; csrfToken: string; intro: string }): Html {
  return html`<p>${options.intro}</p>
${errorSummary(t, state)}
<form method="post" action="${options.action}" class="card" novalidate>
  ${csrfField(options.csrfToken)}
  <h2>${t('users.section.confirm')}</h2>
  ${field(state, { name: 'confirmationPassword', label: t('users.field.confirmationPassword'), type: 'password', autocomplete: 'current-password' })}
  <p class="hint">${t('users.hint.confirm')}</p>
  ${submitButton(t('certificates.reissue.submit'))}
</form>`;
}
