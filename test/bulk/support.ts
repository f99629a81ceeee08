import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import type { Deps } from '../../src/deps.ts';
import { writeZengin, zenginBatch } from '../../src/domain/zengin/write.ts';
import type { ZenginDataRecord, ZenginHeader, ZenginFile } from '../../src/domain/zengin/fields.ts';
import type { ZenginWriteOptions } from '../../src/domain/zengin/write.ts';
import type { Client } from '../helpers/client.ts';
import type { TestAccount } from '../transfers/fixtures.ts';

/**
 * The bulk file tests (R8.4): Zengin files for a test contract's account, written by the project's
 * writer (its own tests compare it with other programs' files), and the upload as a browser sends it.
 */
export const ownBankCode = '0999';

/** Another bank and branch that the published bank data knows (みずほ銀行 東京営業部). */
export const otherBank = { bankCode: '0001', bankName: 'ﾐｽﾞﾎ', branchCode: '001', branchName: 'ﾄｳｷﾖｳ' } as const;

export interface RecordSpec {
  amountYen: bigint;
  /** Default: another bank (みずほ). */
  to?: { bankCode: string; branchCode: string; accountNumber: string; accountType?: string };
  name?: string;
}

export function headerFor(from: TestAccount, options: { typeCode?: string; mmdd?: string } = {}): ZenginHeader {
  return {
    typeCode: options.typeCode ?? '21',
    codeKind: '0',
    originatorCode: '1234567890',
    originatorName: 'ｶ)ﾃｽﾄｼﾖｳｼﾞ',
    paymentDate: options.mmdd ?? '0401',
    originBankCode: ownBankCode,
    originBankName: 'ﾃﾞﾓ',
    originBranchCode: from.branchCode,
    originBranchName: 'ﾎﾝﾃﾝ',
    accountType: '1',
    accountNumber: from.accountNumber,
  };
}

export function recordFor(spec: RecordSpec, index: number, typeCode = '21'): ZenginDataRecord {
  const to = spec.to ?? { bankCode: otherBank.bankCode, branchCode: otherBank.branchCode, accountNumber: String(1_000_000 + index) };
  const common = {
    beneficiaryBankCode: to.bankCode,
    beneficiaryBankName: to.bankCode === ownBankCode ? 'ﾃﾞﾓ' : otherBank.bankName,
    beneficiaryBranchCode: to.branchCode,
    beneficiaryBranchName: 'ｼﾃﾝ',
    clearingHouseCode: '',
    accountType: to.accountType ?? '1',
    accountNumber: to.accountNumber,
    beneficiaryName: spec.name ?? `ﾄﾘﾋｷｻｷ${index}`.slice(0, 30),
    amount: spec.amountYen,
    newCode: '0',
  };
  return typeCode === '21'
    ? { ...common, customerCode1: '', customerCode2: '', transferCategory: '7', identification: ' ' }
    : { ...common, employeeNumber: String(index).padStart(10, '0'), departmentCode: '' };
}

/** A file of one batch paying these records from the account. */
export function zenginFile(from: TestAccount, records: readonly RecordSpec[], options: { typeCode?: string; mmdd?: string } = {}): ZenginFile {
  const typeCode = options.typeCode ?? '21';
  return { batches: [zenginBatch(headerFor(from, options), records.map((spec, index) => recordFor(spec, index + 1, typeCode)))] };
}

export function zenginBytes(from: TestAccount, records: readonly RecordSpec[], options: { typeCode?: string; mmdd?: string } & ZenginWriteOptions = {}): Buffer {
  return Buffer.from(writeZengin(zenginFile(from, records, options), options));
}

/** `count` records to another bank, `amountYen` each. */
export function manyRecords(count: number, amountYen = 1_000n): RecordSpec[] {
  return Array.from({ length: count }, () => ({ amountYen }));
}

/** Sends the upload form as a browser does (multipart/form-data): the page's CSRF token first, then the file. */
export async function uploadBulk(client: Client, content: Buffer | undefined, options: { name?: string; csrf?: string | null } = {}): Promise<LightMyRequestResponse> {
  await client.get('/bulk/upload');
  const csrf = options.csrf === undefined ? client.csrf : options.csrf;
  const boundary = `----form${randomBytes(8).toString('hex')}`;
  const chunks: Buffer[] = [];
  if (csrf) chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${csrf}\r\n`));
  if (content) {
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${options.name ?? 'sogo.txt'}"\r\nContent-Type: text/plain\r\n\r\n`));
    chunks.push(content);
    chunks.push(Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return client.app.inject({
    method: 'POST',
    url: '/bulk/upload',
    headers: { cookie: [...client.cookies].map(([name, value]) => `${name}=${value}`).join('; '), 'content-type': `multipart/form-data; boundary=${boundary}` },
    payload: Buffer.concat(chunks),
    remoteAddress: client.ip,
  });
}

/** The id of the file an upload stored (it answers with the file's page). */
export function uploadedId(answer: LightMyRequestResponse): bigint {
  assert.equal(answer.statusCode, 303, `the upload is accepted (${answer.statusCode}: ${/data-code="([A-Z_]+)"/.exec(answer.body)?.[1] ?? ''})`);
  const match = /^\/bulk\/files\/(\d+)$/.exec(String(answer.headers.location));
  assert.ok(match, `answered with a file page: ${String(answer.headers.location)}`);
  return BigInt(match[1]!);
}

/** The form key of an action on a file's page. */
export function actionKey(page: string, action: string): string {
  const section = page.slice(page.indexOf(`id="action-${action}"`));
  const key = /name="idempotencyKey" value="([^"]+)"/.exec(section)?.[1];
  assert.ok(key, `the page offers ${action}`);
  return key;
}

/** Everything a refused upload or step must leave as it was. */
export async function bulkState(deps: Deps): Promise<unknown> {
  const count = async (table: 'bulk_file' | 'bulk_record' | 'bulk_approval' | 'journal_entry' | 'daily_usage') =>
    Number((await deps.db.selectFrom(table).select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);
  const files = await deps.db.selectFrom('bulk_file').select(['id', 'status']).orderBy('id').execute();
  const usage = await deps.db.selectFrom('daily_usage').selectAll().where('business', '=', 'bulk_transfer').orderBy('user_ref').execute();
  return { files, records: await count('bulk_record'), approvals: await count('bulk_approval'), entries: await count('journal_entry'), usage };
}

/** A person of the contract with the bulk steps given and the account, logged on with a client of their own. */
export async function bulkUser(
  t: { app: import('fastify').FastifyInstance; deps: Deps },
  contractId: string,
  accountId: number,
  steps: { register?: boolean; approve?: boolean; send?: boolean; perTransactionLimitYen?: bigint; dailyLimitYen?: bigint },
) {
  const { addUserWith } = await import('../users/helpers.ts');
  const { Client } = await import('../helpers/client.ts');
  const { logon } = await import('../helpers/people.ts');
  const person = await addUserWith(deps(t), contractId, [{ business: 'bulk_transfer', perTransactionLimitYen: 10_000_000n, dailyLimitYen: 30_000_000n, ...steps }], [accountId]);
  const client = new Client(t.app);
  const answer = await logon(client, person);
  assert.equal(answer.headers.location, '/status', `${person.userId} logs on`);
  return { person, client };
}

function deps(t: { deps: Deps }): Deps {
  return t.deps;
}

/** Takes a step on a file's page as its form does; the confirmation password when given. */
export async function fileStep(client: Client, id: bigint, action: string, fields: Record<string, string> = {}): Promise<LightMyRequestResponse> {
  const page = (await client.get(`/bulk/files/${id}`)).body;
  const section = page.indexOf(`id="action-${action.replace('_', '-')}"`);
  const key = section < 0 ? 'K'.repeat(32) : /name="idempotencyKey" value="([^"]+)"/.exec(page.slice(section))![1]!;
  return client.post(`/bulk/files/${id}`, { action, idempotencyKey: key, ...fields });
}
