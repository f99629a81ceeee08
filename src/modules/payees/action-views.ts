import { html, type Html } from '../../web/html.ts';
import { csrfField } from '../../web/layout.ts';
import { field, submitButton, type FormState } from '../../web/form.ts';
import type { Translate } from '../../web/i18n/index.ts';
import { reasonLengthMax } from './form-input.ts';
import type { PayeePage } from './queries.ts';
import { destinationFacts, errorBox, stateFacts, type Destination } from './views.ts';

/** The pages acting on one payee: approve and delete (confirmed with the password), reject, withdraw. */

export type PayeeAction = 'approve' | 'reject' | 'withdraw' | 'delete';

function actionForm(t: Translate, state: FormState, options: { action: PayeeAction; path: string; csrfToken: string; submitLabel: string }): Html {
  const password = options.action === 'approve' || options.action === 'delete';
  const invalidReason = state.error?.field === 'reason';
  return html`${errorBox(t, state)}
<form method="post" action="${options.path}" class="card" novalidate>
  ${csrfField(options.csrfToken)}
  ${options.action === 'reject'
    ? html`<div class="field${invalidReason ? ' invalid' : ''}">
  <label for="f-reason">${t('payees.field.reason')}</label>
  <textarea id="f-reason" name="reason" rows="3" maxlength="${reasonLengthMax}"${invalidReason ? html` aria-invalid="true" aria-describedby="form-error"` : ''}>${state.values?.reason ?? ''}</textarea>
</div>`
    : ''}
  ${password
    ? html`${field(state, { name: 'confirmationPassword', label: t('payees.field.confirmationPassword'), type: 'password', autocomplete: 'current-password' })}
  <p class="hint">${t('payees.hint.confirm')}</p>`
    : ''}
  ${submitButton(options.submitLabel)}
</form>`;
}

export interface ActionPageOptions {
  action: PayeeAction;
  found: PayeePage;
  destination: Destination;
  csrfToken: string;
}

/** What the action does, the payee it acts on, and its form. */
export function actionPage(t: Translate, state: FormState, options: ActionPageOptions): Html {
  const { action, found } = options;
  const path = `/payees/${found.payee.id}`;
  return html`<p>${t(`payees.${action}.intro`)}</p>
${destinationFacts(t, options.destination, stateFacts(t, found.payee, found.registrant.user_id, found.approvals))}
${actionForm(t, state, { action, path: `${path}/${action}`, csrfToken: options.csrfToken, submitLabel: t(`payees.${action}.submit`) })}
<p><a href="${path}">${t('payees.detail.back')}</a></p>`;
}
