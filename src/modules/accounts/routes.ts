import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Deps } from '../../deps.ts';
import { AppError, isAppError } from '../../errors.ts';
import { html } from '../../web/html.ts';
import { layout } from '../../web/layout.ts';
import { registerPage } from '../../web/page-route.ts';
import { sentText } from '../../web/form-input.ts';
import { replyStatusOf } from '../../web/error-status.ts';
import { pageContext, requestContext, sessionChrome } from '../../web/request-context.ts';
import type { LiveSession } from '../../access/sessions.ts';
import type { AccountBalance } from './repository.ts';
import { activeSession } from './session-gate.ts';
import { inquiryAccount, inquiryAccounts, inquiryToday, statementForDownload, statementPage } from './service.ts';
import { askedPeriod, parseEncoding, parsePeriod, parseStatementQuery } from './statement-query.ts';
import { csvContentType, encodeCsv, statementCsvText, statementFileName } from './statement-csv.ts';
import { accountPath, accountsTable, statementPageBody, type ShownStatement } from './views.ts';

/** Account IDs are positive int4 values; anything else names no account. */
const accountIdMax = 2_147_483_647;

function accountIdParam(request: FastifyRequest): number {
  const id = sentText(request.params, 'id');
  if (id === undefined || !/^[1-9][0-9]{0,9}$/.test(id) || Number(id) > accountIdMax) throw new AppError('NOT_FOUND');
  return Number(id);
}

/** R8.1: inquiry of balances and statements, and a statement's CSV download. */
export function accountsRoutes(app: FastifyInstance, deps: Deps): void {
  registerPage(app, deps, {
    path: '/accounts',
    access: 'active',
    async render(request) {
      const page = pageContext(deps, request);
      const accounts = await inquiryAccounts(deps, request.live);
      const body = html`<p>${page.t('accounts.intro')}</p>
${accountsTable(page.t, accounts)}
<p class="hint">${page.t('accounts.hint.balance')}</p>`;
      return layout(page, 'accounts.title', body, sessionChrome(deps, request.live));
    },
  });

  /**
   * The statement page. A refused period or page shows the same page with the message next to the
   * field (status 400) and no lines; an account the person may not use is NOT_FOUND before any
   * query value is read.
   */
  const sendStatement = (request: FastifyRequest, reply: FastifyReply, live: LiveSession, account: AccountBalance, shown: ShownStatement, path?: string) => {
    const page = { ...pageContext(deps, request), ...(path ? { path } : {}) };
    const body = statementPageBody(page.t, account, inquiryToday(deps), shown);
    if ('error' in shown) replyStatusOf(reply, shown.error);
    return reply.type('text/html; charset=utf-8').send(layout(page, 'accounts.statement.title', body, sessionChrome(deps, live)).value);
  };

  app.get('/accounts/:id/statement', async (request, reply) => {
    const live = await activeSession(deps, request, reply);
    if (!live) return reply;
    const account = await inquiryAccount(deps, live, accountIdParam(request));
    try {
      const query = parseStatementQuery(request.query, inquiryToday(deps));
      const result = await statementPage(deps, account, query);
      return sendStatement(request, reply, live, account, { period: query, result });
    } catch (error) {
      if (!isAppError(error)) throw error;
      return sendStatement(request, reply, live, account, { error, asked: askedPeriod(request.query) });
    }
  });

  app.get('/accounts/:id/statement.csv', async (request, reply) => {
    const live = await activeSession(deps, request, reply);
    if (!live) return reply;
    const account = await inquiryAccount(deps, live, accountIdParam(request));
    let file: { bytes: Buffer; name: string; type: string };
    try {
      const period = parsePeriod(request.query, inquiryToday(deps));
      const encoding = parseEncoding(request.query);
      const lines = await statementForDownload(deps, live, account, period, encoding, requestContext(request));
      file = {
        bytes: encodeCsv(statementCsvText(pageContext(deps, request).t, lines), encoding),
        name: statementFileName(account, period),
        type: csvContentType(encoding),
      };
    } catch (error) {
      if (!isAppError(error)) throw error;
      // The same checks as the page, and the page with the message when one refuses; its language
      // switch leads to the page, not to the file.
      return sendStatement(request, reply, live, account, { error, asked: askedPeriod(request.query) }, accountPath(account));
    }
    return reply.type(file.type).header('content-disposition', `attachment; filename="${file.name}"`).send(file.bytes);
  });
}
