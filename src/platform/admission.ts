/**
 * Admission control (decision 0027): at most `inFlightMax` requests of a process are being worked on
 * at once, and at most `queuedMax` more wait, in arrival order, for one of them to finish. A request
 * beyond both is refused at once; so is one whose wait in the queue is foreseen to exceed half of
 * `queueWaitMs` (its place in the queue times the time a place is held lately, shared among the
 * places), and one that still waited `queueWaitMs` without a place is refused then. The service answers
 * the excess of an overload quickly with "busy, try again" instead of letting every request wait
 * longer and longer (in the database pool's queue, in libuv's for argon2, on the event loop) until
 * clients time out and memory grows with the backlog.
 *
 * Mechanism only: which requests pass the gate, and how a refusal is answered, is the web layer's
 * (src/web/admission.ts).
 */

/**
 * Requests being worked on at once, per process. The database pool holds 10 connections and libuv 4
 * threads for argon2: 16 keeps both busy with requests ready behind them (the portal's throughput
 * stops growing at about 8 requests at once on the reference machine, docs/benchmarks.md
 * "Overload"). More would add no throughput, only waits for a connection inside the process, where
 * nothing bounds them.
 */
export const requestsInFlightMax = 16;

/**
 * Requests waiting for a place, per process. A burst — a page's parallel requests, fifty logons at
 * once (test/security/lockout-race.test.ts) — is absorbed; under lasting overload the queue drains
 * at the service's throughput (hundreds per second), so a queued request waits a fraction of a second.
 */
export const requestsQueuedMax = 64;

/**
 * The longest a request waits in the queue. A request whose wait is foreseen to be longer is refused
 * when it arrives; the bound itself is reached only when the requests in flight stop finishing as
 * they did (a database that hangs): the refusal then still comes long before a client's or a
 * balancer's timeout (10 s and more), and the queue empties.
 */
export const requestQueueWaitMs = 2_000;

export interface AdmissionLimits {
  inFlightMax: number;
  queuedMax: number;
  queueWaitMs: number;
}

export const admissionLimits: AdmissionLimits = {
  inFlightMax: requestsInFlightMax,
  queuedMax: requestsQueuedMax,
  queueWaitMs: requestQueueWaitMs,
};

/** Gives the place back: once, whatever calls it (the answer sent, the connection lost). */
export type Release = () => void;

/** What a gate has counted since it was made, for the logs and the benchmark. */
export interface AdmissionFigures {
  inFlight: number;
  queued: number;
  admitted: number;
  /** Refused on arrival because the queue was full. */
  refusedFull: number;
  /** Refused on arrival because its wait was foreseen to exceed `queueWaitMs`. */
  refusedForeseen: number;
  /** Refused after waiting `queueWaitMs` in the queue. */
  refusedWaited: number;
}

export interface AdmissionGate {
  /** A place (resolve with its release), or undefined when the request is refused. */
  enter(): Promise<Release | undefined>;
  figures(): AdmissionFigures;
}

/**
 * A request foreseen to wait more than this share of `queueWaitMs` is refused on arrival. The
 * foresight follows the recent past; a service that slows down (a busy machine) lets a queued
 * request wait longer than foreseen, and the margin keeps it from reaching the bound and being
 * refused late, after its wait.
 */
const foreseenWaitShareMax = 0.5;

/**
 * How much the latest hold counts in the running mean of how long a place is held: about the last
 * fifty requests, so the foresight follows a change of load within a fraction of a second.
 */
const holdMeanWeight = 1 / 50;

interface Waiter {
  admit(release: Release): void;
  timer: NodeJS.Timeout;
}

/** `now`: a monotonic time in milliseconds (a test passes its own). */
export function admissionGate(limits: AdmissionLimits = admissionLimits, now: () => number = () => performance.now()): AdmissionGate {
  let inFlight = 0;
  let admitted = 0;
  let refusedFull = 0;
  let refusedForeseen = 0;
  let refusedWaited = 0;
  // Unknown until a request has finished: no arrival is refused by foresight before then.
  let holdMeanMs = 0;
  // Arrival order; a waiter that gave up is removed from it by its timer.
  const queue = new Set<Waiter>();

  const place = (): Release => {
    inFlight++;
    admitted++;
    const since = now();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      inFlight--;
      const heldMs = now() - since;
      holdMeanMs = holdMeanMs === 0 ? heldMs : holdMeanMs + (heldMs - holdMeanMs) * holdMeanWeight;
      handOn();
    };
  };

  // The n-th in the queue gets a place once n places have been given back: each is given back every
  // holdMeanMs / inFlightMax on average while all are taken.
  const foreseenWaitMs = (position: number) => (position * holdMeanMs) / limits.inFlightMax;

  // A place freed goes to the longest-waiting request, so the queue never holds one while a place is free.
  const handOn = () => {
    while (inFlight < limits.inFlightMax && queue.size > 0) {
      const [first] = queue;
      queue.delete(first!);
      clearTimeout(first!.timer);
      first!.admit(place());
    }
  };

  return {
    async enter() {
      if (inFlight < limits.inFlightMax && queue.size === 0) return place();
      if (queue.size >= limits.queuedMax) {
        refusedFull++;
        return undefined;
      }
      if (foreseenWaitMs(queue.size + 1) > limits.queueWaitMs * foreseenWaitShareMax) {
        refusedForeseen++;
        return undefined;
      }
      return new Promise<Release | undefined>((resolve) => {
        const waiter: Waiter = {
          admit: resolve,
          timer: setTimeout(() => {
            queue.delete(waiter);
            refusedWaited++;
            resolve(undefined);
          }, limits.queueWaitMs),
        };
        queue.add(waiter);
      });
    },
    figures: () => ({ inFlight, queued: queue.size, admitted, refusedFull, refusedForeseen, refusedWaited }),
  };
}
