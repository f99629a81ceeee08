import { html, type Html, type HtmlValue } from './html.ts';
import type { Language, MessageKey, Translate } from './i18n/index.ts';
import type { MenuFacts } from './menu-facts.ts';

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
  /** The businesses the person holds and the items waiting for them; without them every entry is shown. */
  facts?: MenuFacts | undefined;
}

/** The page frame. No inline script or style (strict CSP); everything works without JavaScript. */
export function layout(page: PageContext, title: MessageKey, body: HtmlValue, session?: SessionChrome): Html {
  const { t } = page;
  const otherLanguage: Language = page.lang === 'ja' ? 'en' : 'ja';
  const switchHref = `${page.path}${page.path.includes('?') ? '&' : '?'}lang=${otherLanguage}`;
  const refresh = session ? idleRefresh(session) : '';
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
${session?.menu ? menu(t, session) : ''}
${session?.idleWarning ? idleBanner(t, session.idleSeconds) : ''}
<main id="main">
<h1>${t(title)}</h1>
${body}
</main>
<footer>${t('app.footer')}</footer>
</body>
</html>`;
}

/**
 * Without JavaScript a meta refresh takes the page to the logon page after the idle end. Where
 * session-timer.js counts down (idleWarning), the refresh is inside <noscript>, so it applies only
 * without the script: the script ends the page itself, and 延長する moves its end, which a refresh
 * already scheduled by the browser could not follow (it would reload the page and lose what is typed).
 */
function idleRefresh(session: SessionChrome): Html {
  const refresh = html`<meta http-equiv="refresh" content="${session.idleSeconds + 2}">`;
  return session.idleWarning ? html`<noscript>${refresh}</noscript>` : refresh;
}

function logoutForm(t: Translate, csrfToken: string): Html {
  return html`<form method="post" action="/logout" class="inline">${csrfField(csrfToken)}<button type="submit" class="link">${t('nav.logout')}</button></form>`;
}

type MenuEntry = { href: string; label: MessageKey; shown: boolean; badge?: number };

/**
 * The menu in the groups these users know — 照会 / 振込・振替 / 承認 / 管理 / 設定 — with only the
 * entries the person may use (R1.4), and the count of items waiting for them (R8.5).
 */
function menu(t: Translate, session: SessionChrome): Html {
  const facts = session.facts;
  const holds = (flag: keyof Omit<MenuFacts, 'waiting'>) => facts === undefined || facts[flag];
  const groups: { label: MessageKey; entries: MenuEntry[] }[] = [
    {
      label: 'menu.group.inquiry',
      entries: [
        { href: '/status', label: 'nav.status', shown: true },
        { href: '/accounts', label: 'nav.accounts', shown: holds('inquiry') },
        { href: '/transfers', label: 'nav.transfers', shown: holds('transfer') },
      ],
    },
    {
      label: 'menu.group.transfer',
      entries: [
        { href: '/transfers/new', label: 'nav.transferNew', shown: holds('registerTransfer') },
        { href: '/payees', label: 'nav.payees', shown: holds('transfer') },
        { href: '/bulk', label: 'bulk.menu', shown: holds('bulk') },
        { href: '/pay-easy', label: 'payEasy.menu', shown: holds('taxPayment') },
      ],
    },
    { label: 'menu.group.approval', entries: [{ href: '/approvals', label: 'nav.approvals', shown: holds('approval'), badge: facts?.waiting }] },
    {
      label: 'menu.group.admin',
      entries: [
        { href: '/users', label: 'nav.users', shown: session.userAdmin === true },
        { href: '/certificates', label: 'nav.certificates', shown: session.userAdmin === true },
        { href: '/contract-settings', label: 'nav.contractSettings', shown: session.master === true },
        { href: '/security', label: 'nav.security', shown: true },
      ],
    },
    {
      label: 'menu.group.settings',
      entries: [
        { href: '/settings/password', label: 'nav.password', shown: true },
        { href: '/settings/email', label: 'nav.email', shown: true },
        { href: '/settings/otp-address', label: 'nav.otpAddress', shown: true },
        { href: '/settings/token', label: 'hardwareToken.menu', shown: true },
      ],
    },
  ];
  const entry = (e: MenuEntry) =>
    html`<a href="${e.href}">${t(e.label)}${e.badge ? html` <span class="badge" id="menu-waiting" data-count="${e.badge}" aria-label="${t('approvals.menuCount', { count: e.badge })}">${e.badge}</span>` : ''}</a>`;
  return html`<nav class="menu" aria-label="${t('status.menu')}">
${groups
  .map((group) => ({ ...group, entries: group.entries.filter((e) => e.shown) }))
  .filter((group) => group.entries.length > 0)
  .map((group) => html`<div class="menu-group"><span class="menu-group-label">${t(group.label)}</span>${group.entries.map(entry)}</div>`)}
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
