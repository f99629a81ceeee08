import { failureReporter, openCommandRuntime, processIo, type CommandIo } from './command-line.ts';
import { parseArgs } from 'node:util';
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
import { mayLift } from '../domain/lock-modes.ts';
import { writeGridCardFile } from './grid-card-print.ts';
import { CertificateActionRefused, revokePersonCertificate, setCertificateRequired } from '../modules/certificates/bank-actions.ts';
import { isRevocationReason, revocationReasons } from '../modules/certificates/revoke.ts';
import { addStaff, disableStaff, liftStaffStop, listStaff, resetStaffSecrets, type StaffCredentials } from './staff/accounts.ts';

/**
 * The bank operator's command line. Every command prints a readable
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
  lift-stop                   Lift a stop (R2.3): the master's, which also lifts the contract's
                              (and in a linked contract anyone's).
      --contract ID --user ID

Client certificates (R4):
  certificates-required       Switch a contract to client certificates (R4.2), or back. Switching on
                              ends the contract's sessions open without a certificate at once.
      --contract ID --on | --off
  certificate-revoke          Revoke a person's certificate at once (R4.5): the master's reissue on
                              the master's request, or anyone's on a report of loss or compromise.
                              The person acquires a new one with 電子証明書の取得・更新.
      --contract ID --user ID --reason ${revocationReasons.filter((r) => r !== 'superseded').join('|')}

Staff of the operator console (the bank's IT):
  staff-add                   Create a member of staff; prints the initial password and the
                              authenticator-app secret (TOTP, with its otpauth:// URI) once.
      --login ID              3–32 of a–z, 0–9, ".", "_", "-" (required)
      --name NAME             the member's name (required)
      --role ROLE             recorder (records change applications) or approver (also approves
                              others' applications) (required)
  staff-reset                 New initial password and authenticator secret (forgotten password, lost
                              phone); the old ones stop working, live sessions end.   --login ID
  staff-lift-stop             Lift the stop of a member after seven wrong secrets.     --login ID
  staff-disable               Disable a member who leaves; live sessions end at once.  --login ID
  staff-list                  List the members of staff.

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
        const contract = await deps.db.selectFrom('contract').select('lock_mode').where('id', '=', user.contract_id).executeTakeFirstOrThrow();
        // R2.3: the bank lifts a master's stop, and anyone's in a linked contract.
        if (!mayLift(contract.lock_mode, user.role, 'operator')) {
          throw new OperatorInputError("a user's stop in a contract that is not linked is lifted by the contract's master (R2.3); the operator lifts the master's, and anyone's when linked");
        }
        const { lifted } = await liftStop(deps, target);
        return {
          json: { contractId: target.contractId, userId: target.userId, lifted },
          text: lifted ? `Stop lifted for ${target.contractId}/${target.userId}.` : `${target.contractId}/${target.userId} was not stopped; nothing changed.`,
        };
      };
    }
    case 'certificates-required': {
      const contractId = need('contract');
      if (!isValidContractId(contractId)) throw new OperatorInputError('--contract must be an 11-digit contract ID with a valid check digit (R1.1)');
      if (Boolean(values.on) === Boolean(values.off)) throw new OperatorInputError('give exactly one of --on and --off');
      const required = values.on === true;
      return async (deps) => {
        const done = await bankAction(() => setCertificateRequired(deps, { contractId, required, by: { actor: `operator:${operator}` } }));
        const state = required ? 'on' : 'off';
        return {
          json: { contractId, certificateRequired: required, changed: done.changed, sessionsEnded: done.sessionsEnded },
          text: done.changed
            ? `Client certificates ${state} for ${contractId}${required ? `; ${done.sessionsEnded} session(s) without a certificate ended` : ''}. The master was notified.`
            : `Client certificates were ${state} already for ${contractId}; nothing changed.`,
        };
      };
    }
    case 'certificate-revoke': {
      const target = person();
      const reason = need('reason');
      if (!isRevocationReason(reason) || reason === 'superseded') {
        throw new OperatorInputError(`--reason must be one of ${revocationReasons.filter((r) => r !== 'superseded').join(', ')}`);
      }
      return async (deps) => {
        const revoked = await bankAction(() => revokePersonCertificate(deps, { contractId: target.contractId, userId: target.userId, reason, by: { actor: `operator:${operator}` } }));
        return {
          json: { contractId: target.contractId, userId: target.userId, reason, revokedSerial: revoked.serialHex },
          text: `Certificate ${revoked.serialHex} of ${target.contractId}/${target.userId} revoked (${reason}); sessions opened with it ended. The person and the master were notified.`,
        };
      };
    }
    case 'staff-add': {
      const input = { login: need('login'), name: need('name'), role: need('role'), operator };
      return async (deps) => staffPrinted(await addStaff(deps, input), 'created');
    }
    case 'staff-reset': {
      const login = need('login');
      return async (deps) => staffPrinted(await resetStaffSecrets(deps, { login, operator }), 'given new secrets');
    }
    case 'staff-lift-stop': {
      const login = need('login');
      return async (deps) => {
        const { lifted } = await liftStaffStop(deps, { login, operator });
        return { json: { login, lifted }, text: lifted ? `Stop lifted for staff member ${login}.` : `Staff member ${login} was not stopped; nothing changed.` };
      };
    }
    case 'staff-disable': {
      const login = need('login');
      return async (deps) => {
        const { disabled } = await disableStaff(deps, { login, operator });
        return { json: { login, disabled }, text: disabled ? `Staff member ${login} disabled.` : `Staff member ${login} was disabled already.` };
      };
    }
    case 'staff-list':
      return async (deps) => {
        const staff = await listStaff(deps);
        const state = (m: (typeof staff)[number]) => (m.disabled_at ? 'disabled' : m.stopped_at ? 'stopped' : 'active');
        return {
          json: { staff: staff.map((m) => ({ login: m.login_id, name: m.display_name, role: m.role, state: state(m) })) },
          text: staff.length === 0 ? 'No staff members.' : staff.map((m) => `${m.login_id.padEnd(20)} ${m.role.padEnd(9)} ${state(m).padEnd(9)} ${m.display_name}`).join('\n'),
        };
      };
    default:
      throw new OperatorInputError(`unknown command "${command}"; see --help`);
  }
}

/** A refusal of the certificates use cases is reported as the operator's input error it is. */
async function bankAction<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof CertificateActionRefused) throw new OperatorInputError(error.message);
    throw error;
  }
}

/** A member's secrets are printed this once; the bank's IT hands them over in person. */
function staffPrinted(credentials: StaffCredentials, what: string): Printed {
  return {
    json: { ...credentials },
    text: [
      `Staff member ${credentials.login} (${credentials.name}, ${credentials.role}) ${what}.`,
      `Initial password:      ${credentials.initialPassword}`,
      `Authenticator secret:  ${credentials.totpSecret}`,
      `Authenticator URI:     ${credentials.totpUri}`,
      'Shown once: hand these to the member in person. They are not stored in clear anywhere.',
    ].join('\n'),
  };
}

export async function operatorCommand(argv: string[], io: CommandIo): Promise<number> {
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
        login: { type: 'string' },
        name: { type: 'string' },
        role: { type: 'string' },
        on: { type: 'boolean' },
        off: { type: 'boolean' },
        reason: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean' },
      },
    });
  } catch (error) {
    io.stderr(`${(error as Error).message}\n\n${usage}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help || positionals.length === 0) {
    io.stdout(`${usage}\n`);
    return values.help ? 0 : 2;
  }
  const fail = failureReporter(io, values.json);
  let action: Action;
  try {
    action = plan(positionals[0]!, values, values.operator ?? io.env.USER ?? 'operator');
  } catch (error) {
    if (error instanceof OperatorInputError) return fail(error.message, 1);
    throw error;
  }
  const runtime = await openCommandRuntime(io, 'the operator CLI', fail);
  if (typeof runtime === 'number') return runtime;
  try {
    const printed = await action(runtime.deps);
    io.stdout(values.json ? `${JSON.stringify(printed.json)}\n` : `${printed.text}\n`);
    return 0;
  } catch (error) {
    if (error instanceof OperatorInputError) return fail(error.message, 1);
    throw error;
  } finally {
    await runtime.close();
  }
}

if (import.meta.main) process.exitCode = await operatorCommand(process.argv.slice(2), processIo);
