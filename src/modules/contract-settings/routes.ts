import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../deps.ts';
import { noticeBox, type FormState } from '../../web/form.ts';
import { html } from '../../web/html.ts';
import { layout } from '../../web/layout.ts';
import { registerPage } from '../../web/page-route.ts';
import { formChoice, formSecret, sentText } from '../../web/form-input.ts';
import { pageContext, requestContext, sessionChrome } from '../../web/request-context.ts';
import { approvalModes, changeContractSettings, contractSettingsOf, requireMaster, resultEmailRecipients, type ContractSettings } from './service.ts';
import { settingsForm } from './views.ts';

const confirmationPasswordLengthMax = 128;

/** R8.5, R7.3: /contract-settings, the master's only (FORBIDDEN to anyone else, before any input is read). */
export function contractSettingsRoutes(app: FastifyInstance, deps: Deps): void {
  registerPage(app, deps, {
    path: '/contract-settings',
    access: 'active',
    async render(request, state: FormState) {
      const page = pageContext(deps, request);
      const { t } = page;
      const chrome = sessionChrome(deps, request.live);
      const current = await contractSettingsOf(deps, request.live);
      const sent = state.values ?? {};
      const shown: ContractSettings = state.error
        ? {
            approvalMode: (approvalModes as readonly string[]).includes(sent.approvalMode ?? '') ? (sent.approvalMode as ContractSettings['approvalMode']) : current.approvalMode,
            resultEmailTo: (resultEmailRecipients as readonly string[]).includes(sent.resultEmailTo ?? '') ? (sent.resultEmailTo as ContractSettings['resultEmailTo']) : current.resultEmailTo,
          }
        : current;
      const done = sentText(request.query, 'done');
      const notice = done === 'changed' ? t('contractSettings.done.changed') : done === 'unchanged' ? t('contractSettings.done.unchanged') : undefined;
      const body = html`${noticeBox(notice)}<p>${t('contractSettings.intro')}</p>${settingsForm(t, state, { csrfToken: chrome.csrfToken, shown })}`;
      return layout(page, 'contractSettings.title', body, chrome);
    },
    echo: ['approvalMode', 'resultEmailTo'],
    async submit(request) {
      const context = requestContext(request);
      // The master check comes first: nobody else learns anything from how their input is judged.
      await requireMaster(deps, request.live, context);
      const settings: ContractSettings = {
        approvalMode: formChoice(request.body, 'approvalMode', approvalModes, 'CONTRACT_SETTINGS_INVALID'),
        resultEmailTo: formChoice(request.body, 'resultEmailTo', resultEmailRecipients, 'CONTRACT_SETTINGS_INVALID'),
      };
      const password = formSecret(request.body, 'confirmationPassword', { maxLength: confirmationPasswordLengthMax, code: 'CONFIRMATION_PASSWORD_WRONG' });
      const outcome = await changeContractSettings(deps, request.live, settings, password, context);
      return `/contract-settings?done=${outcome}`;
    },
  });
}
