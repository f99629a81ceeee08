import type { FastifyInstance, FastifyRequest } from 'fastify';
import fastifyMultipart from '@fastify/multipart';
import type { Deps } from '../../deps.ts';
import { AppError, isAppError } from '../../errors.ts';
import { answerSubmission, admit } from '../../web/page-admission.ts';
import { sentValue } from '../../web/form-input.ts';
import type { FormState } from '../../web/form.ts';
import type { Html } from '../../web/html.ts';
import { staffSessions, type ConsoleRequest } from './page-route.ts';

/**
 * A console form that sends a file (multipart/form-data): the vendor's token file. The multipart
 * parser is registered in a scope of its own holding these routes only, so every other console form
 * still takes URL-encoded bodies alone. The member's session is admitted before a byte of the body is
 * read, then the parts are read within small limits into a plain body — text fields as strings, the
 * file as an UploadedFile — and the submission goes on as every console form's does: the CSRF token
 * first (the form sends it before the file), then the use case; a refusal shows the page again.
 */
export interface UploadedFile {
  filename: string;
  data: Buffer;
}

export interface UploadLimits {
  fileBytesMax: number;
  /** Text fields besides the file (the CSRF token included), and the bytes of each. */
  fieldsMax: number;
  fieldBytesMax: number;
}

export interface ConsoleUpload {
  path: string;
  limits: UploadLimits;
  /** The refusal of a file over the size limit, shown on the form's page like any other. */
  tooLarge: () => AppError;
  submit(request: ConsoleRequest<'active'>): Promise<string | Html>;
  render(request: ConsoleRequest<'active'>, state: FormState): Promise<Html> | Html;
  echo?: readonly string[];
}

export function isUploadedFile(value: unknown): value is UploadedFile {
  return typeof value === 'object' && value !== null && Buffer.isBuffer((value as UploadedFile).data) && typeof (value as UploadedFile).filename === 'string';
}

/** Registers the routes, each with the multipart parser and its limits, on a scope of the console's own. */
export async function consoleUploads(app: FastifyInstance, deps: Deps, routes: readonly ConsoleUpload[]): Promise<void> {
  const kind = staffSessions(deps);
  const fileBytesMax = Math.max(...routes.map((route) => route.limits.fileBytesMax));
  await app.register(async (scope) => {
    // Each route reads its parts with its own limits; these bound anything else that would read them.
    await scope.register(fastifyMultipart, { limits: { files: 1, fileSize: fileBytesMax, parts: 16, fieldSize: 1024 } });
    for (const route of routes) {
      scope.post(route.path, async (request, reply) => {
        if (!(await admit(deps, kind, 'active', request, reply))) return reply;
        const page = request as ConsoleRequest<'active'>;
        // A body that cannot be read is answered after the CSRF check, as the form's refusal.
        let unreadable: AppError | undefined;
        if (request.isMultipart()) {
          const read = await readParts(request, route);
          request.body = read.body;
          unreadable = read.refused;
        }
        return answerSubmission(kind, request, reply, page.staffLive, {
          submit: () => {
            if (unreadable) throw unreadable;
            return route.submit(page);
          },
          render: (state) => route.render(page, state),
          echo: route.echo,
        });
      });
    }
  });
}

/**
 * The parts as a body. A second value of one name makes it a list (which no text reader accepts);
 * the parts read before a limit was reached are kept, so that the CSRF token sent first still counts.
 */
async function readParts(request: FastifyRequest, route: ConsoleUpload): Promise<{ body: Record<string, unknown>; refused?: AppError }> {
  const body: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  const keep = (name: string, value: unknown) => {
    const before = sentValue(body, name);
    body[name] = before === undefined ? value : [before, value];
  };
  const { fileBytesMax, fieldsMax, fieldBytesMax } = route.limits;
  try {
    const parts = request.parts({
      limits: { files: 1, fileSize: fileBytesMax, fields: fieldsMax, fieldSize: fieldBytesMax, parts: fieldsMax + 1, fieldNameSize: 64, headerPairs: 20 },
    });
    for await (const part of parts) {
      if (part.type === 'file') {
        const data = await part.toBuffer();
        keep(part.fieldname, { filename: part.filename, data } satisfies UploadedFile);
      } else if (part.fieldnameTruncated || part.valueTruncated || typeof part.value !== 'string') {
        throw new AppError('INPUT_INVALID', { field: part.fieldname });
      } else {
        keep(part.fieldname, part.value);
      }
    }
    return { body };
  } catch (error) {
    // The parser's own errors (FST_…: a file too large, too many parts; a body cut short) are the sender's.
    if (isAppError(error)) return { body, refused: error };
    const code = (error as { code?: unknown } | null)?.code;
    return { body, refused: code === 'FST_REQ_FILE_TOO_LARGE' ? route.tooLarge() : new AppError('INPUT_INVALID') };
  }
}
