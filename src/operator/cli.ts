import { parseArgs } from 'node:util';
import { ConfigError, parseConfig } from '../config.ts';
import { openRuntime } from '../runtime.ts';
import { DataDirBusyError } from '../platform/data-dir-lock.ts';
import type { Deps } from '../deps.ts';
import {
  OperatorInputError,
  findPerson,
  issueGridCard,
  issueRegistrationPassword,
  liftStop,
  onboardContract,
} from '../modules/contracts/service.ts';
import { isValidContractId } from '../domain/contract-id.ts';
import { writeGridCardFile } from './grid-card-print.ts';

/**
 * The bank operator's command line (foundation issue, item 2). Every command prints a readable
 * summary, or with --json one JSON object for scripts. Secrets it hands out (registration passwords,
 * card files) are shown once and are to be passed to the customer by the bank's own channels.
 */
const usage = `Usage: npm run operator -- <command> [options]

Commands:
  onboard                     Create a contract with its master user (R1.3), a registration password
                              and the master's grid card (R3.3).
      --company NAME          company name (required)
      --master-user ID        master's user ID, 1–30 half-width letters and digits (required)
      --master-name NAME      master's name (default: the user ID)
      --master-email ADDRESS  master's email address (optional; the master registers one at first logon)
      --lock-mode MODE        unlinked (default) or linked (R2.3)
  issue-card                  Issue a new grid card; the person's previous card stops working at once (R3.3).
      --contract ID --user ID
  new-registration-password   Issue a new one-time registration password (R2.5); the person's
                              passwords stop working and they set new ones at the next logon.
      --contract ID --user ID
  lift-stop                   Lift a stop (R2.3): the master's, which also lifts the contract's.
      --contract ID --user ID

Options for every command:
  --operator NAME             the operator's name for the audit trail (default: $USER)
  --json                      print one JSON object instead of text
  --help                      show this help

The embedded database (no DATABASE_URL) can be opened by one process at a time: stop the service first.`;

interface Printed {
  text: string;
  json: Record<string, unknown>;
}

type Action = (deps: Deps) => Promise<Printed>;

/**
 * Checks the command and its options before anything is opened, so a mistake is reported as such
 * (and not as "database busy"), then returns the action to run.
 */
function plan(command: string, values: Record<string, string | boolean | undefined>, operator: string): Action {
  const need = (name: string): string => {
    const value = values[name];
    if (typeof value !== 'string' || value.trim() === '') throw new OperatorInputError(`--${name} is required`);
    return value.trim();
  };
  const person = () => {
    const contractId = need('contract');
    if (!isValidContractId(contractId)) throw new OperatorInputError('--contract must be an 11-digit contract ID with a valid check digit (R1.1)');
    return { contractId, userId: need('user'), operator };
  };
  const holderOf = async (deps: Deps, contractId: string, userId: string) => {
    const contract = await deps.db.selectFrom('contract').select('company_name').where('id', '=', contractId).executeTakeFirstOrThrow();
    return { bankName: deps.config.bankName, companyName: contract.company_name, contractId, userId };
  };

  switch (command) {
    case 'onboard': {
      const lockMode = (values['lock-mode'] as string | undefined) ?? 'unlinked';
      if (lockMode !== 'unlinked' && lockMode !== 'linked') throw new OperatorInputError('--lock-mode must be unlinked or linked');
      const input = {
        companyName: need('company'),
        masterUserId: need('master-user'),
        masterName: (values['master-name'] as string | undefined) ?? '',
        masterEmail: values['master-email'] as string | undefined,
        lockMode,
        operator,
      } as const;
      return async (deps) => {
        const result = await onboardContract(deps, input);
        const cardFile = writeGridCardFile(deps.config.dataDir, result.card, await holderOf(deps, result.contractId, result.masterUserId));
        return {
          json: {
            contractId: result.contractId,
            companyName: result.companyName,
            lockMode: result.lockMode,
            masterUserId: result.masterUserId,
            registrationPassword: result.registrationPassword,
            registrationPasswordExpiresAt: result.registrationPasswordExpiresAt.toISOString(),
            gridCardSerial: result.card.serial,
            gridCardFile: cardFile,
          },
          text: [
            `Contract created: ${result.contractId} (${result.companyName}, lock mode ${result.lockMode})`,
            `Master user ID:          ${result.masterUserId}`,
            `Registration password:   ${result.registrationPassword}  (one-time, expires ${result.registrationPasswordExpiresAt.toISOString()})`,
            `Grid card ${result.card.serial}:  ${cardFile}`,
          ].join('\n'),
        };
      };
    }
    case 'issue-card': {
      const target = person();
      return async (deps) => {
        const card = await issueGridCard(deps, target);
        const cardFile = writeGridCardFile(deps.config.dataDir, card, await holderOf(deps, target.contractId, target.userId));
        return {
          json: { contractId: target.contractId, userId: target.userId, gridCardSerial: card.serial, expiresAt: card.expiresAt.toISOString(), gridCardFile: cardFile },
          text: `New grid card ${card.serial} for ${target.contractId}/${target.userId} (previous card invalidated): ${cardFile}`,
        };
      };
    }
    case 'new-registration-password': {
      const target = person();
      return async (deps) => {
        const issued = await issueRegistrationPassword(deps, target);
        return {
          json: { contractId: target.contractId, userId: target.userId, registrationPassword: issued.registrationPassword, expiresAt: issued.expiresAt.toISOString() },
          text: `Registration password for ${target.contractId}/${target.userId}: ${issued.registrationPassword}  (one-time, expires ${issued.expiresAt.toISOString()})`,
        };
      };
    }
    case 'lift-stop': {
      const target = person();
      return async (deps) => {
        const user = await findPerson(deps, target.contractId, target.userId);
        if (user.role !== 'master') throw new OperatorInputError("a user's stop is lifted by the contract's master (R2.3); the operator lifts the master's");
        const { lifted } = await liftStop(deps, target);
        return {
          json: { contractId: target.contractId, userId: target.userId, lifted },
          text: lifted ? `Stop lifted for ${target.contractId}/${target.userId}.` : `${target.contractId}/${target.userId} was not stopped; nothing changed.`,
        };
      };
    }
    default:
      throw new OperatorInputError(`unknown command "${command}"; see --help`);
  }
}

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        company: { type: 'string' },
        'master-user': { type: 'string' },
        'master-name': { type: 'string' },
        'master-email': { type: 'string' },
        'lock-mode': { type: 'string' },
        contract: { type: 'string' },
        user: { type: 'string' },
        operator: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean' },
      },
    });
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${usage}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help || positionals.length === 0) {
    process.stdout.write(`${usage}\n`);
    return values.help ? 0 : 2;
  }
  const fail = (message: string, code: number) => {
    if (values.json) process.stdout.write(`${JSON.stringify({ error: message })}\n`);
    else process.stderr.write(`error: ${message}\n`);
    return code;
  };
  let action: Action;
  try {
    action = plan(positionals[0]!, values, values.operator ?? process.env.USER ?? 'operator');
  } catch (error) {
    if (error instanceof OperatorInputError) return fail(error.message, 1);
    throw error;
  }
  let runtime;
  try {
    runtime = await openRuntime(parseConfig(process.env), 'the operator CLI');
  } catch (error) {
    if (error instanceof ConfigError || error instanceof DataDirBusyError) return fail(error.message, 2);
    throw error;
  }
  try {
    const printed = await action(runtime.deps);
    process.stdout.write(values.json ? `${JSON.stringify(printed.json)}\n` : `${printed.text}\n`);
    return 0;
  } catch (error) {
    if (error instanceof OperatorInputError) return fail(error.message, 1);
    throw error;
  } finally {
    await runtime.close();
  }
}

process.exitCode = await main(process.argv.slice(2));
