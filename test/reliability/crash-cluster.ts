import { fileURLToPath } from 'node:url';
import { setTimeout as delay } from 'node:timers/promises';
import { startServiceProcess, type ServiceProcess } from '../helpers/service-process.ts';

/**
 * Service processes on one database behind a round-robin balancer, as the bank runs them (DESIGN
 * §1), for the crash scenario (process-crash.ts): one of them can be killed with SIGKILL in the
 * middle of its work and started again, and every request is counted where it was sent.
 */
const clockModule = fileURLToPath(new URL('../helpers/shifted-clock.ts', import.meta.url));
/** A request cut off by a dead process is sent again this soon, as a browser's retry or the balancer's. */
const retryPauseMs = 20;
/** A request no process answers after this many tries is lost. */
export const triesMax = 50;

/** The processes' time: starts at `start`, runs in real time, and jumps when the scenario says. */
export class ScenarioClock {
  readonly #startMs: number;
  readonly #realStart = performance.now();
  #jumpedMs = 0;

  constructor(start: Date) {
    this.#startMs = start.getTime();
  }

  now(): Date {
    return new Date(this.#startMs + (performance.now() - this.#realStart) + this.#jumpedMs);
  }

  jump(seconds: number): void {
    this.#jumpedMs += seconds * 1000;
  }
}

export type RequestKind = 'logon' | 'confirmation' | 'approval' | 'page';

interface Slot {
  process: ServiceProcess;
  alive: boolean;
  /** Requests sent to this process and not yet answered, by kind. */
  inFlight: Map<RequestKind, number>;
  answered: number;
}

/** A request that found no process to answer it: the process it was sent to died, or refused the connection. */
export class CutOff extends Error {}

export class Cluster {
  readonly slots: (Slot | undefined)[];
  readonly #env: Record<string, string>;
  readonly #clock: ScenarioClock;
  readonly #jumpSeconds: number;
  #next = 0;
  /** Requests cut off by a process that died, and sent again. */
  cut = 0;
  /** Requests that failed on a process that was alive: none are expected. */
  failedOnLive = 0;
  /** Called after every answer, with the index of the process that gave it. */
  onAnswer: (slot: number) => void = () => {};

  private constructor(env: Record<string, string>, clock: ScenarioClock, jumpSeconds: number, size: number) {
    this.#env = env;
    this.#clock = clock;
    this.#jumpSeconds = jumpSeconds;
    this.slots = Array.from({ length: size }, () => undefined);
  }

  static async start(env: Record<string, string>, clock: ScenarioClock, jumpSeconds: number, size: number): Promise<Cluster> {
    const cluster = new Cluster(env, clock, jumpSeconds, size);
    const started = await Promise.allSettled(cluster.slots.map((_, i) => cluster.startSlot(i)));
    const failed = started.find((r) => r.status === 'rejected');
    if (failed) {
      await cluster.stop();
      throw (failed as PromiseRejectedResult).reason;
    }
    return cluster;
  }

  /** Starts the process of a slot, its clock at the scenario's time, and puts it behind the balancer once it listens. */
  async startSlot(index: number): Promise<void> {
    // The test runner's compile cache (scripts/run-tests.ts) spares each start parsing the modules again.
    const cache: Record<string, string> = process.env.NODE_COMPILE_CACHE ? { NODE_COMPILE_CACHE: process.env.NODE_COMPILE_CACHE } : {};
    const service = await startServiceProcess(
      { ...this.#env, ...cache, IB_TEST_NOW: this.#clock.now().toISOString(), IB_TEST_JUMP_SECONDS: String(this.#jumpSeconds) },
      { nodeArgs: ['--import', clockModule], listenWaitMs: 60_000 },
    );
    this.slots[index] = { process: service, alive: true, inFlight: new Map(), answered: 0 };
  }

  /**
   * SIGKILL: no shutdown, connections cut mid-request. The balancer stops sending to it at once.
   * Returns the requests it had in flight at that moment, by kind.
   */
  async kill(index: number): Promise<Map<RequestKind, number>> {
    const slot = this.slots[index]!;
    slot.alive = false;
    const inFlight = new Map(slot.inFlight);
    await slot.process.kill();
    return inFlight;
  }

  /** Moves the clock of the scenario and of every live process on by the jump (past the leases). */
  jump(): void {
    this.#clock.jump(this.#jumpSeconds);
    for (const slot of this.slots) if (slot?.alive) slot.process.signal('SIGUSR2');
  }

  /** The base URLs of the live processes. */
  get bases(): string[] {
    return this.slots.filter((s): s is Slot => s?.alive === true).map((s) => s.process.base);
  }

  inFlight(index: number, kind: RequestKind): number {
    return this.slots[index]?.inFlight.get(kind) ?? 0;
  }

  answeredBy(index: number): number {
    return this.slots[index]?.answered ?? 0;
  }

  /** Sends one request to the next live process (round robin); a request cut off there throws CutOff. */
  async once<T>(kind: RequestKind, send: (base: string) => Promise<T>, only?: number): Promise<T> {
    const index = only ?? this.#pick();
    const slot = this.slots[index]!;
    slot.inFlight.set(kind, (slot.inFlight.get(kind) ?? 0) + 1);
    try {
      const answer = await send(slot.process.base);
      slot.answered++;
      this.onAnswer(index);
      return answer;
    } catch (error) {
      if (slot.alive) this.failedOnLive++;
      else this.cut++;
      throw new CutOff(`cut off on process ${index}: ${(error as Error).message}`, { cause: error });
    } finally {
      slot.inFlight.set(kind, slot.inFlight.get(kind)! - 1);
    }
  }

  /**
   * Sends one request until a live process answers it: a retry with the same content, as a browser
   * resends a form. The first try goes to `sticky` while it lives (a balancer that keeps a session
   * on the process that made it), the retries to any.
   */
  async call<T>(kind: RequestKind, send: (base: string) => Promise<T>, sticky?: number): Promise<T> {
    for (let tries = 1; ; tries++) {
      try {
        return await this.once(kind, send, tries === 1 && sticky !== undefined && this.slots[sticky]?.alive ? sticky : undefined);
      } catch (error) {
        if (!(error instanceof CutOff) || tries >= triesMax) throw error;
        await delay(retryPauseMs);
      }
    }
  }

  #pick(): number {
    for (let i = 0; i < this.slots.length; i++) {
      const index = (this.#next + i) % this.slots.length;
      if (this.slots[index]?.alive) {
        this.#next = index + 1;
        return index;
      }
    }
    throw new CutOff('no process is alive');
  }

  output(): string {
    return this.slots.map((s, i) => `--- process ${i}\n${s?.process.output() ?? ''}`).join('\n');
  }

  async stop(): Promise<void> {
    await Promise.all(this.slots.map((s) => s?.process.stop()));
  }
}
