import { html, type Html } from '../../web/html.ts';
import { csrfField, layout, type PageContext, type SessionChrome } from '../../web/layout.ts';
import { errorSummary, field, noticeBox, submitButton, type FormState } from '../../web/form.ts';
import type { MessageKey } from '../../web/i18n/index.ts';
import type { GridPrompt } from './service.ts';
import { userIdLengthMax } from '../../domain/identifiers.ts';

const endedNotices: Record<string, MessageKey> = {
  idle: 'logon.notice.idle',
  absolute: 'logon.notice.absolute',
  superseded: 'logon.notice.superseded',
  stopped: 'logon.notice.stopped',
  credentials: 'logon.notice.credentials',
  logout: 'logon.notice.logout',
  expired: 'logon.notice.expired',
  certificate: 'certificateLogon.ended.certificate',
  certificate_required: 'certificateLogon.ended.certificateRequired',
};

/** What the logon page shows about client certificates (R4.1–R4.4). */
export interface LogonPageCertificates {
  /** The page is served by the certificate listener. */
  certificateListener: boolean;
  /** The logon page of the certificate listener, for people of contracts that use certificates. */
  certificateLogonUrl: string;
  /** R4.4: the presented certificate's last day (Tokyo), shown from 30 days before it. */
  renewalDate?: string;
}

/** The button 電子証明書の取得・更新 (R4.3): a form, so it looks and works as a button without script. */
export const acquisitionLogonPath = '/logon/certificate';

/** Errors after which the person needs the way to a certificate or to the certificate logon. */
const certificateHelp: Partial<Record<string, 'missing' | 'renew' | 'site'>> = {
  CERT_LOGON_MISSING: 'missing',
  CERT_LOGON_FOREIGN: 'missing',
  CERT_LOGON_REVOKED: 'renew',
  CERT_LOGON_EXPIRED: 'renew',
  CERT_LOGON_USE_CERTIFICATE_SITE: 'site',
};

export function logonPage(page: PageContext, csrfToken: string, state: FormState, ended: string | undefined, certificates: LogonPageCertificates): Html {
  const { t } = page;
  const notice = ended && endedNotices[ended] ? t(endedNotices[ended]) : undefined;
  return layout(
    page,
    'logon.title',
    html`${noticeBox(notice)}
${certificates.renewalDate ? renewalNotice(page, certificates.renewalDate) : ''}
${certificates.certificateListener ? html`<p>${t('certificateLogon.siteIntro')}</p>` : ''}
<p>${t('logon.intro')}</p>
${errorSummary(t, state)}
${certificateErrorHelp(page, state, certificates)}
<form method="post" action="/logon" class="card" novalidate>
  ${csrfField(csrfToken)}
  ${field(state, { name: 'contractId', label: t('logon.contractId'), inputMode: 'numeric', maxLength: 11, autocomplete: 'username' })}
  ${field(state, { name: 'userId', label: t('logon.userId'), maxLength: userIdLengthMax, autocomplete: 'off' })}
  ${field(state, { name: 'password', label: t('logon.password'), type: 'password', autocomplete: 'current-password' })}
  ${submitButton(t('logon.submit'))}
</form>
${certificates.certificateListener ? '' : html`<p class="hint">${t('certificateLogon.siteHint')} <a href="${certificates.certificateLogonUrl}">${t('certificateLogon.siteLink')}</a></p>`}
${acquisitionButton(page)}
<p class="hint">${t('logon.security')}</p>`,
  );
}

function acquisitionButton(page: PageContext): Html {
  const { t } = page;
  return html`<form method="get" action="${acquisitionLogonPath}" class="acquire-certificate">
  <p class="hint">${t('certificateLogon.acquireHint')}</p>
  <div class="actions"><button type="submit">${t('certificateLogon.acquireButton')}</button></div>
</form>`;
}

/** R4.4: from 30 days before expiry, the date and the way to renew. */
function renewalNotice(page: PageContext, date: string): Html {
  const { t } = page;
  return html`<div class="notice" role="status" data-notice="certificate-renewal">${t('certificateLogon.renewal', { date })}
  <form method="get" action="${acquisitionLogonPath}" class="inline"><button type="submit" class="link">${t('certificateLogon.acquireButton')}</button></form>
</div>`;
}

function certificateErrorHelp(page: PageContext, state: FormState, certificates: LogonPageCertificates): Html | '' {
  const help = state.error ? certificateHelp[state.error.code] : undefined;
  if (!help) return '';
  const { t } = page;
  const siteLink = html`<a href="${certificates.certificateLogonUrl}">${t('certificateLogon.siteLink')}</a>`;
  if (help === 'renew') return html`<p class="hint" data-help="certificate">${t('certificateLogon.helpRenew')}</p>`;
  if (help === 'site') return html`<p class="hint" data-help="certificate">${t('certificateLogon.helpSite')} ${siteLink}</p>`;
  return html`<p class="hint" data-help="certificate">${t('certificateLogon.helpMissing')} ${siteLink}</p>`;
}

/** R4.3: the logon of 電子証明書の取得・更新: IDs and login password, then the grid card; no certificate. */
export function acquisitionLogonPage(page: PageContext, csrfToken: string, state: FormState, certificates: LogonPageCertificates): Html {
  const { t } = page;
  return layout(
    page,
    'certificateLogon.acquireTitle',
    html`<p>${t('certificateLogon.acquireIntro')}</p>
${errorSummary(t, state)}
${certificateErrorHelp(page, state, certificates)}
<form method="post" action="${acquisitionLogonPath}" class="card" novalidate>
  ${csrfField(csrfToken)}
  ${field(state, { name: 'contractId', label: t('logon.contractId'), inputMode: 'numeric', maxLength: 11, autocomplete: 'username' })}
  ${field(state, { name: 'userId', label: t('logon.userId'), maxLength: userIdLengthMax, autocomplete: 'off' })}
  ${field(state, { name: 'password', label: t('certificateLogon.acquirePassword'), type: 'password', autocomplete: 'current-password' })}
  ${submitButton(t('certificateLogon.acquireSubmit'))}
</form>
<p><a href="/logon">${t('certificateLogon.backToLogon')}</a></p>
<p class="hint">${t('logon.security')}</p>`,
  );
}

export function gridPage(page: PageContext, chrome: SessionChrome, prompt: GridPrompt, state: FormState): Html {
  const { t } = page;
  if (prompt.kind === 'no_card') return noCardPage(page, chrome);
  return layout(
    page,
    'grid.title',
    html`<p>${t('grid.intro')}</p>
<p class="hint">${t('grid.cardSerial')}: <strong>${prompt.cardSerial}</strong></p>
<p class="hint">${t('grid.sameChallenge')}</p>
${errorSummary(t, state)}
<form method="post" action="/logon/grid" class="card grid-answer" novalidate>
  ${csrfField(chrome.csrfToken)}
  <div class="cells">
  ${prompt.cells.map(
    (cell, i) => html`<div class="field cell">
    <label for="f-cell${i}"><span class="cell-name">${cell}</span><span class="visually-hidden"> ${t('grid.cell', { cell })}</span></label>
    <input id="f-cell${i}" name="cell${i}" type="password" inputmode="numeric" maxlength="1" autocomplete="off" class="digit"${i === 0 ? html` autofocus` : ''}>
  </div>`,
  )}
  </div>
  ${submitButton(t('grid.submit'))}
</form>`,
    chrome,
  );
}

/**
 * R3.3: a person whose grid card the bank has not issued yet (a new user, a lost card awaiting its
 * replacement) has nothing to answer with: the page says so, with nothing to type into, rather than
 * the error of a wrong answer.
 */
function noCardPage(page: PageContext, chrome: SessionChrome): Html {
  const { t } = page;
  return layout(
    page,
    'grid.noCard.title',
    html`<div class="notice" role="status" data-notice="grid-card-not-issued">
  <p>${t('grid.noCard.body')}</p>
  <p>${t('grid.noCard.help')}</p>
</div>`,
    chrome,
  );
}
