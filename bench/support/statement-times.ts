/**
 * Round-trip time per statement text, gathered into the bucket that is open (an operation at a
 * size), so that a benchmark can say which statement grew when an operation did. Fed by the query
 * hook of openTimedDatabase (./timed-database.ts).
 */
export interface StatementTime {
  count: number;
  ms: number;
}

export class StatementTimes {
  readonly #buckets = new Map<string, Map<string, StatementTime>>();
  #open: Map<string, StatementTime> | undefined;

  /** Statements heard from now on count in `bucket`, until `close()`. */
  open(bucket: string): void {
    // A bucket opened again (a later round of the same operation) goes on counting.
    this.#open = this.#buckets.get(bucket) ?? new Map();
    this.#buckets.set(bucket, this.#open);
  }

  close(): void {
    this.#open = undefined;
  }

  hear(text: string, ms: number): void {
    if (!this.#open) return;
    const key = text.replace(/\s+/g, ' ').trim();
    const entry = this.#open.get(key) ?? { count: 0, ms: 0 };
    entry.count++;
    entry.ms += ms;
    this.#open.set(key, entry);
  }

  bucket(name: string): ReadonlyMap<string, StatementTime> {
    return this.#buckets.get(name) ?? new Map();
  }
}

/**
 * The statements whose milliseconds per operation grew most from one bucket to another, with
 * their statements per operation and mean round trip on each side.
 */
export function grownStatements(before: ReadonlyMap<string, StatementTime>, after: ReadonlyMap<string, StatementTime>, operationsBefore: number, operationsAfter: number, top: number) {
  const texts = new Set([...before.keys(), ...after.keys()]);
  return [...texts]
    .map((text) => {
      const b = before.get(text) ?? { count: 0, ms: 0 };
      const a = after.get(text) ?? { count: 0, ms: 0 };
      return {
        text,
        perOperation: a.count / operationsAfter,
        meanMsBefore: b.count > 0 ? b.ms / b.count : 0,
        meanMsAfter: a.count > 0 ? a.ms / a.count : 0,
        grownMsPerOperation: a.ms / operationsAfter - b.ms / operationsBefore,
      };
    })
    .sort((x, y) => y.grownMsPerOperation - x.grownMsPerOperation)
    .slice(0, top);
}
