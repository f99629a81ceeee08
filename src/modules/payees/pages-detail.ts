import { layout } from '../../web/layout.ts';
import { pageContext, sessionChrome } from '../../web/request-context.ts';
import { detailPage } from './detail-views.ts';
import { destinationOf } from './pages-data.ts';
import { doneNotice, payeeIdParam, type PayeeRoute } from './pages-request.ts';
import { payeePage } from './service.ts';

/** R8.2, R8.5: one payee of the contract, with what the person may do to it. */
export const payeeDetailPage: PayeeRoute = (deps) => ({
  path: '/payees/:payeeId',
  access: 'active',
  async render(request) {
    const page = pageContext(deps, request);
    const found = await payeePage(deps, request.live, payeeIdParam(request));
    const body = detailPage(page.t, { notice: doneNotice(page.t, request.query), found, destination: await destinationOf(deps, found.payee) });
    return layout(page, 'payees.detail.title', body, sessionChrome(deps, request.live));
  },
});
