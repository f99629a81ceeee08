/**
 * Ctrl-C (SIGINT) or a stop (SIGTERM) during a benchmark still cleans up after it: `cleanUp` stops
 * what the benchmark started and drops its databases, then the process exits with the status of
 * one ended by that signal (130, 143). A second Ctrl-C ends it at once.
 *
 * Returns the clean-up, run at most once, for the benchmark's own end: after a signal the end waits
 * for the same work rather than starting it again (a run interrupted mid-statement fails, and its
 * `finally` would otherwise drop a database being dropped).
 */
export function cleanUpOnSignal(doing: string, cleanUp: () => Promise<void>): () => Promise<void> {
  let cleaning: Promise<void> | undefined;
  const once = () => (cleaning ??= cleanUp());
  for (const [signal, status] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    process.once(signal, () => {
      process.stdout.write(`\n${signal}: ${doing}\n`);
      // Straight on the clean-up's promise, so the exit comes before the interrupted run's own
      // failure, which waits on the same promise, can end the process with another status.
      once().then(
        () => process.exit(status),
        (error: unknown) => {
          process.stdout.write(`the clean-up failed: ${String(error)}\n`);
          process.exit(status);
        },
      );
    });
  }
  return once;
}
