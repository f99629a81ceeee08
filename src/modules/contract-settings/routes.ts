import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../deps.ts';
import { noticeBox, type FormState } from '../../web/form.ts';
import { html } from '../../web/html.ts';
import { layout } from '../../web/layout.ts';
import { registerPage } from '../../web/page-route.ts';
import { confirmationPasswordField, formChoice, sentText } from '../../web/form-input.ts';
import { pageContext, requestContext, sessionChrome } from '../../web/request-context.ts';
import { approvalModes, changeContractSettings, contractSettingsOf, requireMaster, resultEmailRecipients, type ContractSettings } from './service.ts';
import { settingsForm } from './views.ts';

/** The option named by `sent`, or `otherwise` when it names none. */
function choiceOr<T extends string>(options: readonly T[], sent: string | undefined, otherwise: T): T {
  return options.find((option) => option === sent) ?? otherwise;
}

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
      // After an error the choices sent are shown again, where they are valid.
      const shown: ContractSettings = state.error
        ? { approvalMode: choiceOr(approvalModes, sent.approvalMode, current.approvalMode), resultEmailTo: choiceOr(resultEmailRecipients, sent.resultEmailTo, current.resultEmailTo) }
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
      const password = confirmationPasswordField(request.body);
      const outcome = await changeContractSettings(deps, request.live, settings, password, context);
      return `/contract-settings?done=${outcome}`;
    },
  });
}
