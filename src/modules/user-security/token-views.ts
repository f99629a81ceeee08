import { html, type Html } from '../../web/html.ts';
import { csrfField } from '../../web/layout.ts';
import { submitButton, type FormState } from '../../web/form.ts';
import type { Translate } from '../../web/i18n/index.ts';
import { tokenCodeInput } from '../../web/token-field.ts';
import type { SubjectView } from './service.ts';
import { secretInput, type SubjectForm } from './secret-input.ts';
import { revokeReasons } from './token-actions.ts';
import { tokenFailuresMax } from '../../access/hardware-token/check.ts';
import { momentText } from '../../web/day.ts';

/** R6.6, R6.7: the person's hardware token — its serial and stop — with the lift and the revocation. */
export function tokenSection(t: Translate, csrfToken: string, view: SubjectView, state: FormState, posted: SubjectForm): Html {
  const { subject } = view;
  const path = `/users/${encodeURIComponent(subject.user_id)}/security`;
  const tokenState = posted === 'token-revoke' ? state : {};
  const liftState = posted === 'token-lift' ? state : {};
  const blocked = subject.token_stopped_at !== null || subject.token_failed_attempts >= tokenFailuresMax;
  const liftForm = view.self
    ? html`<p class="hint" id="token-lift-self">${t('userSecurity.token.selfLift')}</p>`
    : html`<form method="post" action="${path}/token-lift" class="card" novalidate>
  ${csrfField(csrfToken)}
  ${secretInput(state, 'token-lift', posted, 'confirmationPassword', t('userSecurity.confirmationPassword'), 'current-password')}
  ${tokenCodeInput(t, liftState, view.tokenAsk)}
  ${submitButton(t('userSecurity.token.lift'))}
</form>`;
  const stopped = blocked
    ? html`<p id="token-stopped">${subject.token_stopped_at ? t('userSecurity.token.stopped', { at: momentText(t, subject.token_stopped_at) }) : t('userSecurity.token.attemptsSpent')}</p>
${liftForm}`
    : '';
  const revoke = subject.token_serial
    ? html`<p>${t('userSecurity.token.revokeIntro')}</p>
<form method="post" action="${path}/token-revoke" class="card" novalidate>
  ${csrfField(csrfToken)}
  <fieldset class="field"><legend>${t('userSecurity.token.reason')}</legend>
    ${revokeReasons.map((reason, index) => html`<label><input type="radio" name="reason" value="${reason}"${index === 0 ? html` checked` : ''}> ${t(`userSecurity.token.reason.${reason}`)}</label>`)}
  </fieldset>
  ${secretInput(state, 'token-revoke', posted, 'confirmationPassword', t('userSecurity.confirmationPassword'), 'current-password')}
  ${tokenCodeInput(t, tokenState, view.tokenAsk)}
  ${submitButton(t('userSecurity.token.revoke'))}
</form>`
    : '';
  return html`<section id="token">
<h2>${t('userSecurity.token.title')}</h2>
<p id="token-serial">${subject.token_serial ? t('userSecurity.token.active', { serial: subject.token_serial }) : t('userSecurity.token.none')}</p>
${stopped}
${revoke}
</section>`;
}
