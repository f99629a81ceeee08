import { html, type Html } from '../../web/html.ts';
import { csrfField } from '../../web/layout.ts';
import { errorSummary, field, noticeBox, submitButton, type FormState } from '../../web/form.ts';
import type { Translate } from '../../web/i18n/index.ts';
import { dayText, momentText } from '../../web/day.ts';

/** R6.3, R6.4: the token activation page — serial and code — with the skip while it is offered. */
export interface ActivationView {
  csrfToken: string;
  path: string;
  /** The person's usable token, when they have one. */
  current: { serial: string; expires: string; since: Date } | undefined;
  /** The end of the grace period (R6.4); undefined: the contract applied for no token yet. */
  graceEnd: Date | undefined;
  graceOver: boolean;
  /** The page is offered after logon (a skip is possible) rather than opened from the menu. */
  offered: boolean;
  done: string | undefined;
}

function activationForm(t: Translate, state: FormState, view: ActivationView): Html {
  return html`<form method="post" action="${view.path}" class="card" novalidate>
  ${csrfField(view.csrfToken)}
  ${field(state, { name: 'serial', label: t('hardwareToken.field.serial'), maxLength: 32, autocomplete: 'off' })}
  <p class="hint">${t('hardwareToken.field.serialHint')}</p>
  ${field(state, { name: 'tokenCode', label: t('hardwareToken.field.code'), inputMode: 'numeric', maxLength: 6, autocomplete: 'one-time-code' })}
  <p class="hint">${t('hardwareToken.field.codeHint')}</p>
  ${submitButton(t('hardwareToken.activation.submit'))}
</form>`;
}

function skipForm(t: Translate, view: ActivationView): Html {
  const until = view.graceEnd ? momentText(t, view.graceEnd) : '';
  const explain = view.graceOver ? t('hardwareToken.activation.graceOver', { until }) : t('hardwareToken.activation.graceOpen', { until });
  return html`<p class="hint" id="token-grace">${explain}</p>
<form method="post" action="${view.path}/skip" novalidate>
  ${csrfField(view.csrfToken)}
  <button type="submit" class="secondary">${t('hardwareToken.activation.skip')}</button>
</form>`;
}

export function activationPage(t: Translate, state: FormState, view: ActivationView): Html {
  const current = view.current
    ? html`<p id="token-current">${t('hardwareToken.activation.current', { serial: view.current.serial, expires: dayText(t, view.current.expires), since: momentText(t, view.current.since) })}</p>`
    : '';
  return html`${noticeBox(view.done ? t('hardwareToken.activation.done', { serial: view.done }) : undefined)}
${current}
${view.current ? '' : html`<p>${t('hardwareToken.activation.intro')}</p>
${errorSummary(t, state)}
${activationForm(t, state, view)}
${view.offered ? skipForm(t, view) : ''}`}`;
}
