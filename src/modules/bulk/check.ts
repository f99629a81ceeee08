import type { Deps } from '../../deps.ts';
import type { Executor } from '../../db/transaction.ts';
import type { AccountType } from '../../db/schema.ts';
import type { BulkTypeCode } from '../../db/schema-bulk.ts';
import { sha256HexBytes } from '../../crypto/compare.ts';
import { tokyoDate } from '../../domain/business-days.ts';
import { beforeSendDeadline, paymentDateOf, sendDeadline } from '../../domain/bulk-schedule.ts';
import { transferFeeYen, type FeeDestination } from '../../domain/fees.ts';
import { readZengin, type ZenginReadResult } from '../../domain/zengin/read.ts';
import type { ZenginDataRecord, ZenginFile, ZenginHeader } from '../../domain/zengin/fields.ts';
import { namesOf } from './bank-names.ts';
import { bulkHolderOf } from './holder.ts';
import type { Actor } from '../transfers/types.ts';

/**
 * R8.4: a file as an upload (or a list built on screen) is judged: every problem of its records
 * (src/domain/zengin/read.ts), then what only the bank knows — the header's account must be one of
 * the contract's that the person may use, every batch must pay from it on one date, and that date
 * must be one the file can still be sent for. Every problem is listed, each with its record and field.
 */
export interface BulkProblem {
  /** 1 for the first 120-byte record of the file; null for the file as a whole. */
  record: number | null;
  field: string;
  /** A message key and its values. */
  message: string;
  params?: Record<string, string>;
}

/** A record as it will be paid. */
export interface CheckedRecord {
  seq: number;
  recordNumber: number;
  bankCode: string;
  bankName: string;
  branchCode: string;
  branchName: string;
  accountType: string;
  accountNumber: string;
  nameKana: string;
  amountYen: bigint;
  feeYen: bigint;
  customerCode: string;
}

export interface CheckedFile {
  typeCode: BulkTypeCode;
  digest: string;
  fromAccountId: number;
  paymentDate: string;
  batchCount: number;
  totalYen: bigint;
  feeYen: bigint;
  records: CheckedRecord[];
}

export type CheckResult = { ok: true; file: CheckedFile } | { ok: false; problems: BulkProblem[]; read: ZenginReadResult };

/** Zengin's 預金種目 of the bank's own accounts. */
const accountTypeOfCode: Record<string, AccountType> = { '1': 'ordinary', '2': 'current', '4': 'savings' };

function zenginProblems(read: ZenginReadResult): BulkProblem[] {
  return read.errors.map((problem) => ({
    record: problem.record,
    field: problem.field,
    message: `zengin.reason.${problem.reason}`,
    ...(problem.params ? { params: problem.params } : {}),
  }));
}

/** The file's records with their numbers in the file: a valid file is header, records, trailer per batch, then the end record. */
function numberedRecords(file: ZenginFile): { header: ZenginHeader; headerNumber: number; record: ZenginDataRecord; recordNumber: number }[] {
  const out = [];
  let next = 1;
  for (const batch of file.batches) {
    const headerNumber = next++;
    for (const record of batch.records) out.push({ header: batch.header, headerNumber, record, recordNumber: next++ });
    next++; // the trailer
  }
  return out;
}

function customerCodeOf(record: ZenginDataRecord): string {
  return 'employeeNumber' in record ? `${record.employeeNumber} ${record.departmentCode}`.trim() : `${record.customerCode1} ${record.customerCode2}`.trim();
}

export async function checkBulkFile(deps: Deps, executor: Executor, actor: Actor, bytes: Uint8Array): Promise<CheckResult> {
  const contractId = actor.contract.id;
  const ownBranches = new Map((await executor.selectFrom('own_branch').select(['code', 'name']).execute()).map((row) => [row.code, row.name]));
  const read = readZengin(bytes, { ownBank: { code: deps.config.bankCode, branchCodes: ownBranches.keys() } });
  if (!read.valid || !read.file) return { ok: false, problems: zenginProblems(read), read };
  const file = read.file;
  const problems: BulkProblem[] = [];
  const now = deps.clock.now();
  const today = tokyoDate(now);
  const rules = { cutoffTime: deps.config.bulkCutoffTime, salaryBusinessDays: deps.config.salaryCutoffBusinessDays };

  // Every batch pays from one account on one date: the file is one payment, one entry of the ledger.
  let headerNumber = 1;
  const first = file.batches[0]!.header;
  for (const [index, batch] of file.batches.entries()) {
    const h = batch.header;
    if (index > 0 && (h.originBranchCode !== first.originBranchCode || h.accountType !== first.accountType || h.accountNumber !== first.accountNumber)) {
      problems.push({ record: headerNumber, field: 'accountNumber', message: 'bulk.problem.batchAccountDiffers' });
    }
    if (index > 0 && h.paymentDate !== first.paymentDate) problems.push({ record: headerNumber, field: 'paymentDate', message: 'bulk.problem.batchDateDiffers' });
    headerNumber += batch.records.length + 2;
  }

  const accountType = accountTypeOfCode[first.accountType];
  const account = accountType === undefined ? undefined : await executor
    .selectFrom('account')
    .select(['id', 'branch_code', 'closed_at'])
    .where('contract_id', '=', contractId)
    .where('branch_code', '=', first.originBranchCode)
    .where('account_type', '=', accountType)
    .where('account_number', '=', first.accountNumber)
    .executeTakeFirst();
  if (!account || account.closed_at !== null) {
    problems.push({ record: 1, field: 'accountNumber', message: 'bulk.problem.accountNotContract', params: { branch: first.originBranchCode, account: first.accountNumber } });
  } else if (!(await bulkHolderOf(executor, actor, { accountId: account.id })).usesAccount) {
    problems.push({ record: 1, field: 'accountNumber', message: 'bulk.problem.accountNotUsable', params: { branch: first.originBranchCode, account: first.accountNumber } });
  }

  const dated = paymentDateOf(first.paymentDate, today);
  if ('reason' in dated) {
    const params: Record<string, string> = { date: first.paymentDate };
    if (dated.reason === 'too_far') params.days = String(dated.days);
    if (dated.reason === 'holiday') params.holiday = dated.holiday;
    problems.push({ record: 1, field: 'paymentDate', message: `bulk.problem.date.${dated.reason}`, params });
  } else if (!beforeSendDeadline(first.typeCode, dated.date, now, rules)) {
    problems.push({ record: 1, field: 'paymentDate', message: 'bulk.problem.tooLate', params: { date: dated.date, deadline: sendDeadline(first.typeCode, dated.date, rules).toISOString() } });
  }

  if (problems.length > 0 || !account || 'reason' in dated) return { ok: false, problems, read };

  const sourceBranch = account.branch_code;
  const names = namesOf({ code: deps.config.bankCode, name: deps.config.bankName, kana: deps.config.bankNameKana }, ownBranches);
  const records = numberedRecords(file).map(({ record, recordNumber }, index): CheckedRecord => {
    const destination: FeeDestination =
      record.beneficiaryBankCode !== deps.config.bankCode ? 'other_bank' : record.beneficiaryBranchCode === sourceBranch ? 'same_branch' : 'same_bank';
    return {
      seq: index + 1,
      recordNumber,
      bankCode: record.beneficiaryBankCode,
      bankName: names.bank(record.beneficiaryBankCode, record.beneficiaryBankName),
      branchCode: record.beneficiaryBranchCode,
      branchName: names.branch(record.beneficiaryBankCode, record.beneficiaryBranchCode, record.beneficiaryBranchName),
      accountType: record.accountType,
      accountNumber: record.accountNumber,
      nameKana: record.beneficiaryName,
      amountYen: record.amount,
      feeYen: transferFeeYen(deps.config.transferFees, destination, record.amount),
      customerCode: customerCodeOf(record),
    };
  });
  return {
    ok: true,
    file: {
      typeCode: first.typeCode as BulkTypeCode,
      digest: sha256HexBytes(bytes),
      fromAccountId: account.id,
      paymentDate: dated.date,
      batchCount: file.batches.length,
      totalYen: records.reduce((sum, r) => sum + r.amountYen, 0n),
      feeYen: records.reduce((sum, r) => sum + r.feeYen, 0n),
      records,
    },
  };
}
