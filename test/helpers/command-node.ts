import { readFileSync } from 'node:fs';

/**
 * How the bank's commands are started: package.json's scripts run them with `node --liftoff-only`
 * (docs/benchmarks.md: a command lives a second or two, too short for V8's optimising compiler to
 * pay back its work on the embedded database's WebAssembly). Tests that start a command as a
 * process of its own take the flags from there, so they start it exactly as the bank does.
 */
export function commandNodeArgs(script: 'operator' | 'audit' | 'ledger'): string[] {
  const scripts = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).scripts as Record<string, string>;
  const [node, ...args] = scripts[script]!.split(' ');
  if (node !== 'node') throw new Error(`package.json's ${script} script does not start with node`);
  return args;
}
