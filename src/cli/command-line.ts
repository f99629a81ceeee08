import { ConfigError, parseConfig } from '../config.ts';
import { DataDirError } from '../platform/data-dir.ts';
import { openRuntime } from '../runtime.ts';

/**
 * What a command-line tool (operator, audit, ledger) reads its configuration from and writes to.
 * The process's own when the bank runs it; a test hands its own so that it can run a command many
 * times in its process, with the configuration it chooses and the output captured.
 */
export interface CommandIo {
  env: NodeJS.ProcessEnv;
  stdout(text: string): void;
  stderr(text: string): void;
}

export const processIo: CommandIo = {
  env: process.env,
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

/** How the bank's command-line tools report a failure: JSON on stdout with --json. */
export type Fail = (message: string, code: number, fields?: Record<string, string>) => number;

export function failureReporter(io: CommandIo, json: boolean | undefined): Fail {
  return (message, code, fields = {}) => {
    if (json) io.stdout(`${JSON.stringify({ error: message, ...fields })}\n`);
    else io.stderr(`error: ${message}\n`);
    return code;
  };
}

/**
 * Opens the database for a command-line tool; a bad configuration, or an embedded database that is
 * busy or whose folder cannot be used (read-only, full), is reported (exit 2) rather than thrown.
 */
export async function openCommandRuntime(io: CommandIo, holder: string, fail: Fail): Promise<Awaited<ReturnType<typeof openRuntime>> | number> {
  try {
    return await openRuntime(parseConfig(io.env), holder);
  } catch (error) {
    if (error instanceof ConfigError || error instanceof DataDirError) return fail(error.message, 2);
    throw error;
  }
}
