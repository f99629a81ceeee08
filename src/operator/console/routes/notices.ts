import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../../deps.ts';
import type { FormState } from '../../../web/form.ts';
import { sentText, sentValue } from '../../../web/form-input.ts';
import { pageContext, requestContext } from '../../../web/request-context.ts';
import { postBankNotice, recentNotices } from '../../../modules/bank-notices/notices.ts';
import { chromeOf, consoleGet, consolePost, type ConsoleRequest } from '../page-route.ts';
import { consolePaths } from '../paths.ts';
import { noticesPage } from '../views/notices.ts';

/** Notices from the bank [お知らせ]: posted by a member of staff for the customers' top page, audited. */
export function noticeRoutes(app: FastifyInstance, deps: Deps): void {
  const view = async (request: ConsoleRequest<'active'>, state: FormState) =>
    noticesPage({ ...pageContext(deps, request), path: consolePaths.notices }, chromeOf(deps, request.staffLive), state, await recentNotices(deps.db), sentText(request.query, 'posted'));
  consoleGet(app, deps, { path: consolePaths.notices, access: 'active', render: view });
  consolePost(app, deps, {
    path: consolePaths.notices,
    access: 'active',
    render: view,
    echo: ['title', 'body', 'shownFrom', 'shownUntil', 'contractId'],
    async submit(request) {
      const body = request.body;
      const id = await postBankNotice(
        deps,
        request.staffLive.staff,
        { title: sentValue(body, 'title'), body: sentValue(body, 'body'), shownFrom: sentValue(body, 'shownFrom'), shownUntil: sentValue(body, 'shownUntil'), contractId: sentValue(body, 'contractId') },
        requestContext(request),
      );
      return `${consolePaths.notices}?posted=${id}`;
    },
  });
}
