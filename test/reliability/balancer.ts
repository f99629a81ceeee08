import { setTimeout as delay } from 'node:timers/promises';
import type { HttpsAnswer } from '../helpers/https-client.ts';
import type { ServiceProcess } from '../helpers/service-process.ts';
import { ReadinessWatch } from './readiness-watch.ts';
import type { Sent, Traffic } from './traffic.ts';

/** A process behind the balancer, with what the balancer saw of it. */
export interface Backend {
  name: string;
  service: ServiceProcess;
  watch: ReadinessWatch;
  /** Requests being answered by it at this moment. */
  inFlight: number;
  answered: number;
  /** When it last refused a connection: it gets nothing until /readyz says ready after that. */
  refusedAt: number;
}

/** How often the balancer asks each process's /readyz. */
export const healthCheckEveryMs = 50;
/** How long a request waits for some process to be ready before it counts as lost. */
const noneReadyWaitMs = 10_000;

/**
 * A client that behaves like a load balancer in front of the service's processes: it sends each
 * request to the next process (in turn) whose /readyz last said ready, and a request whose
 * connection was refused, or cut before it went out, to another — never one that went out.
 */
export class Balancer {
  readonly backends: Backend[] = [];
  /** Requests sent again to another process because the connection was refused. */
  retried = 0;
  #turn = 0;

  add(name: string, service: ServiceProcess): Backend {
    const backend = { name, service, watch: new ReadinessWatch(service.base).start(healthCheckEveryMs), inFlight: 0, answered: 0, refusedAt: -Infinity };
    this.backends.push(backend);
    return backend;
  }

  async remove(backend: Backend): Promise<void> {
    this.backends.splice(this.backends.indexOf(backend), 1);
    await backend.watch.stop();
  }

  /** Resolves once /readyz of the backend said ready. */
  async ready(backend: Backend, waitMs: number): Promise<boolean> {
    return (await backend.watch.readyAfter(-Infinity, waitMs)) !== undefined;
  }

  #pick(): Backend | undefined {
    const usable = this.backends.filter((b) => b.watch.ready && (b.watch.samples.at(-1)?.at ?? 0) > b.refusedAt);
    if (usable.length === 0) return undefined;
    return usable[this.#turn++ % usable.length];
  }

  async send(traffic: Traffic, what: string, call: (base: string) => Promise<HttpsAnswer>): Promise<Sent> {
    const deadline = performance.now() + noneReadyWaitMs;
    for (;;) {
      const backend = this.#pick();
      if (!backend) {
        if (performance.now() > deadline) {
          traffic.lose(`${what}: no process was ready for ${noneReadyWaitMs} ms`);
          return { lost: 'no process ready' };
        }
        await delay(5);
        continue;
      }
      backend.inFlight++;
      const sent = await traffic.send(what, () => call(backend.service.base)).finally(() => backend.inFlight--);
      if (!('notSent' in sent)) {
        if ('answer' in sent) backend.answered++;
        return sent;
      }
      backend.refusedAt = performance.now();
      this.retried++;
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.backends.map((b) => b.watch.stop()));
  }
}
