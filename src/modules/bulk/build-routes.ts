import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Deps } from '../../deps.ts';
import { AppError, isAppError } from '../../errors.ts';
import { tokyoDate } from '../../domain/business-days.ts';
import { formatYen } from '../../domain/money.ts';
import { layout } from '../../web/layout.ts';
import type { FormState } from '../../web/form.ts';
import { formChoice, sentText } from '../../web/form-input.ts';
import { admit, answerSubmission, checkCsrf, sendPage } from '../../web/page-admission.ts';
import { replyStatusOf } from '../../web/error-status.ts';
import { customerSessions, registerPage, type PageRequest } from '../../web/page-route.ts';
import { pageContext, requestContext, sessionChrome } from '../../web/request-context.ts';
import { actorOf } from '../transfers/pages-data.ts';
import { isRowId } from '../transfers/holder.ts';
import type { Actor } from '../transfers/types.ts';
import { buildChoices, buildFile, requireBuilder, type BuildChoices, type BuiltFile } from './build-file.ts';
import { amountField, buildActions, buildField, employeeField, readBuildForm, readPaymentDate, readTemplateName, typedValues } from './build-input.ts';
import { saveTemplate, templateOf, templatesOf, type LoadedTemplate } from './build-templates.ts';
import { buildPage } from './build-views.ts';
import { checkBulkFile } from './check.ts';
import { BulkFileRefused, uploadFile } from './upload.ts';

/**
 * R8.4: 総合振込・給与振込データの作成 — a file built on screen from the registered payees, then
 * made (checked and stored exactly as an upload, and shown on its file page), downloaded (the very
 * bytes `make` stores, as a POST: the form's values are the file), or kept as a template.
 */

/**
 * The form carries two fields for every active payee of the contract (most of them blank), more
 * than the portal's 16 kB for other forms once a contract has a few hundred payees: several thousand fit here.
 */
const buildFormBytesMax = 512 * 1024;

function templateParam(request: FastifyRequest): number | undefined {
  const id = sentText(request.query, 'template');
  if (id === undefined) return undefined;
  const number = /^[1-9][0-9]{0,9}$/.test(id) ? Number(id) : NaN;
  if (!isRowId(number)) throw new AppError('NOT_FOUND');
  return number;
}

/** A template as the form's values; its payees no longer listed (deleted, changing) are counted, not shown. */
function templateValues(template: LoadedTemplate, choices: BuildChoices): { values: Record<string, string>; dropped: number } {
  const listed = new Set(choices.payees.map((payee) => payee.id));
  const account = choices.accounts.find((a) => a.id === template.fromAccountId) ?? choices.accounts[0];
  const values: Record<string, string> = {
    [buildField.kind]: template.typeCode,
    [buildField.fromAccountId]: account ? String(account.id) : '',
    [buildField.paymentDate]: choices.defaultDate,
    [buildField.templateName]: template.name,
  };
  let dropped = 0;
  for (const line of template.lines) {
    if (!listed.has(line.payeeId)) {
      dropped++;
      continue;
    }
    values[amountField(line.payeeId)] = formatYen(BigInt(line.amountYen));
    if (line.employeeNumber !== '') values[employeeField(line.payeeId)] = line.employeeNumber;
  }
  return { values, dropped };
}

export function buildRoutes(app: FastifyInstance, deps: Deps): void {
  const sessions = customerSessions(deps);
  const actor = (request: PageRequest<'active'>): Actor => actorOf(request.live, requestContext(request));

  const render = async (request: PageRequest<'active'>, state: FormState) => {
    const person = actor(request);
    // R1.4: the page is for holders of the register step of 外部ファイル送信.
    const choices = await buildChoices(deps, person);
    const page = pageContext(deps, request);
    const chrome = sessionChrome(deps, request.live);
    let values: Record<string, string> = { [buildField.kind]: '21', [buildField.fromAccountId]: choices.accounts[0] ? String(choices.accounts[0].id) : '', [buildField.paymentDate]: choices.defaultDate };
    const notices: string[] = [];
    const templateId = state.error ? undefined : templateParam(request);
    if (state.error) {
      values = typedValues(request.body);
    } else if (templateId !== undefined) {
      const template = await templateOf(deps.db, person.contract.id, templateId);
      if (!template) throw new AppError('NOT_FOUND');
      const loaded = templateValues(template, choices);
      values = loaded.values;
      notices.push(page.t(sentText(request.query, 'saved') === '1' ? 'bulk.build.template.saved' : 'bulk.build.template.loaded', { name: template.name }));
      if (loaded.dropped > 0) notices.push(page.t('bulk.build.template.dropped', { count: loaded.dropped }));
    }
    const body = buildPage(page.t, state, {
      csrfToken: chrome.csrfToken,
      choices,
      templates: await templatesOf(deps.db, person.contract.id),
      values,
      problems: state.error instanceof BulkFileRefused ? state.error.problems : undefined,
      notice: notices.length > 0 ? notices.join(' ') : undefined,
      cutoffTime: deps.config.bulkCutoffTime,
      salaryBusinessDays: deps.config.salaryCutoffBusinessDays,
    });
    return layout(page, 'bulk.build.title', body, chrome);
  };

  /** The file the form describes, for `make` and `download` alike. */
  const built = async (request: PageRequest<'active'>): Promise<{ person: Actor; file: BuiltFile }> => {
    const person = actor(request);
    await requireBuilder(deps.db, person);
    const form = readBuildForm(request.body);
    const paymentDate = readPaymentDate(request.body, tokyoDate(deps.clock.now()));
    return { person, file: await buildFile(deps, person, form, paymentDate) };
  };

  const submit = async (request: PageRequest<'active'>): Promise<string> => {
    const action = formChoice(request.body, buildField.action, buildActions);
    if (action === 'save') {
      const person = actor(request);
      await requireBuilder(deps.db, person);
      const name = readTemplateName(request.body);
      const id = await saveTemplate(deps, person, name, readBuildForm(request.body));
      return `/bulk/build?template=${id}&saved=1`;
    }
    const { person, file } = await built(request);
    // R8.4: checked and stored exactly as an upload; the person registers it on its page.
    const stored = await uploadFile(deps, person, file.bytes, file.fileName, 'built');
    return `/bulk/files/${stored.id.toString()}`;
  };

  registerPage(app, deps, { path: '/bulk/build', access: 'active', render });

  // One form, three buttons: the download answers with the file itself, which a page's submit
  // (a redirect or a page) cannot, so the POST admits the session and checks the CSRF token itself,
  // as registerPage does, and leaves `make` and `save` to the common answer.
  app.post('/bulk/build', { bodyLimit: buildFormBytesMax }, async (request, reply) => {
    if (!(await admit(deps, sessions, 'active', request, reply))) return reply;
    const page = request as PageRequest<'active'>;
    if (sentText(request.body, buildField.action) !== 'download') {
      return answerSubmission(sessions, request, reply, page.live, { submit: () => submit(page), render: (state) => render(page, state) });
    }
    try {
      checkCsrf(sessions, request, page.live);
      const { person, file } = await built(page);
      // The same check as `make`: a file is not handed out that its upload would refuse.
      const checked = await checkBulkFile(deps, deps.db, person, file.bytes);
      if (!checked.ok) throw new BulkFileRefused(checked.problems);
      return reply.type('application/octet-stream').header('content-disposition', `attachment; filename="${file.fileName}"`).send(Buffer.from(file.bytes));
    } catch (error) {
      if (!isAppError(error)) throw error;
      replyStatusOf(reply, error);
      return sendPage(reply, await render(page, { error }));
    }
  });
}
