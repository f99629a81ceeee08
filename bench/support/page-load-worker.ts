import { parentPort, workerData } from 'node:worker_threads';
import autocannon from 'autocannon';
import type { LoadResult, LoadSpec } from './page-load.ts';

/** The worker thread of runLoad (./page-load.ts): one autocannon instance per session, run together. */
const spec = workerData as LoadSpec;
const cpuBefore = process.threadCpuUsage();
let wrongPages = 0;
let firstWrong: string | undefined;
const expectedOf = (path: string) => Object.entries(spec.expect).find(([prefix]) => path.startsWith(prefix))?.[1];

const runs = spec.sessions.map(
  (session) =>
    new Promise<autocannon.Result>((resolve, reject) => {
      autocannon(
        {
          url: spec.origin,
          connections: 1,
          duration: spec.seconds,
          headers: { cookie: session.cookie },
          tlsOptions: { ca: spec.ca },
          skipAggregateResult: true,
          requests: session.paths.map((path) => {
            const expected = expectedOf(path);
            return {
              method: 'GET' as const,
              path,
              onResponse: (status: number, body: string) => {
                if (status < 200 || status > 299 || expected === undefined || body.includes(expected)) return;
                wrongPages++;
                firstWrong ??= `${path}: ${body.slice(0, 300)}`;
              },
            };
          }),
        },
        (error, result) => (error ? reject(error) : resolve(result)),
      );
    }),
);
const results = await Promise.all(runs);
const cpu = process.threadCpuUsage(cpuBefore);
const all = autocannon.aggregateResult(results, { url: spec.origin, connections: spec.sessions.length });
const seconds = Math.max(...results.map((r) => r.duration));
const statusCounts = Object.fromEntries(Object.entries(all.statusCodeStats).map(([code, stat]) => [code, stat.count]));
const result: LoadResult = {
  requests: all['2xx'],
  seconds,
  perSecond: all['2xx'] / seconds,
  p50Ms: all.latency.p50,
  p99Ms: all.latency.p99,
  maxMs: all.latency.max,
  non2xx: all.non2xx,
  statusCounts,
  errors: all.errors,
  timeouts: all.timeouts,
  wrongPages,
  firstWrong,
  cpuSeconds: (cpu.user + cpu.system) / 1e6,
};
parentPort!.postMessage(result);
// Stay until the benchmark has sampled the threads' CPU, so this thread's is in the sample.
parentPort!.once('message', () => parentPort!.close());
