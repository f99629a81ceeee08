import { failureReporter, openCommandRuntime, processIo, type CommandIo } from '../../cli/command-line.ts';
import { parseCommandLine } from '../../cli/parse.ts';
import { formatYen } from '../../domain/money.ts';
import { verifyLedger, type LedgerFigures } from './verify.ts';

/**
 * The ledger for the bank's operators (R8.6): `verify` reconciles every balance with the
 * immutable postings and the postings with the transfers.
 */
const usage = `Usage: npm run -s ledger -- <command> [options]

Commands:
  verify        Check the double-entry ledger: every journal entry has postings that sum to zero;
                every ledger account's balance equals the sum of its postings, and each posting's
                balance-after follows from the ones before; no customer balance is below zero; all
                balances sum to zero; every completed transfer is posted exactly once and never
                reversed, a failed one is either not posted or reversed exactly once, and no other
                transfer is posted. Exit status 0 when all holds, 1 when a problem is found (each
                is listed).

Options:
  --json        print one JSON object instead of text
  --help        show this help

The embedded database (no DATABASE_URL) can be opened by one process at a time: stop the service
first. On PostgreSQL verify runs alongside the service and reads one consistent snapshot.`;

function figuresText(f: LedgerFigures): string {
  return [
    `  ${f.ledgerAccounts} ledger account(s), ${f.entries} journal entr(ies), ${f.postings} posting(s)`,
    `  transfers: ${f.transfersCompleted} completed, ${f.transfersFailed} failed`,
    `  balances (yen): customers ${formatYen(f.customerBalancesYen)}, clearing ${formatYen(f.clearingBalanceYen)}, fee income ${formatYen(f.feeIncomeBalanceYen)}, cash ${formatYen(f.cashBalanceYen)}; total ${formatYen(f.totalYen)}`,
  ].join('\n');
}

function figuresJson(f: LedgerFigures): Record<string, unknown> {
  // Yen stay exact: bigint as decimal text.
  return Object.fromEntries(Object.entries(f).map(([name, value]) => [name, typeof value === 'bigint' ? value.toString() : value]));
}

export async function ledgerCommand(argv: string[], io: CommandIo): Promise<number> {
  const line = parseCommandLine(argv, {}, usage, io);
  if (typeof line === 'number') return line;
  const { command, operands, values } = line;
  const fail = failureReporter(io, values.json);
  if (command !== 'verify') return fail(`unknown command "${command}"; see --help`, 2);
  if (operands.length > 0) return fail(`unexpected argument "${operands[0]}"`, 2);

  const runtime = await openCommandRuntime(io, 'the ledger CLI', fail);
  if (typeof runtime === 'number') return runtime;
  try {
    const result = await verifyLedger(runtime.deps.db);
    if (values.json) {
      io.stdout(`${JSON.stringify({ ok: result.ok, problems: result.problems, figures: figuresJson(result.figures) })}\n`);
    } else if (result.ok) {
      io.stdout(`Ledger balanced and consistent with the transfers.\n${figuresText(result.figures)}\n`);
    } else {
      io.stdout(
        `Ledger NOT consistent: ${result.problems.length} problem(s).\n${result.problems.map((p) => `  ${p}`).join('\n')}\n${figuresText(result.figures)}\n`,
      );
    }
    return result.ok ? 0 : 1;
  } finally {
    await runtime.close();
  }
}

if (import.meta.main) process.exitCode = await ledgerCommand(process.argv.slice(2), processIo);
