import { html, type Html } from '../../web/html.ts';
import { csrfField, layout, type PageContext } from '../../web/layout.ts';
import { tokyoDate } from '../../domain/business-days.ts';
import type { LiveSession } from '../../access/sessions.ts';
import type { AcquisitionView } from './service.ts';
import { dayText } from '../../web/day.ts';

export interface AcquirePageInput {
  live: LiveSession;
  view: AcquisitionView;
  /** The certificate listener's logon page (R4.1), where the installed certificate is used. */
  certificateLogonUrl: string;
}

/**
 * 電子証明書の取得・更新 (R4.3, R4.4, R4.6). The work happens in certificate-acquire.js: the key pair
 * is made in the browser and never leaves it, so without JavaScript the page can only explain.
 * The page has no idle refresh: once the certificate is issued the password is on this page only,
 * and a refresh would lose it.
 */
export function acquirePage(page: PageContext, input: AcquirePageInput): Html {
  const { t } = page;
  const { user, contract, session } = input.live;
  const fileName = `${contract.id}-${user.user_id}.p12`;
  const facts = html`<dl class="facts">
  <dt>${t('certificateAcquire.company')}</dt><dd>${contract.company_name}</dd>
  <dt>${t('certificateAcquire.contractId')}</dt><dd>${contract.id}</dd>
  <dt>${t('certificateAcquire.userId')}</dt><dd>${user.user_id}</dd>
  <dt>${t('certificateAcquire.userName')}</dt><dd>${user.display_name}</dd>
  <dt>${t('certificateAcquire.validity')}</dt><dd>${t('certificateAcquire.validityValue', { date: input.view.validUntil })}</dd>
</dl>`;
  const cancel = html`<form method="post" action="/logout" class="acquire-cancel" id="acquire-cancel">${csrfField(session.csrf_token)}<button type="submit" class="link">${t('certificateAcquire.cancel')}</button></form>`;

  if (!input.view.required) {
    return layout(page, 'certificateAcquire.title', html`<h2>${t('certificateAcquire.who')}</h2>${facts}
<div class="error" role="alert" data-code="CERT_NOT_REQUIRED">${t('certificateAcquire.notRequired')}</div>
${cancel}`);
  }

  const existing = input.view.existing;
  const body = html`<p>${t('certificateAcquire.intro')}</p>
<h2>${t('certificateAcquire.who')}</h2>
${facts}
<div class="acquire" id="acquire"
  data-contract-id="${contract.id}" data-user-id="${user.user_id}" data-file-name="${fileName}"
  data-friendly-name="${page.bankName} ${contract.id}-${user.user_id}"
  data-msg-failed="${t('certificateAcquire.failed')}" data-msg-mismatch="${t('certificateAcquire.mismatch')}"
  data-msg-unsupported="${t('certificateAcquire.unsupported')}">
<form method="post" action="/certificate/acquire" class="card" id="acquire-form">
  ${csrfField(session.csrf_token)}
  ${
    existing
      ? html`<div class="security-notice" id="acquire-existing" role="alert"><p>${t('certificateAcquire.existing', { date: dayText(t, tokyoDate(existing.not_after)) })}</p>
  <div class="field"><label class="check"><input type="checkbox" name="replace" value="yes" id="f-replace"> ${t('certificateAcquire.replaceConfirm')}</label></div></div>`
      : ''
  }
  <noscript><p class="error">${t('certificateAcquire.noscript')}</p></noscript>
  <div class="actions"><button type="submit" id="acquire-start" disabled>${t('certificateAcquire.start')}</button></div>
</form>
<p class="notice" id="acquire-working" role="status" hidden>${t('certificateAcquire.working')}</p>
<div class="error" id="acquire-error" role="alert" hidden></div>
<p id="acquire-relogon" hidden>${t('certificateAcquire.relogon')} <a href="/logon">${t('certificateAcquire.backToLogon')}</a></p>
<section id="acquire-result" hidden>
  <div class="notice" role="status">${t('certificateAcquire.done')}</div>
  <dl class="facts">
    <dt>${t('certificateAcquire.password')}</dt><dd><code class="p12-password" id="p12-password"></code></dd>
    <dt>${t('certificateAcquire.notAfter')}</dt><dd id="p12-not-after"></dd>
  </dl>
  <p class="hint">${t('certificateAcquire.passwordOnce')}</p>
  <p><a class="download" id="p12-download" download="${fileName}" href="#">${t('certificateAcquire.download', { file: fileName })}</a></p>
  <h2>${t('certificateAcquire.install')}</h2>
  <h3>${t('certificateAcquire.install.windows')}</h3>
  <ol>
    <li>${t('certificateAcquire.install.windows.1')}</li>
    <li>${t('certificateAcquire.install.windows.2')}</li>
    <li>${t('certificateAcquire.install.windows.3')}</li>
    <li>${t('certificateAcquire.install.windows.4')}</li>
  </ol>
  <p class="hint">${t('certificateAcquire.install.windows.5')}</p>
  <h3>${t('certificateAcquire.install.firefox')}</h3>
  <ol>
    <li>${t('certificateAcquire.install.firefox.1')}</li>
    <li>${t('certificateAcquire.install.firefox.2')}</li>
    <li>${t('certificateAcquire.install.firefox.3')}</li>
  </ol>
  <p>${t('certificateAcquire.install.restart')}</p>
  <p><a class="button" id="certificate-logon" href="${input.certificateLogonUrl}">${t('certificateAcquire.logonLink')}</a></p>
</section>
</div>
${cancel}
<script type="module" src="/static/certificate-acquire.js"></script>`;
  return layout(page, 'certificateAcquire.title', body);
}
