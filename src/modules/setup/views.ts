import { html, type Html } from '../../web/html.ts';
import { csrfField } from '../../web/layout.ts';
import { errorSummary, field, submitButton, type FormState } from '../../web/form.ts';
import type { Translate } from '../../web/i18n/index.ts';
import type { PasswordKind } from '../settings/password-service.ts';

const kindKey = { login: 'password.kind.login', confirmation: 'password.kind.confirmation' } as const;

/** R2.5: the new password of the kind the administrator reset, with the temporary one. */
export function forcedChangeForm(t: Translate, csrfToken: string, kind: PasswordKind, state: FormState): Html {
  const kindName = t(kindKey[kind]);
  return html`<p id="forced-change" data-kind="${kind}">${t('userSecurity.forced.intro', { kind: kindName })}</p>
${errorSummary(t, state)}
<p class="hint">${t('password.rules')}</p>
<form method="post" action="/setup/change" class="card" novalidate>
  ${csrfField(csrfToken)}
  <input type="hidden" name="kind" value="${kind}">
  ${field(state, { name: 'current', label: t('userSecurity.forced.current'), type: 'password', autocomplete: 'current-password' })}
  ${field(state, { name: 'next', label: t(kind === 'login' ? 'password.newLogin' : 'password.newConfirmation'), type: 'password', autocomplete: 'new-password' })}
  ${field(state, { name: 'nextRepeat', label: t(kind === 'login' ? 'password.newLoginRepeat' : 'password.newConfirmationRepeat'), type: 'password', autocomplete: 'new-password' })}
  ${submitButton(t('password.submit'))}
</form>`;
}

/** Nothing is left to do (a promotion interrupted halfway): one button finishes it. */
export function setupDoneForm(t: Translate, csrfToken: string, state: FormState): Html {
  return html`${errorSummary(t, state)}<p>${t('userSecurity.setupDone')}</p>
<form method="post" action="/setup/finish" class="card">
  ${csrfField(csrfToken)}
  ${submitButton(t('userSecurity.continue'))}
</form>`;
}
