/**
 * Admission control (decision 0027): at most `inFlightMax` requests of a process are being worked on
 * at once, and at most `queuedMax` more wait, in arrival order, for one of them to finish. A request
 * beyond both is refused at once, and one that waited `queueWaitMs` without a place is refused then.
 * Under a lasting overload the queue stays full, so the service answers the excess at once with
 * "busy, try again" instead of letting every request wait longer and longer (in the database
 * pool's queue, in libuv's for argon2, on the event loop) until clients time out and memory grows
 * with the backlog.
 *
 * Mechanism only: which requests pass the gate, and how a refusal is answered, is the web layer's
 * (src/web/admission.ts).
 */

/**
 * Requests being worked on at once, per process. The database pool holds 10 connections and libuv 4
 * threads for argon2, and the portal's throughput stops growing at about 8 requests at once
 * (docs/benchmarks.md, "Overload"). 32 leaves room for requests that hold a place while waiting on
 * something other than this process's work — a secret waiting for its person's attempts in flight
 * (ATTEMPTS_BUSY_WAIT_MS, seconds), an upload arriving — without starving the others; a burst of 30
 * (a graceful stop's test) is worked on without queueing.
 */
export const requestsInFlightMax = 32;

/**
 * Requests waiting for a place, per process. A burst — a page's parallel requests, fifty logons at
 * once (test/security/lockout-race.test.ts) — and the steady load of a hundred sessions each with a
 * request outstanding (`npm run bench:pages`) are absorbed; under lasting overload the queue drains
 * at the service's throughput (hundreds per second), so a queued request waits about a second at most.
 * A queued request holds about 40 kB (decision 0027): 256 of them about 10 MB.
 */
export const requestsQueuedMax = 256;

/**
 * The longest a request waits in the queue: a safety for when the requests in flight stop finishing
 * (a database that hangs), so that a queued request is answered before a balancer's timeout (60 s
 * is common). Under an overload that lasts, a queued request gets its place within
 * (places + queue) ÷ throughput, about a second for a page; the bound is far above that because a
 * machine under other load may take many seconds for a burst it would still serve (the tests'
 * fifty parallel logons), and a request the service would serve must not be refused.
 */
export const requestQueueWaitMs = 30_000;

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
  /** Refused after waiting `queueWaitMs` in the queue. */
  refusedWaited: number;
}

export interface AdmissionGate {
  /** A place (resolve with its release), or undefined when the request is refused. */
  enter(): Promise<Release | undefined>;
  /**
   * Whether a request arriving now would be refused on arrival (every place taken, the queue full),
   * counted as such when it is: for a refusal answered before the request is worked on at all
   * (src/web/early-refusal.ts). A request it lets through still calls `enter()`.
   */
  turnsAway(): boolean;
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

  const placeFree = () => inFlight < limits.inFlightMax && queue.size === 0;
  const queueFull = () => queue.size >= limits.queuedMax;

  return {
    async enter() {
      if (placeFree()) return place();
      if (queueFull()) {
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
    turnsAway() {
      if (placeFree() || !queueFull()) return false;
      refusedFull++;
      return true;
    },
    figures: () => ({ inFlight, queued: queue.size, admitted, refusedFull, refusedWaited }),
  };
}
