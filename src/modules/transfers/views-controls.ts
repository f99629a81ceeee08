import { html, type Html, type HtmlValue } from '../../web/html.ts';
import type { FormState } from '../../web/form.ts';
import type { Translate } from '../../web/i18n/index.ts';
import { formatYen } from '../../domain/money.ts';
import type { AccountType } from '../../db/schema.ts';
import type { AppError } from '../../errors.ts';

/**
 * Form controls of the transfer pages. An error that belongs to a field is shown next to that field
 * (with the code tests read); one that belongs to no field of the form is shown above it.
 */

/** An error's message, with the values a refusal names (the holiday, the character that cannot be used). */
export function errorText(t: Translate, error: AppError): string {
  return t(error.messageKey, error.params);
}

export function isFieldError(state: FormState, names: readonly string[]): boolean {
  return state.error?.field !== undefined && names.includes(state.error.field);
}

/** The error above a form, unless it is shown next to one of the form's fields. */
export function formError(t: Translate, state: FormState, fieldNames: readonly string[]): Html | '' {
  if (!state.error || isFieldError(state, fieldNames)) return '';
  return html`<div class="error" role="alert" id="form-error" data-code="${state.error.code}">${errorText(t, state.error)}</div>`;
}

/** The error of one field, shown where the field is. */
export function fieldMessage(t: Translate, state: FormState, name: string): Html | '' {
  if (state.error?.field !== name) return '';
  return html`<p class="error field-error" role="alert" id="form-error" data-code="${state.error.code}">${errorText(t, state.error)}</p>`;
}

/** Marks a control whose field has the error, and points it at the message and at its hint. */
function invalidAttributes(state: FormState, name: string, hint?: HtmlValue): Html | '' {
  const invalid = state.error?.field === name;
  const describedBy = [invalid ? 'form-error' : '', hint ? `hint-${name}` : ''].filter(Boolean).join(' ');
  return html`${invalid ? html` aria-invalid="true"` : ''}${describedBy ? html` aria-describedby="${describedBy}"` : ''}`;
}

function hintFor(name: string, hint: HtmlValue): Html | '' {
  return hint ? html`<p class="hint" id="hint-${name}">${hint}</p>` : '';
}

interface InputOptions {
  name: string;
  label: string;
  value: string;
  type?: 'text' | 'password' | 'date';
  inputMode?: 'numeric' | 'text';
  maxLength?: number;
  autocomplete?: string;
  hint?: HtmlValue;
  size?: 'short' | 'long';
}

/** A labelled text input, its hint, and its error next to it; a password is never written back. */
export function textInput(t: Translate, state: FormState, options: InputOptions): Html {
  const type = options.type ?? 'text';
  const value = type === 'password' ? '' : options.value;
  const invalid = state.error?.field === options.name;
  return html`<div class="field${invalid ? ' invalid' : ''}${options.size ? ` ${options.size}` : ''}">
  <label for="f-${options.name}">${options.label}</label>
  ${fieldMessage(t, state, options.name)}
  <input id="f-${options.name}" name="${options.name}" type="${type}" value="${value}"${options.maxLength ? html` maxlength="${options.maxLength}"` : ''}${options.inputMode ? html` inputmode="${options.inputMode}"` : ''} autocomplete="${options.autocomplete ?? 'off'}"${invalidAttributes(state, options.name, options.hint)}>
  ${hintFor(options.name, options.hint)}
</div>`;
}

export interface Choice {
  value: string;
  label: string;
}

/** A labelled select; `placeholder` adds a first choice with no value. */
export function selectInput(
  t: Translate,
  state: FormState,
  options: { name: string; label: string; value: string; choices: readonly Choice[]; placeholder?: string; hint?: HtmlValue },
): Html {
  const invalid = state.error?.field === options.name;
  return html`<div class="field${invalid ? ' invalid' : ''}">
  <label for="f-${options.name}">${options.label}</label>
  ${fieldMessage(t, state, options.name)}
  <select id="f-${options.name}" name="${options.name}"${invalidAttributes(state, options.name, options.hint)}>
    ${options.placeholder !== undefined ? html`<option value="">${options.placeholder}</option>` : ''}
    ${options.choices.map((choice) => html`<option value="${choice.value}"${choice.value === options.value ? html` selected` : ''}>${choice.label}</option>`)}
  </select>
  ${hintFor(options.name, options.hint)}
</div>`;
}

/** A group of radio buttons, each with a body of its own shown under it (the fields of that choice). */
export function radioGroup(
  t: Translate,
  state: FormState,
  options: { name: string; legend: string; value: string; choices: readonly (Choice & { body?: Html })[] },
): Html {
  const invalid = state.error?.field === options.name;
  return html`<fieldset class="field choices${invalid ? ' invalid' : ''}">
  <legend>${options.legend}</legend>
  ${fieldMessage(t, state, options.name)}
  ${options.choices.map(
    (choice) => html`<div class="choice">
    <label><input type="radio" id="f-${options.name}-${choice.value}" name="${options.name}" value="${choice.value}"${choice.value === options.value ? html` checked` : ''}${invalidAttributes(state, options.name)}> ${choice.label}</label>
    ${choice.body ? html`<div class="choice-body">${choice.body}</div>` : ''}
  </div>`,
  )}
</fieldset>`;
}

export function yen(t: Translate, amount: bigint): string {
  return t('transferPages.yen', { amount: formatYen(amount) });
}

export function accountTypeLabel(t: Translate, type: AccountType): string {
  return t(`transferPages.accountType.${type}`);
}

/** A definition list of facts, one term and value a row. */
export function facts(rows: readonly (readonly [string, HtmlValue])[], className = 'facts'): Html {
  return html`<dl class="${className}">
${rows.map(([term, value]) => html`<dt>${term}</dt><dd>${value}</dd>`)}
</dl>`;
}
