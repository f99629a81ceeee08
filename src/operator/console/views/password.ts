import { html, type Html } from '../../../web/html.ts';
import { csrfField, type PageContext } from '../../../web/layout.ts';
import { errorSummary, field, noticeBox, submitButton, type FormState } from '../../../web/form.ts';
import { consoleLayout, type ConsoleChrome } from '../layout.ts';
import { consolePaths } from '../paths.ts';

export function passwordPage(page: PageContext, chrome: ConsoleChrome, state: FormState, changed: boolean): Html {
  const { t } = page;
  return consoleLayout(
    page,
    'operatorConsole.password.title',
    html`${noticeBox(changed ? t('operatorConsole.password.changed') : undefined)}
<p class="hint">${t('operatorConsole.password.intro')}</p>
${errorSummary(t, state)}
<form method="post" action="${consolePaths.password}" class="card" novalidate>
  ${csrfField(chrome.csrfToken)}
  ${field(state, { name: 'current', label: t('operatorConsole.password.current'), type: 'password', autocomplete: 'current-password' })}
  ${field(state, { name: 'next', label: t('operatorConsole.password.next'), type: 'password', autocomplete: 'new-password' })}
  ${field(state, { name: 'repeat', label: t('operatorConsole.password.repeat'), type: 'password', autocomplete: 'new-password' })}
  ${submitButton(t('operatorConsole.password.submit'))}
</form>`,
    chrome,
  );
}
