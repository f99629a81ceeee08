/**
 * Operations per second of `concurrency` loops, each running `operation` back to back. Only the
 * operations that finish inside the window count; those still running at its end are awaited (so
 * they do not spill into the next measurement) but not counted. `countMax` bounds a run on a fast
 * machine: the window then ends at that completion.
 */
export interface Throughput {
  count: number;
  seconds: number;
  perSecond: number;
}

export async function measureThroughput(
  concurrency: number,
  operation: (worker: number) => Promise<void>,
  options: { seconds: number; countMax: number },
): Promise<Throughput> {
  const start = performance.now();
  const deadline = start + options.seconds * 1000;
  let count = 0;
  let end = deadline;
  const loop = async (worker: number) => {
    while (performance.now() < deadline && count < options.countMax) {
      await operation(worker);
      const finished = performance.now();
      if (finished <= deadline && count < options.countMax) {
        count++;
        if (count === options.countMax) end = finished;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, (_, worker) => loop(worker)));
  const seconds = (end - start) / 1000;
  return { count, seconds, perSecond: count / seconds };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/**
 * The nearest-rank percentile: the least value with at least `p` % of the values at or below it
 * (the 95th of 100 values is the 95th smallest); NaN for no values.
 */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p * sorted.length) / 100) - 1)]!;
}

export function mean(values: readonly number[]): number {
  return values.reduce((sum, v) => sum + v, 0) / values.length;
}
