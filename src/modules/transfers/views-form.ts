import { html, type Html } from '../../web/html.ts';
import { csrfField } from '../../web/layout.ts';
import { submitButton, type FormState } from '../../web/form.ts';
import type { Translate } from '../../web/i18n/index.ts';
import { formatYen } from '../../domain/money.ts';
import { accountNumberDigits, accountTypes } from '../../domain/account-designation.ts';
import { amountTextLengthMax, field, nameInputLengthMax, transferFormFields } from './form-input.ts';
import type { TransferFormChoices } from './pages-data.ts';
import { accountTypeLabel, fieldMessage, formError, radioGroup, selectInput, textInput } from './views-controls.ts';

/** The form's id: the code look-up's button under it sends the form's values along (views-lookup.ts). */
export const transferFormId = 'transfer-form';

/** R8.2: the transfer form — account, payee (registered or ad hoc), amount, execution date. */
export interface TransferFormOptions {
  csrfToken: string;
  choices: TransferFormChoices;
  /** The values to show: typed ones after an error, a draft's for a correction, else none. */
  values: Record<string, string>;
  /** Where bank and branch codes can be looked up by name. */
  lookupHref: string | undefined;
}

export function transferForm(t: Translate, state: FormState, options: TransferFormOptions): Html {
  const { choices, values } = options;
  const value = (name: string, fallback = '') => values[name] ?? fallback;
  const accountChoices = choices.accounts.map((account) => ({
    value: String(account.id),
    label: t('transferPages.account.option', {
      branch: account.branchName ? `${account.branchName}（${account.branchCode}）` : account.branchCode,
      type: accountTypeLabel(t, account.accountType),
      number: account.accountNumber,
      balance: formatYen(account.balanceYen),
    }),
  }));
  const payeeChoices = choices.payees.map((payee) => ({
    value: String(payee.id),
    label: t('transferPages.payee.option', { ...payee.label, type: accountTypeLabel(t, payee.label.accountType), number: payee.label.accountNumber }),
  }));
  const onlyAccount = accountChoices.length === 1 ? accountChoices[0]!.value : '';
  const destination = value(field.destination, choices.payees.length > 0 ? 'payee' : 'adHoc');

  const payeeBody = payeeChoices.length > 0
    ? selectInput(t, state, { name: field.payee, label: t('transferPages.field.payee'), value: value(field.payee), choices: payeeChoices, placeholder: t('transferPages.payee.choose') })
    : html`${fieldMessage(t, state, field.payee)}<p class="hint">${t('transferPages.noPayees')}</p>`;
  const adHocBody = html`<div class="codes">
  ${textInput(t, state, { name: field.bankCode, label: t('transferPages.field.bankCode'), value: value(field.bankCode), inputMode: 'numeric', maxLength: 4, size: 'short' })}
  ${textInput(t, state, { name: field.branchCode, label: t('transferPages.field.branchCode'), value: value(field.branchCode), inputMode: 'numeric', maxLength: 3, size: 'short' })}
</div>
${options.lookupHref ? html`<p class="hint"><a href="${options.lookupHref}">${t('transferPages.lookup')}</a></p>` : ''}
${selectInput(t, state, {
  name: field.accountType,
  label: t('transferPages.field.accountType'),
  value: value(field.accountType, 'ordinary'),
  choices: accountTypes.map((type) => ({ value: type, label: accountTypeLabel(t, type) })),
})}
${textInput(t, state, { name: field.accountNumber, label: t('transferPages.field.accountNumber'), value: value(field.accountNumber), inputMode: 'numeric', maxLength: accountNumberDigits, size: 'short', hint: t('transferPages.hint.accountNumber') })}
${textInput(t, state, { name: field.nameInput, label: t('transferPages.field.nameInput'), value: value(field.nameInput), maxLength: nameInputLengthMax, size: 'long', hint: t('transferPages.hint.nameInput') })}`;

  return html`${formError(t, state, transferFormFields)}
<form method="post" action="/transfers/new" class="card transfer-form" id="${transferFormId}" novalidate>
  ${csrfField(options.csrfToken)}
  <h2>${t('transferPages.section.from')}</h2>
  ${
    accountChoices.length > 0
      ? selectInput(t, state, {
          name: field.fromAccount,
          label: t('transferPages.field.fromAccount'),
          value: value(field.fromAccount, onlyAccount),
          choices: accountChoices,
          ...(onlyAccount ? {} : { placeholder: t('transferPages.payee.choose') }),
        })
      : html`${fieldMessage(t, state, field.fromAccount)}<p class="notice">${t('transferPages.noAccounts')}</p>`
  }
  <h2>${t('transferPages.section.to')}</h2>
  ${radioGroup(t, state, {
    name: field.destination,
    legend: t('transferPages.field.destination'),
    value: destination,
    choices: [
      { value: 'payee', label: t('transferPages.destination.payee'), body: payeeBody },
      { value: 'adHoc', label: t('transferPages.destination.adHoc'), body: adHocBody },
    ],
  })}
  <h2>${t('transferPages.section.amount')}</h2>
  ${textInput(t, state, { name: field.amount, label: t('transferPages.field.amount'), value: value(field.amount), inputMode: 'numeric', maxLength: amountTextLengthMax, hint: t('transferPages.hint.amount') })}
  ${textInput(t, state, {
    name: field.executionDate,
    label: t('transferPages.field.executionDate'),
    value: value(field.executionDate, choices.defaultDate),
    type: 'date',
    hint: t('transferPages.hint.executionDate', { example: choices.defaultDate }),
  })}
  ${submitButton(t('transferPages.next'))}
</form>`;
}
