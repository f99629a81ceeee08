import type { Deps } from '../../deps.ts';
import type { Executor } from '../../db/transaction.ts';
import { inTransaction } from '../../db/transaction.ts';
import type { BulkTemplateLine, BulkTypeCode } from '../../db/schema-bulk.ts';
import { recordAudit, userActor } from '../../audit/audit-trail.ts';
import { isRowId } from '../transfers/holder.ts';
import type { Actor } from '../transfers/types.ts';
import type { BuildForm } from './build-input.ts';
import { linePayees, payingAccount } from './build-file.ts';

/**
 * R8.4: a list built on screen kept for next time under a name: the kind, the paying account and
 * the payees with their amounts (and employee numbers), not the date. Templates are the contract's,
 * shared by everyone who builds files in it; saving under a name already used replaces that one.
 */
export interface TemplateSummary {
  id: number;
  name: string;
  typeCode: BulkTypeCode;
  lineCount: number;
}

/** A template's line; the employee number rides in the same JSON (an older line has none). */
export interface TemplateLine extends BulkTemplateLine {
  employeeNumber: string;
}

export interface LoadedTemplate {
  id: number;
  name: string;
  typeCode: BulkTypeCode;
  fromAccountId: number;
  lines: TemplateLine[];
}

/** The stored JSON read without trusting it: a line that is not a payee ID with a yen amount is left out. */
function linesOf(stored: unknown): TemplateLine[] {
  if (!Array.isArray(stored)) return [];
  return stored.flatMap((line: unknown) => {
    if (line === null || typeof line !== 'object') return [];
    const { payeeId, amountYen, employeeNumber } = line as Record<string, unknown>;
    if (!isRowId(payeeId) || typeof amountYen !== 'string' || !/^[1-9][0-9]{0,9}$/.test(amountYen)) return [];
    return [{ payeeId, amountYen, employeeNumber: typeof employeeNumber === 'string' && /^[0-9]{0,10}$/.test(employeeNumber) ? employeeNumber : '' }];
  });
}

export async function templatesOf(executor: Executor, contractId: string): Promise<TemplateSummary[]> {
  const rows = await executor.selectFrom('bulk_template').select(['id', 'name', 'type_code', 'lines']).where('contract_id', '=', contractId).orderBy('name').execute();
  return rows.map((row) => ({ id: row.id, name: row.name, typeCode: row.type_code, lineCount: linesOf(row.lines).length }));
}

/** One of the contract's templates (another contract's is not found). */
export async function templateOf(executor: Executor, contractId: string, id: number): Promise<LoadedTemplate | undefined> {
  const row = await executor.selectFrom('bulk_template').selectAll().where('id', '=', id).where('contract_id', '=', contractId).executeTakeFirst();
  return row && { id: row.id, name: row.name, typeCode: row.type_code, fromAccountId: row.from_account_id, lines: linesOf(row.lines) };
}

/**
 * Saved as the file would be built: the person holds the register step, may pay from the account,
 * and every payee is active in the contract. The template and its audit record commit together.
 */
export async function saveTemplate(deps: Deps, actor: Actor, name: string, form: BuildForm): Promise<number> {
  return inTransaction(deps.db, async (tx) => {
    await payingAccount(tx, actor, form.fromAccountId);
    const chosen = await linePayees(tx, actor, form);
    const lines: TemplateLine[] = chosen.map(({ line }) => ({ payeeId: line.payeeId, amountYen: line.amountYen.toString(), employeeNumber: line.employeeNumber }));
    const now = deps.clock.now();
    const values = { type_code: form.typeCode, from_account_id: form.fromAccountId, lines: JSON.stringify(lines), updated_by: actor.user.id, updated_at: now };
    const saved = await tx
      .insertInto('bulk_template')
      .values({ contract_id: actor.contract.id, name, ...values })
      .onConflict((oc) => oc.columns(['contract_id', 'name']).doUpdateSet(values))
      .returning('id')
      .executeTakeFirstOrThrow();
    await recordAudit(tx, {
      at: now,
      contractId: actor.contract.id,
      userRef: actor.user.id,
      actor: userActor(actor.contract.id, actor.user.user_id),
      action: 'bulk.template.save',
      outcome: 'success',
      ip: actor.ip,
      userAgent: actor.userAgent,
      details: { templateId: saved.id, name, typeCode: form.typeCode, lines: lines.length },
    });
    return saved.id;
  });
}
