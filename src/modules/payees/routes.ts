import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../deps.ts';
import { registerPage } from '../../web/page-route.ts';
import { approvePayeePage, deletePayeePage, rejectPayeePage, withdrawPayeePage } from './pages-action.ts';
import { changePayeePage, changePayeeReviewPage, newPayeePage, newPayeeReviewPage } from './pages-entry.ts';
import { payeeDetailPage } from './pages-detail.ts';
import { payeeListPage } from './pages-list.ts';
import type { PayeeRoute } from './pages-request.ts';

/**
 * R8.2 payees and R8.5 their approval: the list, registering and changing (form → review with the
 * confirmation password), a payee's page, and approve, reject, withdraw and delete. Every page first
 * asks the service whether the person holds the transfer business (FORBIDDEN otherwise).
 */
const payeePages: readonly PayeeRoute[] = [
  payeeListPage,
  newPayeePage,
  newPayeeReviewPage,
  changePayeePage,
  changePayeeReviewPage,
  payeeDetailPage,
  approvePayeePage,
  rejectPayeePage,
  withdrawPayeePage,
  deletePayeePage,
];

export function payeesRoutes(app: FastifyInstance, deps: Deps): void {
  for (const page of payeePages) registerPage(app, deps, page(deps));
}
