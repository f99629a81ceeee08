import { failureReporter, openCommandRuntime, processIo, type CommandIo } from '../cli/command-line.ts';
import { parseCommandLine } from '../cli/parse.ts';
import { OperatorInputError } from '../modules/contracts/service.ts';
import { revocationReasons } from '../modules/certificates/revoke.ts';
import { operatorOptions, plan, type Action } from './commands.ts';

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

Email one-time passwords (R5):
  otp-status                  List the contract's people: whether each needs an OTP address (may
                              finalise payments) and the confirmed one, masked (for the help desk).
      --contract ID

Hardware tokens (R6):
  token-import                Import the vendor's PSKC file (RFC 6030): all of it or nothing; the
                              secrets are sealed at once and the file is not kept (R6.2).
      --file F [--transport-key HEX | --password P]
  token-list                  List tokens: serial, state (unassigned, assigned, active, revoked,
                              expired), expiry, contract, the people who activated it.
      [--contract ID]
  token-assign                Assign an unassigned token to a contract (R6.2): three per contract
                              free, each further one and a reissue at TOKEN_FEE_YEN.
      --serial S --contract ID [--reason new|lost|broken|expired]
  token-test                  Test a code a customer reads out; an accepted code is spent (R6.8).
      --serial S --otp CODE
  token-resync                Store a drifting token's clock from two consecutive codes.
      --serial S --otp CODE --next-otp CODE
  token-lift-stop             Lift the stop of a person's token use after five wrong codes (R6.6):
                              the master's, when no other administrator of the contract can.
      --contract ID --user ID
  token-alone                 Where a transfer step would ask for the email one-time password and
                              the token, ask for the token alone (--on) or both (--off, default).
      --contract ID --on | --off

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
                              authenticator-app secret (TOTP, with its otpauth:// URI) once. The
                              member must replace the password at the first logon.
      --login ID              3–32 of a–z, 0–9, ".", "_", "-" (required)
      --name NAME             the member's name (required)
      --role ROLE             recorder (records change applications) or approver (also approves
                              others' applications) (required)
  staff-reset                 New initial password and authenticator secret (forgotten password, lost
                              phone); the old ones stop working, live sessions end, and the member
                              must replace the password again at the next logon.      --login ID
  staff-lift-stop             Lift the stop of a member after seven wrong secrets.     --login ID
  staff-disable               Disable a member who leaves; live sessions end at once.  --login ID
  staff-list                  List the members of staff.

Options for every command:
  --operator NAME             the operator's name for the audit trail (default: $USER)
  --json                      print one JSON object instead of text
  --help                      show this help

The embedded database (no DATABASE_URL) can be opened by one process at a time: stop the service first.`;

export async function operatorCommand(argv: string[], io: CommandIo): Promise<number> {
  const line = parseCommandLine(argv, operatorOptions, usage, io);
  if (typeof line === 'number') return line;
  const { command, values } = line;
  const fail = failureReporter(io, values.json);
  let action: Action;
  try {
    action = plan(command, values, values.operator ?? io.env.USER ?? 'operator');
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
    if (error instanceof OperatorInputError) return fail(error.message, 1, error.fields);
    throw error;
  } finally {
    await runtime.close();
  }
}

if (import.meta.main) process.exitCode = await operatorCommand(process.argv.slice(2), processIo);
