import { html, type Html } from '../../web/html.ts';
import { csrfField } from '../../web/layout.ts';
import type { FormState } from '../../web/form.ts';
import type { MessageKey, Translate } from '../../web/i18n/index.ts';
import type { SentChallenge } from '../../access/email-otp/challenge.ts';
import { formError, textInput } from './views-controls.ts';
import { momentText } from '../../web/day.ts';

/**
 * R5.2, R5.3: the email one-time password on the page of a step that finalises a transfer: where the
 * code goes, the instruction to compare the email with this page (in the person's language; the
 * email carries both), the button that sends (or sends again) the code, and the code's field.
 */
export const otpField = 'otp';

export interface OtpSectionView {
  csrfToken: string;
  /** The person's OTP address, masked; undefined: none confirmed. */
  addressMasked: string | undefined;
  /** The code sent for this transfer as it stands now, if one waits. */
  open: SentChallenge | undefined;
  /** Where the send button posts, with the hidden fields that name the transfer. */
  action: string;
  hidden: Record<string, string>;
  /** A refusal of the send button (the cool-down, the limit). */
  state: FormState;
  /** What to compare the email with; a transfer's payee, amount and date unless the operation says otherwise (a payment's biller). */
  compare?: MessageKey;
}

export function otpSection(t: Translate, view: OtpSectionView): Html {
  if (view.addressMasked === undefined) {
    return html`<section class="otp" id="email-otp"><h2>${t('emailOtp.section.title')}</h2>
<div class="error" role="alert">${t('emailOtp.noAddress')} <a href="/settings/otp-address">${t('otpAddress.title')}</a></div></section>`;
  }
  const open = view.open;
  return html`<section class="otp" id="email-otp">
<h2>${t('emailOtp.section.title')}</h2>
<p>${t('emailOtp.section.intro', { address: view.addressMasked })}</p>
${open ? html`<p class="notice" role="status" id="otp-sent">${t('emailOtp.section.sent', { address: open.recipientMasked, sentAt: momentText(t, open.sentAt), expiresAt: momentText(t, open.expiresAt) })}</p>` : ''}
<p class="warning" id="otp-compare"><strong>${t(view.compare ?? 'emailOtp.section.compare')}</strong></p>
${formError(t, view.state, [])}
<form method="post" action="${view.action}" class="inline" novalidate>
  ${csrfField(view.csrfToken)}
  ${Object.entries(view.hidden).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`)}
  <button type="submit" id="otp-send">${t(open ? 'emailOtp.section.resend' : 'emailOtp.section.send')}</button>
</form>
${open ? html`<p class="hint" id="otp-resend-at">${t('emailOtp.section.resendAt', { at: momentText(t, open.resendAt) })}</p>` : ''}
</section>`;
}

/** The code's field, in the form of the finalising step, next to the confirmation password. */
export function otpInput(t: Translate, state: FormState): Html {
  return textInput(t, state, { name: otpField, label: t('emailOtp.field.code'), value: '', inputMode: 'numeric', maxLength: 6, autocomplete: 'one-time-code', hint: t('emailOtp.hint.code') });
}
