import type { Deps } from '../../deps.ts';
import type { LiveSession } from '../../access/sessions.ts';
import { isAppError } from '../../errors.ts';
import { tokyoDate } from '../../domain/business-days.ts';
import { dayMs } from '../../domain/tokyo-time.ts';
import type { BankNotice } from '../../db/schema-bank-notices.ts';
import { inquiryAccounts } from '../accounts/service.ts';
import type { AccountBalance } from '../accounts/repository.ts';
import { noticesShownTo } from '../bank-notices/notices.ts';
import type { WaitingList } from '../approvals/waiting-items.ts';
import { waitingForRequest } from '../approvals/request-waiting.ts';

/** R4.4: the certificate's expiry is shown from this many days before it, as the logon page does. */
export const certificateNoticeDaysBefore = 30;

/**
 * What the top page shows besides the last uses (R7.2): the bank's notices for this contract today,
 * the items waiting for the person (R8.5), the balances of the accounts they may inquire into
 * (R8.1; none without inquiry) and the security notices (R2.6, R4.4, R5.1).
 */
export interface HomeFacts {
  bankNotices: BankNotice[];
  waiting: WaitingList;
  /** undefined: the person does not hold inquiry. */
  balances: AccountBalance[] | undefined;
  certificateExpiry: string | undefined;
  otpAddressMissing: boolean;
}

export async function homeFacts(deps: Deps, live: LiveSession): Promise<HomeFacts> {
  const now = deps.clock.now();
  let balances: AccountBalance[] | undefined;
  try {
    balances = await inquiryAccounts(deps, live);
  } catch (error) {
    if (!isAppError(error) || error.code !== 'FORBIDDEN') throw error;
  }
  const certificate = await deps.db
    .selectFrom('client_certificate')
    .select('not_after')
    .where('user_ref', '=', live.user.id)
    .where('revoked_at', 'is', null)
    .where('not_after', '>', now)
    .orderBy('not_after', 'desc')
    .executeTakeFirst();
  const expiresSoon = certificate && certificate.not_after.getTime() - now.getTime() <= certificateNoticeDaysBefore * dayMs;
  return {
    bankNotices: await noticesShownTo(deps.db, live.contract.id, now),
    waiting: await waitingForRequest(deps, live),
    balances,
    certificateExpiry: expiresSoon ? tokyoDate(certificate.not_after) : undefined,
    otpAddressMissing: live.user.otp_email_confirmed_at === null,
  };
}
