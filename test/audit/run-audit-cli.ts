import { runCommandHere, runCommandProcess, type CliRun, type CliTarget } from '../helpers/run-command.ts';

/** The audit CLI run in this process (see `runCommandHere`). */
export function runAuditCli(target: CliTarget, args: string[]): Promise<CliRun> {
  return runCommandHere('audit', target, args, 'audit-cli-test');
}

/** The audit CLI run as the bank's operator runs it, in a process of its own. */
export function runAuditCliProcess(target: CliTarget, args: string[]): Promise<CliRun> {
  return runCommandProcess('audit', target, args, 'audit-cli-test');
}
