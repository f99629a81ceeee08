import { html, type Html, type HtmlValue } from './html.ts';
import type { Language, MessageKey, Translate } from './i18n/index.ts';

export interface PageContext {
  t: Translate;
  lang: Language;
  /** The path of this page, for the language switch. */
  path: string;
  bankName: string;
}

export interface SessionChrome {
  csrfToken: string;
  idleSeconds: number;
  /** The menu is shown only to a person who has completed the logon. */
  menu: boolean;
  /** R1.4: 利用者管理 is offered only to those who may administer users (the master and admin users). */
  userAdmin?: boolean;
  /** R8.5: the contract's settings (approval, result emails) are the master's. */
  master?: boolean;
  /** The idle warning applies once the logon is complete; a pending logon simply expires. */
  idleWarning: boolean;
}

/** The page frame. No inline script or style (strict CSP); everything works without JavaScript. */
export function layout(page: PageContext, title: MessageKey, body: HtmlValue, session?: SessionChrome): Html {
  const { t } = page;
  const otherLanguage: Language = page.lang === 'ja' ? 'en' : 'ja';
  const switchHref = `${page.path}${page.path.includes('?') ? '&' : '?'}lang=${otherLanguage}`;
  const refresh = session ? html`<meta http-equiv="refresh" content="${session.idleSeconds + 2}">` : '';
  return html`<!doctype html>
<html lang="${page.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
${refresh}
<title>${t(title)} | ${page.bankName} ${t('app.title')}</title>
<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/static/site.css">
${session ? html`<script src="/static/session-timer.js" defer></script>` : ''}
</head>
<body${session?.idleWarning ? html` data-idle-seconds="${session.idleSeconds}"` : ''}>
<a class="skip" href="#main">${t('app.skipToContent')}</a>
<header class="bar">
  <div class="brand">${page.bankName} <span>${t('app.title')}</span></div>
  <nav class="tools">
    <a href="${switchHref}" lang="${otherLanguage}">${t('app.switchLanguage')}</a>
    ${session ? logoutForm(t, session.csrfToken) : ''}
  </nav>
</header>
${session?.menu ? menu(t, session.userAdmin === true, session.master === true) : ''}
${session?.idleWarning ? idleBanner(t, session.idleSeconds) : ''}
<main id="main">
<h1>${t(title)}</h1>
${body}
</main>
<footer>${t('app.footer')}</footer>
</body>
</html>`;
}

function logoutForm(t: Translate, csrfToken: string): Html {
  return html`<form method="post" action="/logout" class="inline">${csrfField(csrfToken)}<button type="submit" class="link">${t('nav.logout')}</button></form>`;
}

function menu(t: Translate, userAdmin: boolean, master: boolean): Html {
  return html`<nav class="menu" aria-label="${t('status.menu')}">
  <a href="/status">${t('nav.status')}</a>
  <a href="/accounts">${t('nav.accounts')}</a>
  <a href="/transfers/new">${t('nav.transferNew')}</a>
  <a href="/transfers">${t('nav.transfers')}</a>
  <a href="/approvals">${t('nav.approvals')}</a>
  <a href="/bulk">${t('bulk.menu')}</a>
  <a href="/pay-easy">${t('payEasy.menu')}</a>
  <a href="/payees">${t('nav.payees')}</a>
  <a href="/settings/password">${t('nav.password')}</a>
  <a href="/settings/email">${t('nav.email')}</a>
  <a href="/settings/otp-address">${t('nav.otpAddress')}</a>
  <a href="/settings/token">${t('hardwareToken.menu')}</a>
  ${userAdmin ? html`<a href="/users">${t('nav.users')}</a>` : ''}
  ${userAdmin ? html`<a href="/certificates">${t('nav.certificates')}</a>` : ''}
  ${master ? html`<a href="/contract-settings">${t('nav.contractSettings')}</a>` : ''}
  <a href="/security">${t('nav.security')}</a>
</nav>`;
}

/** Without JavaScript the notice stays as text; session-timer.js turns it into a countdown warning. */
function idleBanner(t: Translate, idleSeconds: number): Html {
  return html`<div class="idle-info" id="idle-info">${t('session.idleInfo', { minutes: Math.max(1, Math.ceil(idleSeconds / 60)) })}</div>
<div class="idle-warning" id="idle-warning" hidden role="alert">${t('session.warning')} <a href="" id="idle-extend">${t('session.extend')}</a></div>`;
}

export function csrfField(token: string): Html {
  return html`<input type="hidden" name="_csrf" value="${token}">`;
}
