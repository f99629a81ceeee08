import { layout } from '../../web/layout.ts';
import { sentText } from '../../web/form-input.ts';
import { pageContext, sessionChrome } from '../../web/request-context.ts';
import { findBank } from '../../domain/bank-directory.ts';
import { listPage } from './list-views.ts';
import { ownBank } from './own-bank.ts';
import { doneNotice, type PayeeRoute } from './pages-request.ts';
import { payeeList, type ListFilter } from './service.ts';

/** R8.2: the contract's payees, those in use or waiting, or (`?show=ended`) those that ended. */
export const payeeListPage: PayeeRoute = (deps) => ({
  path: '/payees',
  access: 'active',
  async render(request) {
    const page = pageContext(deps, request);
    const filter: ListFilter = sentText(request.query, 'show') === 'ended' ? 'ended' : 'current';
    const { rights, payees } = await payeeList(deps, request.live, filter);
    const bankName = (code: string) => findBank(ownBank(deps), code)?.name ?? '';
    const body = listPage(page.t, { notice: doneNotice(page.t, request.query), canRegister: rights.register, filter, payees, bankName });
    return layout(page, 'payees.title', body, sessionChrome(deps, request.live));
  },
});
