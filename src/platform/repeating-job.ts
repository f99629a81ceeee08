/** A background job of the service: its round, then a pause, until stopped. */
export interface RepeatingJob {
  /** Stops after the round in progress, if any, has finished. */
  stop(): Promise<void>;
}

export interface RepeatingJobOptions {
  intervalMs: number;
  /** A failed round is reported and the next one still runs: one bad row must not stop the job. */
  onError: (error: unknown) => void;
}

/**
 * Runs `round` at once and then `intervalMs` after each round ends, so rounds never overlap in one
 * process. Several processes may run the same job: each job claims its rows in the database.
 */
export function startRepeatingJob(round: () => Promise<unknown>, options: RepeatingJobOptions): RepeatingJob {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const tick = () => {
    running = round()
      .then(() => undefined, options.onError)
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, options.intervalMs);
      });
  };
  timer = setTimeout(tick, 0);
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
