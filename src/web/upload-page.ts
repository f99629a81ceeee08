import type { FastifyInstance } from 'fastify';
import fastifyMultipart from '@fastify/multipart';
import type { Deps } from '../deps.ts';
import type { AppError } from '../errors.ts';
import type { FormState } from './form.ts';
import type { Html } from './html.ts';
import { answerSubmission, admit } from './page-admission.ts';
import { customerSessions, type PageRequest } from './page-route.ts';
import { readUploadParts, type UploadLimits } from './upload-parts.ts';

/**
 * A portal page whose form sends a file (a bulk transfer file, R8.4). As on the console
 * (src/operator/console/upload-route.ts): the multipart parser lives in a scope holding these routes
 * only, the session is admitted before a byte of the body is read, the parts are read within the
 * route's limits, and the submission goes on as every form's does — the CSRF token first, then the
 * use case; a refusal shows the page again. The page itself (GET) is registered with registerPage.
 */
export interface PortalUpload {
  path: string;
  limits: UploadLimits;
  /** The refusal of a file over the size limit, shown on the form's page like any other. */
  tooLarge: () => AppError;
  submit(request: PageRequest<'active'>): Promise<string>;
  render(request: PageRequest<'active'>, state: FormState): Promise<Html> | Html;
}

/**
 * Registered without awaiting: awaiting a plugin here would load the routes registered so far before
 * the app's error pages are installed, and they would answer errors with Fastify's default instead.
 */
export function portalUploads(app: FastifyInstance, deps: Deps, routes: readonly PortalUpload[]): void {
  const kind = customerSessions(deps);
  const fileBytesMax = Math.max(...routes.map((route) => route.limits.fileBytesMax));
  void app.register(async (scope) => {
    await scope.register(fastifyMultipart, { limits: { files: 1, fileSize: fileBytesMax, parts: 16, fieldSize: 1024 } });
    for (const route of routes) {
      scope.post(route.path, { bodyLimit: fileBytesMax + 64 * 1024 }, async (request, reply) => {
        if (!(await admit(deps, kind, 'active', request, reply))) return reply;
        const page = request as PageRequest<'active'>;
        let unreadable: AppError | undefined;
        if (request.isMultipart()) {
          const read = await readUploadParts(request, route.limits, route.tooLarge);
          request.body = read.body;
          unreadable = read.refused;
        }
        return answerSubmission(kind, request, reply, page.live, {
          submit: () => {
            if (unreadable) throw unreadable;
            return route.submit(page);
          },
          render: (state) => route.render(page, state),
        });
      });
    }
  });
}
