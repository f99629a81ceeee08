/**
 * Admission control (decision 0027): at most `inFlightMax` requests of a process are being worked on
 * at once, and at most `queuedMax` more wait, in arrival order, for one of them to finish. A request
 * beyond both is refused at once, and one that waited `queueWaitMs` without a place is refused then:
 * the service answers the excess of an overload quickly with "busy, try again" instead of letting
 * every request wait longer and longer (in the database pool's queue, in libuv's for argon2, on the
 * event loop) until clients time out and memory grows with the backlog.
 *
 * Mechanism only: which requests pass the gate, and how a refusal is answered, is the web layer's
 * (src/web/admission.ts).
 */

/**
 * Requests being worked on at once, per process. The database pool holds 10 connections and libuv 4
 * threads for argon2: 32 keeps both busy with requests ready behind them (the portal's throughput
 * stops growing at about 8–16 requests at once on the reference machine, docs/benchmarks.md
 * "Overload"), while a request's wait for a connection stays short.
 */
export const requestsInFlightMax = 32;

/**
 * Requests waiting for a place, per process. A burst — a page's parallel requests, fifty logons at
 * once (test/security/lockout-race.test.ts) — is absorbed; under lasting overload the queue drains
 * at the service's throughput (hundreds per second), so a queued request waits a fraction of a second.
 */
export const requestsQueuedMax = 64;

/**
 * The longest a request waits in the queue before it is refused. Reached only when the requests in
 * flight stop finishing (a database that hangs): the refusal then still comes long before a
 * client's or a balancer's timeout (10 s and more), and the queue empties.
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
  /** Refused because the queue was full. */
  refusedFull: number;
  /** Refused after waiting `queueWaitMs` in the queue. */
  refusedWaited: number;
}

export interface AdmissionGate {
  /** A place (resolve with its release), or undefined when the request is refused. */
  enter(): Promise<Release | undefined>;
  figures(): AdmissionFigures;
}

interface Waiter {
  admit(release: Release): void;
  timer: NodeJS.Timeout;
}

export function admissionGate(limits: AdmissionLimits = admissionLimits): AdmissionGate {
  let inFlight = 0;
  let admitted = 0;
  let refusedFull = 0;
  let refusedWaited = 0;
  // Arrival order; a waiter that gave up is removed from it by its timer.
  const queue = new Set<Waiter>();

  const place = (): Release => {
    inFlight++;
    admitted++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      inFlight--;
      handOn();
    };
  };

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
    figures: () => ({ inFlight, queued: queue.size, admitted, refusedFull, refusedWaited }),
  };
}
