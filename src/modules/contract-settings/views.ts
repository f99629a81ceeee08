import { html, type Html } from '../../web/html.ts';
import { csrfField } from '../../web/layout.ts';
import { errorSummary, field, submitButton, type FormState } from '../../web/form.ts';
import type { Translate } from '../../web/i18n/index.ts';
import { approvalModes, resultEmailRecipients, type ContractSettings } from './service.ts';

/** The master's settings form: approval function (R8.5) and result email recipients (R7.3). */

interface Choice {
  value: string;
  label: string;
  hint: string;
}

function choices(t: Translate, state: FormState, name: 'approvalMode' | 'resultEmailTo', legend: string, options: readonly Choice[], chosen: string): Html {
  const invalid = state.error?.field === name;
  return html`<fieldset class="field settings-choices${invalid ? ' invalid' : ''}" id="f-${name}">
  <legend>${legend}</legend>
  ${options.map(
    (option) => html`<label class="choice"><input type="radio" name="${name}" value="${option.value}"${chosen === option.value ? html` checked` : ''}${invalid ? html` aria-invalid="true" aria-describedby="form-error"` : ''}> ${option.label}<span class="hint"> ${option.hint}</span></label>`,
  )}
</fieldset>`;
}

// The message keys are built from the settings' own types, so the compiler checks each exists.
const approvalModeChoices = (t: Translate): Choice[] =>
  approvalModes.map((mode) => ({ value: mode, label: t(`contractSettings.approvalMode.${mode}`), hint: t(`contractSettings.approvalMode.${mode}.hint`) }));

const resultEmailChoices = (t: Translate): Choice[] =>
  resultEmailRecipients.map((to) => ({ value: to, label: t(`contractSettings.resultEmailTo.${to}`), hint: t(`contractSettings.resultEmailTo.${to}.hint`) }));

export function settingsForm(t: Translate, state: FormState, options: { csrfToken: string; shown: ContractSettings }): Html {
  return html`${errorSummary(t, state)}
<form method="post" action="/contract-settings" class="card contract-settings" novalidate>
  ${csrfField(options.csrfToken)}
  ${choices(t, state, 'approvalMode', t('contractSettings.approvalMode.legend'), approvalModeChoices(t), options.shown.approvalMode)}
  <p class="hint">${t('contractSettings.approvalMode.note')}</p>
  ${choices(t, state, 'resultEmailTo', t('contractSettings.resultEmailTo.legend'), resultEmailChoices(t), options.shown.resultEmailTo)}
  ${field(state, { name: 'confirmationPassword', label: t('contractSettings.field.confirmationPassword'), type: 'password', autocomplete: 'current-password' })}
  <p class="hint">${t('contractSettings.hint.confirm')}</p>
  ${submitButton(t('contractSettings.submit'))}
</form>`;
}
