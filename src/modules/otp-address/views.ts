import { html, type Html } from '../../web/html.ts';
import { csrfField } from '../../web/layout.ts';
import { errorSummary, field, noticeBox, submitButton, type FormState } from '../../web/form.ts';
import type { Translate } from '../../web/i18n/index.ts';
import { emailLengthMax } from '../../domain/identifiers.ts';
import type { PendingOtpAddress } from './service.ts';
import { momentText } from '../../web/day.ts';

/** R5.1: the OTP address pages — the address with the confirmation password, then the code sent to it. */

export interface OtpAddressView {
  csrfToken: string;
  /** Where the forms post: `/otp-address` while the person is held there, `/settings/otp-address` otherwise. */
  path: string;
  current: string | null;
  pending: PendingOtpAddress | undefined;
  held: boolean;
  done: boolean;
}

function addressForm(t: Translate, state: FormState, view: OtpAddressView): Html {
  return html`<form method="post" action="${view.path}" class="card" novalidate>
  ${csrfField(view.csrfToken)}
  ${field(state, { name: 'address', label: t('otpAddress.field.address'), type: 'email', inputMode: 'email', maxLength: emailLengthMax, autocomplete: 'email' })}
  ${field(state, { name: 'confirmationPassword', label: t('otpAddress.field.confirmationPassword'), type: 'password', autocomplete: 'current-password' })}
  <p class="hint">${t('otpAddress.hint.confirmationPassword')}</p>
  ${submitButton(t('otpAddress.sendCode'))}
</form>`;
}

function codeForm(t: Translate, state: FormState, view: OtpAddressView, pending: PendingOtpAddress): Html {
  return html`<p id="otp-address-sent">${t('otpAddress.codeSent', { address: pending.address, at: momentText(t, pending.expiresAt) })}</p>
<form method="post" action="${view.path}/verify" class="card" novalidate>
  ${csrfField(view.csrfToken)}
  ${field(state, { name: 'otp', label: t('otpAddress.field.code'), inputMode: 'numeric', maxLength: 6, autocomplete: 'one-time-code' })}
  ${submitButton(t('otpAddress.confirm'))}
</form>
<p class="hint"><a href="${view.path}?again=1">${t('otpAddress.again', { at: momentText(t, pending.resendAt) })}</a></p>`;
}

export function otpAddressPage(t: Translate, state: FormState, view: OtpAddressView): Html {
  const intro = view.held ? t('otpAddress.intro.required') : t('otpAddress.intro.change');
  const current = html`<p>${t('otpAddress.current')}: <strong id="otp-address-current">${view.current ?? t('otpAddress.none')}</strong></p>`;
  return html`${noticeBox(view.done ? t('otpAddress.done') : undefined)}
<p>${intro}</p>
<p class="hint">${t('otpAddress.explain')}</p>
${current}
${errorSummary(t, state)}
${view.pending ? codeForm(t, state, view, view.pending) : addressForm(t, state, view)}`;
}
