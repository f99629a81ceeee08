import { html, type Html } from './html.ts';
import type { Translate } from './i18n/index.ts';
import type { AppError } from '../errors.ts';

/** What a form page needs to show a failed submission again: the error and the values typed. */
export interface FormState {
  error?: AppError;
  values?: Record<string, string>;
}

export function errorSummary(t: Translate, state: FormState): Html | '' {
  if (!state.error) return '';
  return html`<div class="error" role="alert" id="form-error" data-code="${state.error.code}">${t(state.error.messageKey, state.error.params)}</div>`;
}

export function noticeBox(text: string | undefined): Html | '' {
  return text ? html`<div class="notice" role="status">${text}</div>` : '';
}

interface FieldOptions {
  name: string;
  label: string;
  type?: 'text' | 'password' | 'email';
  inputMode?: 'numeric' | 'text' | 'email';
  maxLength?: number;
  autocomplete?: string;
  pattern?: string;
}

/** A labelled input; a password is never written back into the page. */
export function field(state: FormState, options: FieldOptions): Html {
  const type = options.type ?? 'text';
  const value = type === 'password' ? '' : (state.values?.[options.name] ?? '');
  const invalid = state.error?.field === options.name;
  return html`<div class="field${invalid ? ' invalid' : ''}">
  <label for="f-${options.name}">${options.label}</label>
  <input id="f-${options.name}" name="${options.name}" type="${type}" value="${value}"
    ${options.maxLength ? html`maxlength="${options.maxLength}"` : ''}
    ${options.inputMode ? html`inputmode="${options.inputMode}"` : ''}
    ${options.pattern ? html`pattern="${options.pattern}"` : ''}
    autocomplete="${options.autocomplete ?? 'off'}"${invalid ? html` aria-invalid="true" aria-describedby="form-error"` : ''}>
</div>`;
}

export function submitButton(label: string): Html {
  return html`<div class="actions"><button type="submit">${label}</button></div>`;
}

export type { Translate };
