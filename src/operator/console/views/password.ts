import { html, type Html } from '../../../web/html.ts';
import { csrfField, type PageContext } from '../../../web/layout.ts';
import { errorSummary, field, noticeBox, submitButton, type FormState } from '../../../web/form.ts';
import { consoleLayout, type ConsoleChrome } from '../layout.ts';

/** `due`: the password in force is one IT issued, and the console opens nothing else until it is replaced. */
export function passwordPage(page: PageContext, chrome: ConsoleChrome, state: FormState, options: { action: string; due: boolean; changed: boolean }): Html {
  const { t } = page;
  return consoleLayout(
    page,
    options.due ? 'operatorConsole.password.dueTitle' : 'operatorConsole.password.title',
    html`${noticeBox(options.changed ? t('operatorConsole.password.changed') : undefined)}
<p class="hint">${t(options.due ? 'operatorConsole.password.due' : 'operatorConsole.password.intro')}</p>
${errorSummary(t, state)}
<form method="post" action="${options.action}" class="card" novalidate>
  ${csrfField(chrome.csrfToken)}
  ${field(state, { name: 'current', label: t(options.due ? 'operatorConsole.password.currentIssued' : 'operatorConsole.password.current'), type: 'password', autocomplete: 'current-password' })}
  ${field(state, { name: 'next', label: t('operatorConsole.password.next'), type: 'password', autocomplete: 'new-password' })}
  ${field(state, { name: 'repeat', label: t('operatorConsole.password.repeat'), type: 'password', autocomplete: 'new-password' })}
  ${submitButton(t('operatorConsole.password.submit'))}
</form>`,
    chrome,
  );
}
