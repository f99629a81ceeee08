import { html, type Html } from '../../../web/html.ts';
import type { FormState } from '../../../web/form.ts';
import type { MessageKey, Translate } from '../../../web/i18n/index.ts';
import type { LockMode } from '../../../db/schema.ts';
import type { ApplicationRow } from '../../../modules/contracts/console-queries.ts';
import { referenceLengthMax } from '../../../modules/contracts/application-payload.ts';
import { jst } from '../layout.ts';
import { consolePaths } from '../paths.ts';
import { tokenPayloadSummary, withoutContract } from './token-summary.ts';

/** The paper form's reference number; each form of a page has its own field id, the name stays `reference`. */
export function referenceField(t: Translate, state: FormState, idSuffix: string): Html {
  const id = `f-reference-${idSuffix}`;
  const invalid = state.error?.field === 'reference';
  return html`<div class="field${invalid ? ' invalid' : ''}">
  <label for="${id}">${t('operatorConsole.form.reference')}</label>
  <input id="${id}" name="reference" type="text" value="${state.values?.reference ?? ''}" maxlength="${referenceLengthMax}" autocomplete="off"${invalid ? html` aria-invalid="true" aria-describedby="form-error"` : ''}>
</div>`;
}

/** R4.2: on or off, the one the contract does not have yet preselected. */
export function certificateChoice(t: Translate, state: FormState, preselected: 'on' | 'off'): Html {
  const chosen = state.values?.certificateRequired ?? preselected;
  const invalid = state.error?.field === 'certificateRequired';
  return html`<fieldset class="field${invalid ? ' invalid' : ''}"><legend>${t('operatorConsole.form.certificateRequired')}</legend>
${(['on', 'off'] as const).map(
    (value) => html`<label><input type="radio" name="certificateRequired" value="${value}"${chosen === value ? html` checked` : ''}> ${t(value === 'on' ? 'operatorConsole.form.certificateOn' : 'operatorConsole.form.certificateOff')}</label>`,
  )}
</fieldset>`;
}

export function lockModeChoice(t: Translate, state: FormState, preselected: LockMode): Html {
  const chosen = state.values?.lockMode ?? preselected;
  const invalid = state.error?.field === 'lockMode';
  return html`<fieldset class="field${invalid ? ' invalid' : ''}"><legend>${t('operatorConsole.form.lockMode')}</legend>
${(['unlinked', 'linked'] as const).map(
    (mode) => html`<label><input type="radio" name="lockMode" value="${mode}"${chosen === mode ? html` checked` : ''}> ${t(`operatorConsole.lockMode.${mode}`)}</label>`,
  )}
</fieldset>`;
}

export function statusLabel(t: Translate, status: ApplicationRow['status']): string {
  return t(`operatorConsole.application.status.${status}`);
}

export function applicationsTable(t: Translate, rows: ApplicationRow[], options: { contract: boolean; id?: string }): Html {
  return html`<div class="scroll"><table class="uses applications"${options.id ? html` id="${options.id}"` : ''}>
<thead><tr><th>${t('operatorConsole.application.number')}</th><th>${t('operatorConsole.application.kind')}</th>${options.contract ? html`<th>${t('operatorConsole.application.contract')}</th>` : ''}<th>${t('operatorConsole.application.details')}</th><th>${t('operatorConsole.application.reference')}</th><th>${t('operatorConsole.application.status')}</th><th>${t('operatorConsole.application.recordedBy')}</th></tr></thead>
<tbody>${rows.map(
    (row) => html`<tr data-application="${row.id}" class="status-${row.status}"><td><a href="${consolePaths.application(row.id)}">No. ${row.id}</a></td><td>${t(`operatorConsole.kind.${row.kind}`)}</td>${
      options.contract ? html`<td>${row.contract_id ? html`${row.company_name}<br><span class="hint">${row.contract_id}</span>` : withoutContract(t, row.kind)}</td>` : ''
    }<td>${payloadSummary(t, row)}</td><td>${row.reference}</td><td>${statusLabel(t, row.status)}</td><td>${row.recorded_name}<br><span class="hint">${jst(t, row.recorded_at)}</span></td></tr>`,
  )}</tbody></table></div>`;
}

/** The application's own fields, in words. */
export function payloadSummary(t: Translate, row: Pick<ApplicationRow, 'kind' | 'payload'>): string {
  const p = row.payload as Record<string, string>;
  switch (row.kind) {
    case 'onboard':
      return [p.companyName, `${p.masterUserId} ${p.masterName}`, p.masterEmail, t(`operatorConsole.lockMode.${p.lockMode as LockMode}`)].filter(Boolean).join(' / ');
    case 'set_lock_mode':
      return t(`operatorConsole.lockMode.${p.lockMode as LockMode}`);
    case 'set_certificate_required':
      return t((row.payload as { required?: boolean }).required ? 'operatorConsole.form.certificateOn' : 'operatorConsole.form.certificateOff');
    case 'import_tokens':
    case 'assign_token':
      return tokenPayloadSummary(t, row);
    default:
      return t('operatorConsole.form.personSummary', { userId: p.userId ?? '' });
  }
}

/** What an approval's result may hold, in the order the page shows it; each has its label `operatorConsole.result.<name>`. */
const resultNames = [
  'contractId',
  'masterUserId',
  'userId',
  'cardSerial',
  'cardExpiresAt',
  'registrationPasswordExpiresAt',
  'replaced',
  'invalidated',
  'contractLifted',
  'from',
  'to',
  'certificateRequired',
  'sessionsEnded',
  'revokedSerial',
] as const;

/** The non-secret result an approval left, as a list of facts. */
export function resultFacts(t: Translate, result: Record<string, unknown>): Html {
  const shown: [MessageKey, string][] = [];
  for (const key of resultNames) {
    const value = result[key];
    if (value === undefined) continue;
    let text: string;
    if (key === 'certificateRequired') text = t(value ? 'operatorConsole.form.certificateOn' : 'operatorConsole.form.certificateOff');
    else if (typeof value === 'boolean') text = t(value ? 'operatorConsole.yes' : 'operatorConsole.no');
    else if (Array.isArray(value)) text = value.join(', ') || '-';
    else if (key.endsWith('At')) text = jst(t, String(value));
    else if (key === 'from' || key === 'to') text = t(`operatorConsole.lockMode.${value as LockMode}`);
    else text = String(value);
    shown.push([`operatorConsole.result.${key}`, text]);
  }
  return html`<dl class="facts" id="application-result">${shown.map(([key, text]) => html`<dt>${t(key)}</dt><dd>${text}</dd>`)}</dl>`;
}
