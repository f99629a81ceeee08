import { html, type Html } from '../../web/html.ts';
import type { FormState } from '../../web/form.ts';

/** The forms of this page; each has its own action, so an error is shown with the form it came from. */
export type SubjectForm = 'lift' | 'reset' | 'token-lift' | 'token-revoke' | undefined;

export function subjectPath(userId: string): string {
  return `/users/${encodeURIComponent(userId)}/security`;
}

/** A password input whose id is unique on a page that holds several forms. */
export function secretInput(state: FormState, form: SubjectForm, current: SubjectForm, name: string, label: string, autocomplete: string): Html {
  const invalid = form === current && state.error?.field === name;
  const id = `f-${form}-${name}`;
  return html`<div class="field${invalid ? ' invalid' : ''}">
  <label for="${id}">${label}</label>
  <input id="${id}" name="${name}" type="password" value="" autocomplete="${autocomplete}"${invalid ? html` aria-invalid="true" aria-describedby="form-error"` : ''}>
</div>`;
}

