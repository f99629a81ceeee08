import { html, type Html } from '../../web/html.ts';
import { csrfField } from '../../web/layout.ts';
import { errorSummary, field, submitButton, type FormState } from '../../web/form.ts';
import type { MessageKey, Translate } from '../../web/i18n/index.ts';
import { approvalModes, resultEmailRecipients, type ContractSettings } from './service.ts';

/** The master's settings form: approval function (R8.5) and result email recipients (R7.3). */

function choices(t: Translate, state: FormState, name: 'approvalMode' | 'resultEmailTo', options: readonly string[], chosen: string): Html {
  const invalid = state.error?.field === name;
  const prefix = name === 'approvalMode' ? 'contractSettings.approvalMode' : 'contractSettings.resultEmailTo';
  return html`<fieldset class="field settings-choices${invalid ? ' invalid' : ''}" id="f-${name}">
  <legend>${t(`${prefix}.legend` as MessageKey)}</legend>
  ${options.map(
    (option) => html`<label class="choice"><input type="radio" name="${name}" value="${option}"${chosen === option ? html` checked` : ''}${invalid ? html` aria-invalid="true" aria-describedby="form-error"` : ''}> ${t(`${prefix}.${option}` as MessageKey)}<span class="hint"> ${t(`${prefix}.${option}.hint` as MessageKey)}</span></label>`,
  )}
</fieldset>`;
}

export function settingsForm(t: Translate, state: FormState, options: { csrfToken: string; shown: ContractSettings }): Html {
  return html`${errorSummary(t, state)}
<form method="post" action="/contract-settings" class="card contract-settings" novalidate>
  ${csrfField(options.csrfToken)}
  ${choices(t, state, 'approvalMode', approvalModes, options.shown.approvalMode)}
  <p class="hint">${t('contractSettings.approvalMode.note')}</p>
  ${choices(t, state, 'resultEmailTo', resultEmailRecipients, options.shown.resultEmailTo)}
  ${field(state, { name: 'confirmationPassword', label: t('contractSettings.field.confirmationPassword'), type: 'password', autocomplete: 'current-password' })}
  <p class="hint">${t('contractSettings.hint.confirm')}</p>
  ${submitButton(t('contractSettings.submit'))}
</form>`;
}
