import type { StaffContext } from '../../../modules/contracts/applications.ts';
import { requestContext } from '../../../web/request-context.ts';
import type { ConsoleRequest } from '../page-route.ts';

/** The member acting, and from where, as the use cases audit it. */
export function staffContext(request: ConsoleRequest<'active'>): StaffContext {
  return { staff: request.staffLive.staff, ...requestContext(request) };
}
