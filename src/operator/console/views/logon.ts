import { html, type Html } from '../../../web/html.ts';
import { csrfField, type PageContext } from '../../../web/layout.ts';
import { errorSummary, field, noticeBox, submitButton, type FormState } from '../../../web/form.ts';
import type { MessageKey } from '../../../web/i18n/index.ts';
import { consoleLayout, type ConsoleChrome } from '../layout.ts';
import { consolePaths } from '../paths.ts';
import { totpDigits } from '../../staff/totp.ts';

const endedNotices: Record<string, MessageKey> = {
  idle: 'operatorConsole.ended.idle',
  absolute: 'operatorConsole.ended.absolute',
  superseded: 'operatorConsole.ended.superseded',
  stopped: 'operatorConsole.ended.stopped',
  logout: 'operatorConsole.ended.logout',
  expired: 'operatorConsole.ended.expired',
};

export function staffLogonPage(page: PageContext, csrfToken: string, state: FormState, ended: string | undefined): Html {
  const { t } = page;
  const notice = ended && endedNotices[ended] ? t(endedNotices[ended]) : undefined;
  return consoleLayout(
    page,
    'operatorConsole.logon.title',
    html`${noticeBox(notice)}
<p>${t('operatorConsole.logon.intro')}</p>
${errorSummary(t, state)}
<form method="post" action="${consolePaths.logon}" class="card" novalidate>
  ${csrfField(csrfToken)}
  ${field(state, { name: 'login', label: t('operatorConsole.logon.login'), maxLength: 32, autocomplete: 'username' })}
  ${field(state, { name: 'password', label: t('operatorConsole.logon.password'), type: 'password', autocomplete: 'current-password' })}
  ${submitButton(t('operatorConsole.logon.submit'))}
</form>`,
  );
}

export function staffTotpPage(page: PageContext, chrome: ConsoleChrome, state: FormState): Html {
  const { t } = page;
  return consoleLayout(
    page,
    'operatorConsole.totp.title',
    html`<p>${t('operatorConsole.totp.intro')}</p>
${errorSummary(t, state)}
<form method="post" action="${consolePaths.totp}" class="card" novalidate>
  ${csrfField(chrome.csrfToken)}
  ${field(state, { name: 'code', label: t('operatorConsole.totp.code'), inputMode: 'numeric', maxLength: totpDigits, autocomplete: 'one-time-code', pattern: `[0-9]{${totpDigits}}` })}
  ${submitButton(t('operatorConsole.totp.submit'))}
</form>`,
    chrome,
  );
}
