import { readFileSync } from 'node:fs';
import { failureReporter, processIo, type CommandIo } from '../../cli/command-line.ts';
import { parseCommandLine } from '../../cli/parse.ts';
import { formatYen } from '../../domain/money.ts';
import { isBankCode, isBranchCode } from '../../domain/account-designation.ts';
import { readZengin, type ZenginReadOptions, type ZenginReadResult } from '../../domain/zengin/read.ts';
import type { ZenginProblem } from '../../domain/zengin/problems.ts';
import { translator } from '../../web/i18n/index.ts';

/**
 * Zengin transfer files for the bank's tooling (R8.4): `check` reads a file as an upload would and
 * names every problem. It needs no database: bank and branch codes are checked against the
 * published bank data, and the bank's own code and branches are given as options.
 */
const usage = `Usage: npm run -s zengin -- check FILE [options]

Commands:
  check FILE                  Read a Zengin fixed-length file (総合振込 21, 給与振込 11, 賞与振込 12:
                              Shift_JIS, 120-byte records framed by CRLF, LF, CR or nothing, trailing
                              spaces trimmed or not, a final 0x1A) and list every problem, each with
                              its record number (the first 120-byte record is 1) and field. Bank and
                              branch codes are checked against the published bank data (zengin-code).
                              Exit status 0 when valid, 1 when not, 2 on a usage error.
      --own-bank CODE         the bank's own code (4 digits): every header must name it, and records
                              to it are not looked up in the published data
      --own-branches LIST     the bank's own branch codes, comma-separated (with --own-bank)
      --lenient               half-width characters outside the Zengin set (small kana, ｰ, lower-case
                              letters) are warnings instead of errors

Options:
  --json                      print one JSON object instead of text:
                              {"valid", "kind", "batches", "count", "total", "amounts", "errors"}
                              (and "warnings" with --lenient)
  --help                      show this help`;

const options = {
  'own-bank': { type: 'string' },
  'own-branches': { type: 'string' },
  lenient: { type: 'boolean' },
} as const;

class UsageError extends Error {}

const english = translator('en');

function problemMessage(problem: ZenginProblem): string {
  return english(`zengin.reason.${problem.reason}`, problem.params);
}

function problemJson(problem: ZenginProblem): { record: number | null; field: string; message: string } {
  return { record: problem.record, field: problem.field, message: problemMessage(problem) };
}

function problemLine(problem: ZenginProblem): string {
  const where = problem.record === null ? 'file' : `record ${problem.record}`;
  const field = problem.field === 'file' || problem.field === 'record' ? '' : `, ${english(`zengin.field.${problem.field}`)}`;
  return `  ${where}${field}: ${problemMessage(problem)}`;
}

/** The figures the bank's tooling reads: amounts in file order across batches (null where unreadable). */
function summary(result: ZenginReadResult) {
  const amounts = result.batches.flatMap((batch) => batch.records.map((record) => record.amount));
  const typeCode = result.batches[0]?.header.typeCode;
  return {
    kind: typeCode !== undefined && /^\d+$/.test(typeCode) ? Number(typeCode) : null,
    batches: result.batches.length,
    count: amounts.length,
    total: amounts.reduce<bigint>((sum, amount) => sum + (amount ?? 0n), 0n),
    amounts,
  };
}

const kindNames: Record<string, string> = { 21: '総合振込', 11: '給与振込', 12: '賞与振込' };

function checkText(file: string, result: ZenginReadResult): string {
  const s = summary(result);
  const kind = s.kind === null ? 'kind unknown' : `${kindNames[s.kind] ?? 'type'} (${s.kind})`;
  const figures = `${kind}, ${s.batches} batch(es), ${s.count} record(s), total ${formatYen(s.total)} yen`;
  const lines = [
    result.valid
      ? `${file}: valid — ${figures}.`
      : `${file}: NOT valid — ${result.errors.length} problem(s); ${figures}.`,
    ...result.errors.map(problemLine),
  ];
  if (result.warnings.length > 0) lines.push(`Warnings (${result.warnings.length}):`, ...result.warnings.map(problemLine));
  return lines.join('\n');
}

function checkJson(result: ZenginReadResult, lenient: boolean): string {
  const s = summary(result);
  const json: Record<string, unknown> = {
    valid: result.valid,
    kind: s.kind,
    batches: s.batches,
    count: s.count,
    // Yen as JSON numbers: at most 12 digits (the trailer's width), well within a double's exact range.
    total: Number(s.total),
    amounts: s.amounts.map((amount) => (amount === null ? null : Number(amount))),
    errors: result.errors.map(problemJson),
  };
  if (lenient) json.warnings = result.warnings.map(problemJson);
  return JSON.stringify(json);
}

function readOptions(values: { 'own-bank'?: string; 'own-branches'?: string; lenient?: boolean }): ZenginReadOptions {
  const read: ZenginReadOptions = { strict: !values.lenient };
  const ownBank = values['own-bank'];
  const ownBranches = values['own-branches'];
  if (ownBranches !== undefined && ownBank === undefined) throw new UsageError('--own-branches needs --own-bank');
  if (ownBank !== undefined) {
    if (!isBankCode(ownBank)) throw new UsageError('--own-bank must be a 4-digit bank code');
    const branchCodes = ownBranches?.split(',').map((code) => code.trim());
    if (branchCodes?.some((code) => !isBranchCode(code))) throw new UsageError('--own-branches must be 3-digit branch codes separated by commas');
    read.ownBank = branchCodes === undefined ? { code: ownBank } : { code: ownBank, branchCodes };
  }
  return read;
}

function readInput(file: string): Uint8Array {
  try {
    return readFileSync(file);
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

export async function zenginCommand(argv: string[], io: CommandIo): Promise<number> {
  const line = parseCommandLine(argv, options, usage, io);
  if (typeof line === 'number') return line;
  const { command, operands, values } = line;
  const fail = failureReporter(io, values.json);
  try {
    if (command !== 'check') throw new UsageError(`unknown command "${command}"; see --help`);
    if (operands.length !== 1) throw new UsageError(operands.length === 0 ? 'check needs a file' : 'check takes one file');
    const file = operands[0]!; // exactly one operand, checked just above
    const readWith = readOptions(values);
    const result = readZengin(readInput(file), readWith);
    io.stdout(`${values.json ? checkJson(result, values.lenient ?? false) : checkText(file, result)}\n`);
    return result.valid ? 0 : 1;
  } catch (error) {
    if (error instanceof UsageError) return fail(error.message, 2);
    throw error;
  }
}

if (import.meta.main) process.exitCode = await zenginCommand(process.argv.slice(2), processIo);
