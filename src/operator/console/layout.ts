import type { Staff } from '../../db/schema.ts';
import { momentText } from '../../web/day.ts';
import { html, type Html, type HtmlValue } from '../../web/html.ts';
import { csrfField, type PageContext } from '../../web/layout.ts';
import type { Language, MessageKey, Translate } from '../../web/i18n/index.ts';
import { consolePaths } from './paths.ts';
import { tokenPaths } from './token-paths.ts';

/** What a page of a logged-on (or half logged-on) member shows around its content. */
export interface ConsoleChrome {
  csrfToken: string;
  /** Seconds until the session ends by itself; the page then returns to the logon by itself. */
  secondsLeft: number;
  /** Present once the logon is complete: the menu and the member's name. */
  staff?: Staff;
}

/** The console's frame: no inline script or style (the portal's CSP), works without JavaScript. */
export function consoleLayout(page: PageContext, title: MessageKey | { text: string }, body: HtmlValue, chrome?: ConsoleChrome): Html {
  const { t } = page;
  const otherLanguage: Language = page.lang === 'ja' ? 'en' : 'ja';
  const switchHref = `${page.path}${page.path.includes('?') ? '&' : '?'}lang=${otherLanguage}`;
  const heading = typeof title === 'string' ? t(title) : title.text;
  // Without JavaScript the page itself goes back to the logon when the session has ended.
  const refresh = chrome ? html`<meta http-equiv="refresh" content="${chrome.secondsLeft + 2}">` : '';
  return html`<!doctype html>
<html lang="${page.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="robots" content="noindex, nofollow">
${refresh}
<title>${heading} | ${page.bankName} ${t('operatorConsole.title')}</title>
<link rel="icon" href="${consolePaths.static}favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="${consolePaths.static}site.css">
<link rel="stylesheet" href="${consolePaths.static}console/console.css">
</head>
<body class="console">
<a class="skip" href="#main">${t('app.skipToContent')}</a>
<header class="bar">
  <div class="brand">${page.bankName} <span>${t('operatorConsole.title')}</span></div>
  <nav class="tools">
    ${chrome?.staff ? html`<span class="who">${staffLabel(t, chrome.staff)}</span>` : ''}
    <a href="${switchHref}" lang="${otherLanguage}">${t('app.switchLanguage')}</a>
    ${chrome ? logoutForm(t, chrome.csrfToken) : ''}
  </nav>
</header>
${chrome?.staff ? menu(t) : ''}
${chrome?.staff ? html`<div class="idle-info">${t('operatorConsole.idleInfo', { minutes: Math.max(1, Math.ceil(chrome.secondsLeft / 60)) })}</div>` : ''}
<main id="main">
<h1>${heading}</h1>
${body}
</main>
<footer>${t('operatorConsole.footer')}</footer>
</body>
</html>`;
}

export function staffLabel(t: Translate, staff: Staff): string {
  return t('operatorConsole.staff', { name: staff.display_name, login: staff.login_id, role: t(`operatorConsole.role.${staff.role}`) });
}

function logoutForm(t: Translate, csrfToken: string): Html {
  return html`<form method="post" action="${consolePaths.logout}" class="inline">${csrfField(csrfToken)}<button type="submit" class="link">${t('operatorConsole.nav.logout')}</button></form>`;
}

function menu(t: Translate): Html {
  return html`<nav class="menu" aria-label="${t('operatorConsole.nav.menu')}">
  <a href="${consolePaths.contracts}">${t('operatorConsole.nav.contracts')}</a>
  <a href="${consolePaths.queue}">${t('operatorConsole.queue.nav')}</a>
  <a href="${consolePaths.logonWatch}">${t('operatorConsole.watch.nav')}</a>
  <a href="${consolePaths.mail}">${t('outbox.console.nav')}</a>
  <a href="${consolePaths.applications}">${t('operatorConsole.nav.applications')}</a>
  <a href="${consolePaths.newContract}">${t('operatorConsole.nav.newContract')}</a>
  <a href="${tokenPaths.list}">${t('tokens.console.nav')}</a>
  <a href="${consolePaths.notices}">${t('bankNotices.console.nav')}</a>
  <a href="${consolePaths.password}">${t('operatorConsole.nav.password')}</a>
</nav>`;
}

/** A moment as every page shows one (the day with its weekday, the time to the minute), from a row's column or a stored payload's text; nothing for none. */
export function jst(t: Translate, at: Date | string | null | undefined): string {
  if (!at) return '';
  return momentText(t, at);
}
