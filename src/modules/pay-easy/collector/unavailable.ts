import { AppError, isAppError } from '../../../errors.ts';
import type { PaymentCollector } from './collector.ts';

/**
 * R8.3: when the link to the billers fails (the network is down, a gateway times out), the person
 * is told on the page where they are, in words, that the billers cannot be asked now and to try again
 * later (503) — never a server error. A payment's transaction rolls back with it, so nothing is paid.
 */
export function withUnavailableAnswered(collector: PaymentCollector): PaymentCollector {
  const guard = async <T>(ask: () => Promise<T>): Promise<T> => {
    try {
      return await ask();
    } catch (error) {
      if (isAppError(error)) throw error;
      // The link's own error stays attached for the log.
      throw Object.assign(new AppError('PAY_EASY_COLLECTOR_UNAVAILABLE'), { cause: error });
    }
  };
  return {
    biller: (billerNumber) => guard(() => collector.biller(billerNumber)),
    inquire: (query, today) => guard(() => collector.inquire(query, today)),
    collect: (tx, bill, payment) => guard(() => collector.collect(tx, bill, payment)),
  };
}
