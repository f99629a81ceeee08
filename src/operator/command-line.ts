import { ConfigError, parseConfig } from '../config.ts';
import { DataDirBusyError } from '../platform/data-dir-lock.ts';
import { openRuntime } from '../runtime.ts';

/** How the bank's command-line tools (operator, audit) report a failure: JSON on stdout with --json. */
export type Fail = (message: string, code: number) => number;

export function failureReporter(json: boolean | undefined): Fail {
  return (message, code) => {
    if (json) process.stdout.write(`${JSON.stringify({ error: message })}\n`);
    else process.stderr.write(`error: ${message}\n`);
    return code;
  };
}

/**
 * Opens the database for a command-line tool; a bad configuration or a busy embedded database is
 * reported (exit 2) rather than thrown.
 */
export async function openCommandRuntime(holder: string, fail: Fail): Promise<Awaited<ReturnType<typeof openRuntime>> | number> {
  try {
    return await openRuntime(parseConfig(process.env), holder);
  } catch (error) {
    if (error instanceof ConfigError || error instanceof DataDirBusyError) return fail(error.message, 2);
    throw error;
  }
}
