import { html, type Html } from './html.ts';
import { field, type FormState } from './form.ts';
import type { Translate } from './i18n/index.ts';
import type { TokenAsk } from '../access/hardware-token/requirement.ts';
import { momentText } from './day.ts';

/**
 * R6.5: the token password of a form whose operation needs it, beside the confirmation password;
 * during the grace period of R6.4 a line says the operation goes ahead without it, and until when.
 */
export function tokenCodeInput(t: Translate, state: FormState, ask: TokenAsk | undefined): Html | '' {
  if (ask?.requirement === 'required') {
    return html`${field(state, { name: 'tokenCode', label: t('hardwareToken.field.code'), inputMode: 'numeric', maxLength: 6, autocomplete: 'one-time-code' })}
<p class="hint">${t('hardwareToken.field.codeHint')}</p>`;
  }
  if (ask?.requirement === 'grace') return html`<p class="hint" id="token-grace">${t('hardwareToken.section.grace', { until: ask.graceUntil ? momentText(t, ask.graceUntil) : '' })}</p>`;
  return '';
}
