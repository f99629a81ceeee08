import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../../deps.ts';
import type { FormState } from '../../../web/form.ts';
import { formSecret, sentText } from '../../../web/form-input.ts';
import { pageContext, requestContext } from '../../../web/request-context.ts';
import { changeStaffPassword, staffPasswordLengthMax } from '../../staff/password.ts';
import { chromeOf, consoleGet, consolePost, type ConsoleRequest } from '../page-route.ts';
import { consolePaths } from '../paths.ts';
import { passwordPage } from '../views/password.ts';

/**
 * The password change, in two places with the same form: a member whose password IT issued is held
 * at the logon's last step until it is replaced (every other page sends them there, page-route.ts);
 * everyone else changes theirs from the menu. Either way the change ends at the menu's page, which
 * says it is done.
 */
const places = [
  { path: consolePaths.initialPassword, access: 'password', due: true },
  { path: consolePaths.password, access: 'active', due: false },
] as const;

export function passwordRoutes(app: FastifyInstance, deps: Deps): void {
  for (const place of places) {
    const view = (request: ConsoleRequest<typeof place.access>, state: FormState) =>
      passwordPage({ ...pageContext(deps, request), path: place.path }, chromeOf(deps, request.staffLive), state, {
        action: place.path,
        due: place.due,
        changed: !place.due && sentText(request.query, 'done') === 'changed',
      });
    consoleGet(app, deps, { path: place.path, access: place.access, render: view });
    consolePost(app, deps, {
      path: place.path,
      access: place.access,
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
}
