import { failureReporter, openCommandRuntime, processIo, type CommandIo } from '../cli/command-line.ts';
import { parseCommandLine } from '../cli/parse.ts';
import { readFileSync, writeFileSync } from 'node:fs';
import { isValidContractId } from '../domain/contract-id.ts';
import type { Deps } from '../deps.ts';
import type { ChainProblem } from './chain-walk.ts';
import { noContractChain } from './chain.ts';
import { verifyAuditChain } from './verify.ts';
import { compareWithStoredChain, exportAuditTrail, recordTrailExport, verifyExportedRows } from './export.ts';
import { auditRowsFromCsv, auditRowsFromJson, auditRowsToCsv, auditRowsToJson, ExportFormatError, type AuditExportRow } from './export-format.ts';
import { periodOfDays } from './period.ts';

/**
 * The audit trail as evidence (R9.1), for the bank's operators: check that no record was altered,
 * removed or moved, and take a contract's trail for a period out as CSV or JSON.
 */
const usage = `Usage: npm run -s audit -- <command> [options]

Commands:
  verify                      Check every chain of the audit trail: each record's hash, its link to
                              the record before, numbering from 1 without gaps, and the chain head.
                              Exit status 0 when intact, 1 when a problem is found (each is listed).
      --chain ID              only this contract's chain ("-" for records of no contract)
  export                      Write a contract's trail for a period to standard output (or --output).
      --contract ID           the contract (required)
      --from YYYY-MM-DD       first day, Japan time (required)
      --to YYYY-MM-DD         last day, Japan time, included (required)
      --format csv|json       csv (default): RFC 4180, a header row, times in UTC and Japan time;
                              every row carries seq, prev_hash, hash, link_scheme and content_hash
                              so the file can be checked (older files without the last two still are)
      --output FILE           write to a new file (not overwritten) instead of standard output
      --bom                   start the CSV with a byte order mark, for spreadsheet programs
      --operator NAME         who takes the export, for the audit trail (default: $USER)
  verify-export FILE          Check an exported CSV or JSON file: hashes, links and numbering inside it.
      --with-database         also check each record against the stored chain

Options for every command:
  --json                      print one JSON object instead of text (verify, verify-export)
  --help                      show this help

Use "npm run -s" (silent) so that npm's own banner stays out of an exported file.
The embedded database (no DATABASE_URL) can be opened by one process at a time: stop the service
first. On PostgreSQL these commands run alongside the service; verify reads one consistent snapshot.`;

const options = {
  chain: { type: 'string' },
  contract: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  format: { type: 'string' },
  output: { type: 'string' },
  bom: { type: 'boolean' },
  operator: { type: 'string' },
  'with-database': { type: 'boolean' },
} as const;

class UsageError extends Error {}

interface Outcome {
  code: number;
  text: string;
  json?: Record<string, unknown>;
}

function problemJson(problem: ChainProblem): Record<string, unknown> {
  return { ...problem, seq: problem.seq?.toString() ?? null, recordId: problem.recordId?.toString() ?? null };
}

function problemLine(problem: ChainProblem): string {
  const where = [`chain ${problem.chain}`];
  if (problem.seq !== null) where.push(`record ${problem.seq}`);
  if (problem.recordId !== null) where.push(`row id ${problem.recordId}`);
  return `  ${where.join(', ')}: ${problem.kind} — ${problem.detail}`;
}

function problemsText(problems: ChainProblem[], omitted: number): string {
  const lines = problems.map(problemLine);
  if (omitted > 0) lines.push(`  … and ${omitted} more`);
  return lines.join('\n');
}

function chainOption(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (value !== noContractChain && !isValidContractId(value)) throw new UsageError(`--chain must be an 11-digit contract ID with a valid check digit, or "${noContractChain}"`);
  return value;
}

async function verifyCommand(deps: Deps, chain: string | undefined): Promise<Outcome> {
  const result = await verifyAuditChain(deps.db, { chain });
  const scope = chain === undefined ? `${result.chains} chain(s)` : `chain ${chain}`;
  const total = result.problems.length + result.problemsOmitted;
  return {
    code: result.ok ? 0 : 1,
    json: { ...result, problems: result.problems.map(problemJson) },
    text: result.ok
      ? `Audit trail intact: ${scope}, ${result.records} record(s) verified.`
      : `Audit trail NOT intact: ${total} problem(s) in ${scope}, ${result.records} record(s) read.\n${problemsText(result.problems, result.problemsOmitted)}`,
  };
}

function readExportFile(file: string): AuditExportRow[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  if (!text.replace(/^\uFEFF/, '').trimStart().startsWith('[')) return auditRowsFromCsv(text);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ExportFormatError('not a JSON file');
  }
  return auditRowsFromJson(value);
}

function verifyExportOutcome(file: string, rows: AuditExportRow[], stored: ChainProblem[] | undefined): Outcome {
  const check = verifyExportedRows(rows);
  const problems = [...check.problems, ...(stored ?? [])];
  const ok = problems.length === 0 && check.problemsOmitted === 0;
  const against = stored ? ' and matches the stored chain' : '';
  return {
    code: ok ? 0 : 1,
    json: { ok, records: rows.length, comparedWithDatabase: stored !== undefined, problems: problems.map(problemJson), problemsOmitted: check.problemsOmitted },
    text: ok
      ? `${file}: ${rows.length} record(s), intact${against}.`
      : `${file}: NOT intact, ${problems.length + check.problemsOmitted} problem(s) in ${rows.length} record(s).\n${problemsText(problems, check.problemsOmitted)}`,
  };
}

export async function auditCommand(argv: string[], io: CommandIo): Promise<number> {
  const line = parseCommandLine(argv, options, usage, io);
  if (typeof line === 'number') return line;
  const { command, operands, values } = line;
  const print = (outcome: Outcome) => {
    io.stdout(values.json && outcome.json ? `${JSON.stringify(outcome.json)}\n` : `${outcome.text}\n`);
    return outcome.code;
  };
  const fail = failureReporter(io, values.json);

  // Everything is checked before the database is opened, so a mistake is reported as such. `run`
  // receives the database whenever `needsDatabase` holds (verify and export always need it).
  let run: (deps: Deps | undefined) => Promise<Outcome>;
  let needsDatabase = true;
  try {
    if (command !== 'verify-export' && operands.length > 0) throw new UsageError(`unexpected argument "${operands[0]}"`);
    switch (command) {
      case 'verify': {
        const chain = chainOption(values.chain);
        run = (deps) => verifyCommand(deps!, chain);
        break;
      }
      case 'export': {
        const contractId = values.contract?.trim() ?? '';
        if (!isValidContractId(contractId)) throw new UsageError('--contract must be an 11-digit contract ID with a valid check digit (R1.1)');
        const period = periodOfDays(values.from, values.to);
        if (typeof period === 'string') throw new UsageError(period);
        const format = values.format ?? 'csv';
        if (format !== 'csv' && format !== 'json') throw new UsageError('--format must be csv or json');
        if (values.bom && format !== 'csv') throw new UsageError('--bom is for CSV');
        const operator = values.operator ?? io.env.USER ?? 'operator';
        run = async (deps) => exportCommand(deps!, { contractId, ...period, format, bom: values.bom ?? false, output: values.output, operator });
        break;
      }
      case 'verify-export': {
        if (operands.length !== 1) throw new UsageError('verify-export takes one file');
        const file = operands[0]!; // exactly one operand, checked just above
        const rows = readExportFile(file);
        needsDatabase = values['with-database'] ?? false;
        run = async (deps) => verifyExportOutcome(file, rows, deps ? await compareWithStoredChain(deps.db, rows) : undefined);
        break;
      }
      default:
        throw new UsageError(`unknown command "${command}"; see --help`);
    }
  } catch (error) {
    if (error instanceof UsageError) return fail(error.message, 2);
    if (error instanceof ExportFormatError) return fail(error.message, 1);
    throw error;
  }

  if (!needsDatabase) return print(await run(undefined));
  const runtime = await openCommandRuntime(io, 'the audit CLI', fail);
  if (typeof runtime === 'number') return runtime;
  try {
    return print(await run(runtime.deps));
  } catch (error) {
    if (error instanceof UsageError) return fail(error.message, 1);
    throw error;
  } finally {
    await runtime.close();
  }
}

async function exportCommand(
  deps: Deps,
  request: { contractId: string; from: Date; to: Date; format: 'csv' | 'json'; bom: boolean; output: string | undefined; operator: string },
): Promise<Outcome> {
  const contract = await deps.db.selectFrom('contract').select('id').where('id', '=', request.contractId).executeTakeFirst();
  if (!contract) throw new UsageError(`no contract ${request.contractId}`);
  const rows = await exportAuditTrail(deps.db, request);
  const body = request.format === 'csv' ? `${request.bom ? '\uFEFF' : ''}${auditRowsToCsv(rows)}` : `${JSON.stringify(auditRowsToJson(rows), null, 2)}\n`;
  if (request.output) {
    try {
      // The trail holds addresses and names: readable by the operator only, and never overwritten.
      writeFileSync(request.output, body, { flag: 'wx', mode: 0o600 });
    } catch (error) {
      throw new UsageError(`cannot write ${request.output}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
  }
  await recordTrailExport(deps.db, { at: deps.clock.now(), actor: `operator:${request.operator}`, ...request, records: rows.length });
  if (request.output) {
    return { code: 0, text: `${rows.length} record(s) of contract ${request.contractId} written to ${request.output}.` };
  }
  return { code: 0, text: body.replace(/\n$/, '') };
}

if (import.meta.main) process.exitCode = await auditCommand(process.argv.slice(2), processIo);
