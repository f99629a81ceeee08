import { resolve } from 'node:path';

/**
 * A node:test reporter that writes, at the end of a run, one JSON object: each test file's time
 * (from the runner starting its process to the file's end) with its count of top-level tests, and
 * the run's counts. `npm test` reads it to print the slowest files and the total after the
 * standard summary of each leg.
 */
interface TestEvent {
  type: string;
  data: { file?: string; nesting?: number; name?: string; counts?: Record<string, number> };
}

export default async function* timingsReporter(source: AsyncIterable<TestEvent>): AsyncGenerator<string> {
  const files = new Map<string, { started: number; seconds: number; tests: number }>();
  let counts: Record<string, number> | undefined;
  for await (const { type, data } of source) {
    if (type === 'test:summary' && data.file === undefined) counts = data.counts;
    if (!data.file || data.nesting !== 0) continue;
    // The runner reports each file as a test named by its path, dequeued when its process starts.
    const entry = files.get(data.file) ?? { started: performance.now(), seconds: 0, tests: 0 };
    files.set(data.file, entry);
    const isFile = data.name !== undefined && resolve(data.name) === resolve(data.file);
    if (isFile && type === 'test:dequeue') entry.started = performance.now();
    if (isFile && type === 'test:complete') entry.seconds = (performance.now() - entry.started) / 1000;
    if (!isFile && (type === 'test:pass' || type === 'test:fail')) entry.tests++;
  }
  yield `${JSON.stringify({ counts, files: [...files].map(([file, entry]) => ({ file, ...entry })) })}\n`;
}
