import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../../deps.ts';
import type { FormState } from '../../../web/form.ts';
import { formSecret, sentText } from '../../../web/form-input.ts';
import { pageContext, requestContext } from '../../../web/request-context.ts';
import { changeStaffPassword, staffPasswordLengthMax } from '../../staff/password.ts';
import { chromeOf, consoleGet, consolePost, type ConsoleRequest } from '../page-route.ts';
import { consolePaths } from '../paths.ts';
import { passwordPage } from '../views/password.ts';

export function passwordRoutes(app: FastifyInstance, deps: Deps): void {
  const view = (request: ConsoleRequest<'active'>, state: FormState) =>
    passwordPage({ ...pageContext(deps, request), path: consolePaths.password }, chromeOf(deps, request.staffLive), state, sentText(request.query, 'done') === 'changed');
  consoleGet(app, deps, { path: consolePaths.password, access: 'active', render: view });
  consolePost(app, deps, {
    path: consolePaths.password,
    access: 'active',
    render: view,
    async submit(request) {
      // Over-long input is refused before anything is hashed.
      const current = formSecret(request.body, 'current', { maxLength: staffPasswordLengthMax * 2, code: 'OPERATOR_PASSWORD_CURRENT_WRONG' });
      const next = formSecret(request.body, 'next', { maxLength: staffPasswordLengthMax * 2, code: 'OPERATOR_PASSWORD_RULES' });
      const repeat = formSecret(request.body, 'repeat', { maxLength: staffPasswordLengthMax * 2, code: 'PASSWORD_REPEAT_MISMATCH' });
      await changeStaffPassword(deps, request.staffLive, { current, next, repeat }, requestContext(request));
      return `${consolePaths.password}?done=changed`;
    },
  });
}
