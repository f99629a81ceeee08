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
};

export function logonPage(page: PageContext, csrfToken: string, state: FormState, ended: string | undefined): Html {
  const { t } = page;
  const notice = ended && endedNotices[ended] ? t(endedNotices[ended]) : undefined;
  return layout(
    page,
    'logon.title',
    html`${noticeBox(notice)}
<p>${t('logon.intro')}</p>
${errorSummary(t, state)}
<form method="post" action="/logon" class="card" novalidate>
  ${csrfField(csrfToken)}
  ${field(state, { name: 'contractId', label: t('logon.contractId'), inputMode: 'numeric', maxLength: 11, autocomplete: 'username' })}
  ${field(state, { name: 'userId', label: t('logon.userId'), maxLength: userIdLengthMax, autocomplete: 'off' })}
  ${field(state, { name: 'password', label: t('logon.password'), type: 'password', autocomplete: 'current-password' })}
  ${submitButton(t('logon.submit'))}
</form>
<p class="hint">${t('logon.security')}</p>`,
  );
}

export function gridPage(page: PageContext, chrome: SessionChrome, prompt: GridPrompt, state: FormState): Html {
  const { t } = page;
  if (prompt.kind === 'no_card') {
    return layout(page, 'grid.title', html`<div class="error" role="alert" data-code="AUTH_GRID_FAILED">${t('error.AUTH_GRID_FAILED')}</div>`, chrome);
  }
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
