import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Deps } from '../../deps.ts';
import { inTransaction } from '../../db/transaction.ts';
import { AppError } from '../../errors.ts';
import { layout } from '../../web/layout.ts';
import type { FormState } from '../../web/form.ts';
import { registerPage, type PageRequest } from '../../web/page-route.ts';
import { portalUploads } from '../../web/upload-page.ts';
import { isUploadedFile } from '../../web/upload-parts.ts';
import { confirmationPasswordField, sentText, sentValue } from '../../web/form-input.ts';
import { pageContext, requestContext, sessionChrome } from '../../web/request-context.ts';
import { confirmWithConfirmationPassword } from '../../access/confirmation-password.ts';
import { activeSession } from '../accounts/session-gate.ts';
import { actorOf, newFormKey } from '../transfers/pages-data.ts';
import { isIdempotencyKey } from '../transfers/request-hash.ts';
import type { Actor } from '../transfers/types.ts';
import { uploadFile, BulkFileRefused } from './upload.ts';
import { bulkHolderOf } from './holder.ts';
import { fileContent, filesPerPage, getFile, listFiles, recordsOf, requireBulkHolder, type BulkAction } from './queries.ts';
import { resultCsv, returnedZengin } from './result-files.ts';
import { settleBulkFile } from './settle.ts';
import { approveFile, discardDraft, registerFile, sendBackFile, sendFile, withdrawFile, type BulkStepResult } from './steps.ts';
import { bulkField, filePage, listPage, uploadPage } from './views.ts';
import { buildRoutes } from './build-routes.ts';

/**
 * R8.4: 外部ファイル送信 — the list of files, the upload (every problem of a file named on the page),
 * one file with its records and the steps the person may take on it, and its result downloads.
 */
const actions: readonly BulkAction[] = ['register', 'discard', 'approve', 'send', 'send_back', 'withdraw'];

function fileIdParam(request: FastifyRequest): bigint {
  const id = sentText(request.params, 'id');
  if (id === undefined || !/^[1-9][0-9]{0,17}$/.test(id)) throw new AppError('NOT_FOUND');
  return BigInt(id);
}

function pageParam(request: FastifyRequest): number {
  const page = sentText(request.query, 'page');
  return page !== undefined && /^[1-9][0-9]{0,5}$/.test(page) ? Number(page) : 1;
}

/** A posted file is settled at once after the send's commit; if that fails, the scheduler settles it. */
export async function settleAfterSend(deps: Deps, request: FastifyRequest, result: BulkStepResult): Promise<void> {
  if (result.file.status !== 'posted') return;
  try {
    await inTransaction(deps.db, (tx) => settleBulkFile(deps, tx, result.file.id, deps.clock.now()));
  } catch (error) {
    request.log.warn({ err: error, bulkFileId: result.file.id.toString() }, 'bulk file settlement deferred to the scheduler');
  }
}

export function bulkRoutes(app: FastifyInstance, deps: Deps): void {
  const actor = (request: PageRequest<'active'>): Actor => actorOf(request.live, requestContext(request));

  registerPage(app, deps, {
    path: '/bulk',
    access: 'active',
    async render(request) {
      const page = pageContext(deps, request);
      const person = actor(request);
      const asked = pageParam(request);
      const { items, total } = await listFiles(deps, person, asked);
      const holder = await bulkHolderOf(deps.db, person);
      const body = listPage(page.t, { items, total, page: asked, pages: Math.max(1, Math.ceil(total / filesPerPage)), canRegister: holder.canRegister });
      return layout(page, 'bulk.title', body, sessionChrome(deps, request.live));
    },
  });

  const renderUpload = async (request: PageRequest<'active'>, state: FormState) => {
    const person = actor(request);
    const holder = await requireBulkHolder(deps, person);
    if (!holder.canRegister) throw new AppError('BULK_NOT_PERMITTED');
    const page = pageContext(deps, request);
    const chrome = sessionChrome(deps, request.live);
    const problems = state.error instanceof BulkFileRefused ? state.error.problems : undefined;
    return layout(page, 'bulk.upload.title', uploadPage(page.t, state, { csrfToken: chrome.csrfToken, bytesMax: deps.config.bulkFileBytesMax, problems }), chrome);
  };
  registerPage(app, deps, { path: '/bulk/upload', access: 'active', render: renderUpload });
  portalUploads(app, deps, [
    {
      path: '/bulk/upload',
      limits: { fileBytesMax: deps.config.bulkFileBytesMax, fieldsMax: 4, fieldBytesMax: 256 },
      tooLarge: () => new AppError('BULK_FILE_TOO_LARGE', { field: bulkField.file, params: { megabytes: (deps.config.bulkFileBytesMax / 1024 / 1024).toFixed(1) } }),
      render: renderUpload,
      async submit(request) {
        const sent = sentValue(request.body, bulkField.file);
        if (!isUploadedFile(sent) || sent.data.length === 0 && sent.filename === '') throw new AppError('BULK_FILE_REQUIRED', { field: bulkField.file });
        const file = await uploadFile(deps, actor(request), sent.data, sent.filename);
        return `/bulk/files/${file.id.toString()}`;
      },
    },
  ]);

  registerPage(app, deps, {
    path: '/bulk/files/:id',
    access: 'active',
    async render(request, state) {
      const page = pageContext(deps, request);
      const chrome = sessionChrome(deps, request.live);
      const id = fileIdParam(request);
      const detail = await getFile(deps, actor(request), id);
      const asked = pageParam(request);
      const sentKey = state.error ? sentValue(request.body, bulkField.idempotencyKey) : undefined;
      const done = sentText(request.query, 'done');
      // The step the refused form was for, when it was sent as text (anything else names no step).
      const body = filePage(page.t, { ...state, values: { ...state.values, action: sentText(request.body, 'action') ?? '' } }, detail, {
        csrfToken: chrome.csrfToken,
        idempotencyKey: isIdempotencyKey(sentKey) ? sentKey : newFormKey(deps),
        records: await recordsOf(deps, id, asked),
        page: asked,
        returnedRecords: detail.returned.count > 0 ? await recordsOf(deps, id, 1, 'returned') : [],
        ...(done !== undefined && (actions as readonly string[]).includes(done) ? { done } : {}),
      });
      return layout(page, 'bulk.file.title', body, chrome);
    },
    async submit(request) {
      const id = fileIdParam(request);
      const action = sentText(request.body, 'action');
      if (action === undefined || !(actions as readonly string[]).includes(action)) throw new AppError('INPUT_INVALID');
      const person = actor(request);
      const key = sentValue(request.body, bulkField.idempotencyKey);
      const confirm = async () => {
        // R8.5, R2.3: the step is confirmed with the confirmation password; a wrong one counts towards the stop.
        await confirmWithConfirmationPassword(deps, request.live, confirmationPasswordField(request.body, bulkField.confirmationPassword), requestContext(request), `bulk.${action}`);
      };
      let result: BulkStepResult;
      switch (action as BulkAction) {
        case 'register': {
          const detail = await getFile(deps, person, id);
          if (detail.registerSends) await confirm();
          result = await registerFile(deps, person, id, key, { duplicateConfirmed: sentText(request.body, bulkField.duplicateConfirmed) === 'yes', sendConfirmed: detail.registerSends });
          break;
        }
        case 'approve':
          await confirm();
          result = await approveFile(deps, person, id, key);
          break;
        case 'send':
          await confirm();
          result = await sendFile(deps, person, id, key);
          break;
        case 'send_back':
          result = await sendBackFile(deps, person, id, sentValue(request.body, bulkField.reason), key);
          break;
        case 'withdraw':
          result = await withdrawFile(deps, person, id, key);
          break;
        case 'discard':
          await discardDraft(deps, person, id, key);
          return '/bulk';
      }
      await settleAfterSend(deps, request, result);
      return `/bulk/files/${id.toString()}?done=${action}`;
    },
    echo: [bulkField.reason],
  });

  const download = (suffix: string, make: (request: FastifyRequest, id: bigint, actor: Actor) => Promise<{ body: Buffer | string; type: string; name: string }>) => {
    app.get(`/bulk/files/:id/${suffix}`, async (request, reply) => {
      const live = await activeSession(deps, request, reply);
      if (!live) return reply;
      const id = fileIdParam(request);
      const file = await make(request, id, actorOf(live, requestContext(request)));
      return reply.type(file.type).header('content-disposition', `attachment; filename="${file.name}"`).send(file.body);
    });
  };
  download('file', async (_request, id, person) => {
    await getFile(deps, person, id);
    return { body: Buffer.from(await fileContent(deps, id)), type: 'application/octet-stream', name: `bulk-${id}.txt` };
  });
  download('result.csv', async (request, id, person) => {
    const { file } = await getFile(deps, person, id);
    if (file.status !== 'completed') throw new AppError('NOT_FOUND');
    return { body: resultCsv(pageContext(deps, request).t, await recordsOf(deps, id, 1, undefined, { all: true })), type: 'text/csv; charset=utf-8', name: `bulk-${id}-result.csv` };
  });
  download('result.txt', async (_request, id, person) => {
    const { file } = await getFile(deps, person, id);
    if (file.status !== 'completed') throw new AppError('NOT_FOUND');
    return { body: Buffer.from(returnedZengin(await fileContent(deps, id), await recordsOf(deps, id, 1, 'returned'))), type: 'application/octet-stream', name: `bulk-${id}-returned.txt` };
  });

  buildRoutes(app, deps);
}
