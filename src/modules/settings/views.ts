import { html, type Html } from '../../web/html.ts';
import { csrfField } from '../../web/layout.ts';
import { errorSummary, field, submitButton, type FormState } from '../../web/form.ts';
import type { Translate } from '../../web/i18n/index.ts';
import { emailLengthMax } from '../../domain/identifiers.ts';
import { emailCodeDigits } from './email-service.ts';

/** Forms shared by the first-logon setup and the settings pages. */
export function initialPasswordsForm(t: Translate, csrfToken: string, state: FormState): Html {
  return html`${errorSummary(t, state)}
<p class="hint">${t('password.rules')}</p>
<form method="post" action="/setup/passwords" class="card" novalidate>
  ${csrfField(csrfToken)}
  ${field(state, { name: 'login', label: t('password.newLogin'), type: 'password', autocomplete: 'new-password' })}
  ${field(state, { name: 'loginRepeat', label: t('password.newLoginRepeat'), type: 'password', autocomplete: 'new-password' })}
  ${field(state, { name: 'confirmation', label: t('password.newConfirmation'), type: 'password', autocomplete: 'new-password' })}
  ${field(state, { name: 'confirmationRepeat', label: t('password.newConfirmationRepeat'), type: 'password', autocomplete: 'new-password' })}
  ${submitButton(t('setup.submit'))}
</form>`;
}

/** The address form as typed after a refusal, else holding an address registered for the person (to confirm it or type another). */
export function prefilled(state: FormState, registered: string | null): FormState {
  return state.error || !registered ? state : { values: { email: registered } };
}

/** A person's own address, with their confirmation password (R7.3: a session alone changes no address). */
export function emailAddressForm(t: Translate, csrfToken: string, action: string, state: FormState): Html {
  return html`${errorSummary(t, state)}
<form method="post" action="${action}" class="card" novalidate>
  ${csrfField(csrfToken)}
  ${field(state, { name: 'email', label: t('email.address'), type: 'email', inputMode: 'email', maxLength: emailLengthMax, autocomplete: 'email' })}
  ${field(state, { name: 'confirmationPassword', label: t('email.confirmationPassword'), type: 'password', autocomplete: 'current-password' })}
  <p class="hint">${t('email.hint.confirmationPassword')}</p>
  ${submitButton(t('email.sendCode'))}
</form>`;
}

export function emailCodeForm(t: Translate, csrfToken: string, action: string, pending: string, state: FormState): Html {
  return html`<p>${t('setup.verify.intro', { email: pending })}</p>
${errorSummary(t, state)}
<form method="post" action="${action}" class="card" novalidate>
  ${csrfField(csrfToken)}
  ${field(state, { name: 'code', label: t('email.code'), inputMode: 'numeric', maxLength: emailCodeDigits, autocomplete: 'one-time-code' })}
  ${submitButton(t('email.verify'))}
</form>`;
}

export function changePasswordForm(t: Translate, csrfToken: string, kind: string, state: FormState): Html {
  return html`${errorSummary(t, state)}
<p class="hint">${t('password.rules')}</p>
<form method="post" action="/settings/password" class="card" novalidate>
  ${csrfField(csrfToken)}
  <fieldset class="field"><legend>${t('password.kind')}</legend>
    <label><input type="radio" name="kind" value="login"${kind === 'login' ? html` checked` : ''}> ${t('password.kind.login')}</label>
    <label><input type="radio" name="kind" value="confirmation"${kind === 'confirmation' ? html` checked` : ''}> ${t('password.kind.confirmation')}</label>
  </fieldset>
  ${field(state, { name: 'current', label: t('password.current'), type: 'password', autocomplete: 'current-password' })}
  ${field(state, { name: 'next', label: t('password.new'), type: 'password', autocomplete: 'new-password' })}
  ${field(state, { name: 'nextRepeat', label: t('password.newRepeat'), type: 'password', autocomplete: 'new-password' })}
  ${submitButton(t('password.submit'))}
</form>`;
}
