import type { FastifyInstance } from 'fastify';
import fastifyMultipart from '@fastify/multipart';
import type { Deps } from '../../deps.ts';
import type { AppError } from '../../errors.ts';
import { answerSubmission, admit } from '../../web/page-admission.ts';
import { readUploadParts, type UploadLimits } from '../../web/upload-parts.ts';
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
export interface ConsoleUpload {
  path: string;
  limits: UploadLimits;
  /** The refusal of a file over the size limit, shown on the form's page like any other. */
  tooLarge: () => AppError;
  submit(request: ConsoleRequest<'active'>): Promise<string | Html>;
  render(request: ConsoleRequest<'active'>, state: FormState): Promise<Html> | Html;
  echo?: readonly string[];
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
          const read = await readUploadParts(request, route.limits, route.tooLarge);
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
