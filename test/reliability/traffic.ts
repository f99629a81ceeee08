import { databaseRetryAfterSeconds } from '../../src/errors.ts';
import { errorCode } from '../helpers/client.ts';
import { internalsShown } from '../helpers/internals.ts';
import { requestSent, type HttpsAnswer } from '../helpers/https-client.ts';
import type { ScenarioReport } from './report.ts';

/** How a request of a scenario ended. */
export type Sent =
  /** An answer the scenario can go on with (its status is the scenario's to judge). */
  | { answer: HttpsAnswer }
  /** The database was out of reach: 503 SERVICE_DATABASE_UNAVAILABLE with Retry-After, a clear page. Send it again later. */
  | { unavailable: true }
  /** The connection was refused or cut before the request went out: it never reached the process. Send it elsewhere. */
  | { notSent: true }
  /** Went out and got no complete answer, or a wrong one: lost. */
  | { lost: string };

/**
 * Counts a scenario's requests as they go out and come back: how many are in flight at a moment
 * (a fault), how many were answered, answered 503 while the database was away, never went out, or
 * were lost — each loss named in the report.
 */
export class Traffic {
  readonly #report: ScenarioReport;
  inFlight = 0;
  sent = 0;
  answered = 0;
  unavailable = 0;
  notSent = 0;
  lost = 0;
  /** When each answer that needed the database came (performance.now()). */
  readonly successes: number[] = [];
  /** When each 503 of the database came. */
  readonly unavailableAt: number[] = [];

  constructor(report: ScenarioReport) {
    this.#report = report;
  }

  async send(what: string, call: () => Promise<HttpsAnswer>): Promise<Sent> {
    this.inFlight++;
    try {
      const answer = await call();
      this.sent++;
      return this.#judge(what, answer);
    } catch (error) {
      if (!requestSent(error)) {
        this.notSent++;
        return { notSent: true };
      }
      this.sent++;
      return this.#lose(what, `no complete answer (${(error as { code?: string }).code ?? (error as Error).message})`);
    } finally {
      this.inFlight--;
    }
  }

  #judge(what: string, answer: HttpsAnswer): Sent {
    const shown = internalsShown(answer.body);
    if (shown) return this.#lose(what, `an answer ${answer.status} showing ${shown}`);
    if (answer.status === 503) {
      const code = errorCode(answer.body);
      const retryAfter = answer.headers['retry-after'];
      if (code !== 'SERVICE_DATABASE_UNAVAILABLE' || retryAfter !== String(databaseRetryAfterSeconds) || !/^text\/html/.test(String(answer.headers['content-type']))) {
        return this.#lose(what, `503 ${code ?? 'without a code'}, Retry-After ${retryAfter ?? 'missing'}`);
      }
      this.unavailable++;
      this.unavailableAt.push(performance.now());
      return { unavailable: true };
    }
    if (answer.status >= 500) return this.#lose(what, `answered ${answer.status} ${errorCode(answer.body) ?? ''}`);
    this.answered++;
    this.successes.push(performance.now());
    return { answer };
  }

  /** A loss the scenario saw in an answer it judged itself (a wrong page, a refusal where none belongs). */
  lose(why: string): void {
    this.lost++;
    this.#report.lose(1, why);
  }

  #lose(what: string, why: string): Sent {
    this.lost++;
    this.#report.lose(1, `${what}: ${why}`);
    return { lost: why };
  }
}
