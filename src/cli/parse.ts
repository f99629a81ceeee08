import { parseArgs } from 'node:util';
import type { CommandIo } from './command-line.ts';

/** The options a tool takes besides the two every tool takes: each a text or a flag. */
export type OptionTable = Record<string, { type: 'string' | 'boolean' }>;

const everyToolsOptions = {
  json: { type: 'boolean' },
  help: { type: 'boolean' },
} as const satisfies OptionTable;

/** Each option as given: the text of a string option, true for a flag, absent when not given. */
export type OptionValues<Options extends OptionTable> = {
  [Name in keyof Options]?: Options[Name]['type'] extends 'string' ? string : boolean;
};

export interface CommandLine<Options extends OptionTable> {
  command: string;
  /** What follows the command that is not an option, such as a file to read. */
  operands: string[];
  values: OptionValues<Options & typeof everyToolsOptions>;
}

/**
 * Reads a tool's command line the way every tool of the bank does, so that they answer a mistake
 * alike: an option the tool does not take prints the problem and the usage (exit 2), no command
 * prints the usage (exit 2), and --help prints it as asked (exit 0). A number returned is the exit
 * code the tool ends with; anything else is left to the command.
 */
export function parseCommandLine<const Options extends OptionTable>(
  argv: string[],
  options: Options,
  usage: string,
  io: CommandIo,
): CommandLine<Options> | number {
  const table: OptionTable = { ...options, ...everyToolsOptions };
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: table });
  } catch (error) {
    io.stderr(`${(error as Error).message}\n\n${usage}\n`);
    return 2;
  }
  const [command, ...operands] = parsed.positionals;
  if (parsed.values.help || command === undefined) {
    io.stdout(`${usage}\n`);
    return parsed.values.help ? 0 : 2;
  }
  return { command, operands, values: parsed.values as CommandLine<Options>['values'] };
}
