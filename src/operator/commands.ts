import type { OptionTable, OptionValues } from '../cli/parse.ts';
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
import { otpAddressStandings } from '../access/email-otp/otp-address.ts';
import { tokenCommands } from './token-commands.ts';
import { addStaff, disableStaff, liftStaffStop, listStaff, resetStaffSecrets, type StaffCredentials } from './staff/accounts.ts';
import { staffPasswordChangeDue } from './staff/password.ts';

/** What a command prints: the readable summary, and the one JSON object printed instead with --json. */
export interface Printed {
  text: string;
  json: Record<string, unknown>;
}

/** A command whose options were found sound; it runs once the database is open. */
export type Action = (deps: Deps) => Promise<Printed>;

/** The options of all the commands; the usage in cli.ts says which command takes which. */
export const operatorOptions = {
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
  file: { type: 'string' },
  'transport-key': { type: 'string' },
  password: { type: 'string' },
  serial: { type: 'string' },
  otp: { type: 'string' },
  'next-otp': { type: 'string' },
} as const satisfies OptionTable;

type Options = OptionValues<typeof operatorOptions>;

/** The person a command acts on, and who acts, as the contracts use cases take them. */
interface Person {
  contractId: string;
  userId: string;
  operator: string;
}

/**
 * What a command reads its options through. A missing or malformed option throws
 * OperatorInputError, so the mistake is reported before the database is opened (and not as
 * "database busy").
 */
interface CommandInput {
  values: Options;
  operator: string;
  need(name: keyof Options): string;
  contract(): string;
  person(): Person;
}

function commandInput(values: Options, operator: string): CommandInput {
  const need = (name: keyof Options): string => {
    const value = values[name];
    if (typeof value !== 'string' || value.trim() === '') throw new OperatorInputError(`--${name} is required`);
    return value.trim();
  };
  const contract = (): string => {
    const contractId = need('contract');
    if (!isValidContractId(contractId)) throw new OperatorInputError('--contract must be an 11-digit contract ID with a valid check digit (R1.1)');
    return contractId;
  };
  const person = (): Person => ({ contractId: contract(), userId: need('user'), operator });
  return { values, operator, need, contract, person };
}

/** Checks a command's options and returns what it does; see the usage in cli.ts for each. */
type PlanCommand = (input: CommandInput) => Action;

/** The operator's commands by name; each also has its options above and its lines in the usage. */
const operatorCommands: Record<string, PlanCommand> = {
  onboard: ({ values, operator, need }) => {
    const lockMode = values['lock-mode'] ?? 'unlinked';
    if (lockMode !== 'unlinked' && lockMode !== 'linked') throw new OperatorInputError('--lock-mode must be unlinked or linked');
    const input = {
      companyName: need('company'),
      masterUserId: need('master-user'),
      masterName: values['master-name'] ?? '',
      masterEmail: values['master-email'],
      lockMode,
      operator,
    } as const;
    return async (deps) => {
      const result = await onboardContract(deps, input);
      const cardFile = writeGridCardFile(deps.config.dataDir, result.card, await cardHolder(deps, result.contractId, result.masterUserId));
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
  },

  'issue-card': ({ person }) => {
    const target = person();
    return async (deps) => {
      const card = await issueGridCard(deps, target);
      const cardFile = writeGridCardFile(deps.config.dataDir, card, await cardHolder(deps, target.contractId, target.userId));
      return {
        json: { contractId: target.contractId, userId: target.userId, gridCardSerial: card.serial, expiresAt: card.expiresAt.toISOString(), gridCardFile: cardFile },
        text: `New grid card ${card.serial} for ${target.contractId}/${target.userId} (previous card invalidated): ${cardFile}`,
      };
    };
  },

  'new-registration-password': ({ person }) => {
    const target = person();
    return async (deps) => {
      const issued = await issueRegistrationPassword(deps, target);
      return {
        json: { contractId: target.contractId, userId: target.userId, registrationPassword: issued.registrationPassword, expiresAt: issued.expiresAt.toISOString() },
        text: `Registration password for ${target.contractId}/${target.userId}: ${issued.registrationPassword}  (one-time, expires ${issued.expiresAt.toISOString()})`,
      };
    };
  },

  'lift-stop': ({ person }) => {
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
  },

  'certificates-required': ({ values, operator, contract }) => {
    const contractId = contract();
    if (Boolean(values.on) === Boolean(values.off)) throw new OperatorInputError('give exactly one of --on and --off');
    const required = values.on === true;
    return async (deps) => {
      const done = await bankAction(() => setCertificateRequired(deps, { contractId, required, by: { actor: `operator:${operator}` } }));
      const state = required ? 'on' : 'off';
      return {
        json: { contractId, certificateRequired: required, changed: done.changed, sessionsEnded: done.sessionsEnded },
        text: done.changed
          ? `Client certificates ${state} for ${contractId}${required ? `; ${done.sessionsEnded} session(s) without a certificate ended` : ''}. Every person of the contract with an address was notified.`
          : `Client certificates were ${state} already for ${contractId}; nothing changed.`,
      };
    };
  },

  // R5.1: for the help desk, who of a contract needs an OTP address and whether it is confirmed.
  'otp-status': ({ contract }) => {
    const contractId = contract();
    return async (deps) => {
      const found = await deps.db.selectFrom('contract').select('id').where('id', '=', contractId).executeTakeFirst();
      if (!found) throw new OperatorInputError(`no contract ${contractId}`);
      const people = await otpAddressStandings(deps.db, contractId);
      const line = (p: (typeof people)[number]) =>
        `  ${p.userId.padEnd(16)} ${p.role.padEnd(6)} ${(p.needed ? 'needed' : 'not needed').padEnd(10)} ${p.confirmedMasked ?? (p.needed ? 'MISSING' : '-')}`;
      return {
        json: {
          contractId,
          people: people.map((p) => ({
            userId: p.userId,
            name: p.displayName,
            role: p.role,
            needsOtpAddress: p.needed,
            otpAddressConfirmed: p.confirmedMasked !== undefined,
            otpAddress: p.confirmedMasked ?? null,
            confirmedAt: p.confirmedAt?.toISOString() ?? null,
          })),
        },
        text: [`OTP addresses of contract ${contractId} (R5.1):`, ...people.map(line)].join('\n'),
      };
    };
  },

  'certificate-revoke': ({ operator, need, person }) => {
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
  },

  'staff-add': ({ operator, need }) => {
    const input = { login: need('login'), name: need('name'), role: need('role'), operator };
    return async (deps) => staffPrinted(await addStaff(deps, input), 'created');
  },

  'staff-reset': ({ operator, need }) => {
    const login = need('login');
    return async (deps) => staffPrinted(await resetStaffSecrets(deps, { login, operator }), 'given new secrets');
  },

  'staff-lift-stop': ({ operator, need }) => {
    const login = need('login');
    return async (deps) => {
      const { lifted } = await liftStaffStop(deps, { login, operator });
      return { json: { login, lifted }, text: lifted ? `Stop lifted for staff member ${login}.` : `Staff member ${login} was not stopped; nothing changed.` };
    };
  },

  'staff-disable': ({ operator, need }) => {
    const login = need('login');
    return async (deps) => {
      const { disabled } = await disableStaff(deps, { login, operator });
      return { json: { login, disabled }, text: disabled ? `Staff member ${login} disabled.` : `Staff member ${login} was disabled already.` };
    };
  },

  'staff-list': () => async (deps) => {
    const staff = await listStaff(deps);
    const state = (m: (typeof staff)[number]) => (m.disabled_at ? 'disabled' : m.stopped_at ? 'stopped' : 'active');
    // Who has not yet replaced the password IT issued (their next logon leads only to the change).
    const due = staffPasswordChangeDue;
    return {
      json: { staff: staff.map((m) => ({ login: m.login_id, name: m.display_name, role: m.role, state: state(m), passwordChangeDue: due(m) })) },
      text:
        staff.length === 0
          ? 'No staff members.'
          : staff.map((m) => `${m.login_id.padEnd(20)} ${m.role.padEnd(9)} ${state(m).padEnd(9)} ${m.display_name}${due(m) ? '   (password from IT still in force)' : ''}`).join('\n'),
    };
  },

  ...tokenCommands,
};

/** Checks the command and its options, before anything is opened, and returns what it does. */
export function plan(command: string, values: Options, operator: string): Action {
  // Own entries only: "toString" and the like are no commands.
  const planCommand = Object.hasOwn(operatorCommands, command) ? operatorCommands[command] : undefined;
  if (!planCommand) throw new OperatorInputError(`unknown command "${command}"; see --help`);
  return planCommand(commandInput(values, operator));
}

/** Whose card it is, as printed on it. */
async function cardHolder(deps: Deps, contractId: string, userId: string) {
  const contract = await deps.db.selectFrom('contract').select('company_name').where('id', '=', contractId).executeTakeFirstOrThrow();
  return { bankName: deps.config.bankName, companyName: contract.company_name, contractId, userId };
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
      `Initial password:      ${credentials.initialPassword}   (the member replaces it at the first logon)`,
      `Authenticator secret:  ${credentials.totpSecret}`,
      `Authenticator URI:     ${credentials.totpUri}`,
      'Shown once: hand these to the member in person. They are not stored in clear anywhere.',
    ].join('\n'),
  };
}
